/**
 * The report's shape and the exit code scheme, and the host facts the device checks rest on:
 * /etc/group parsing, the kernel's owner/group/other rule, and finding who holds a device.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import {
  accessFor,
  isDaemonCommand,
  readGroups,
  readUsers,
  scanOpenFiles,
  type GroupEntry,
  type UserEntry,
  UNIT_GROUPS,
} from '../../agent/doctor/host.js';
import {
  exitCodeOf,
  fail,
  formatResult,
  formatSummary,
  ok,
  reportJson,
  warn,
} from '../../agent/doctor/report.js';

t.test('exit codes: 0 all OK, 1 a WARN, 2 a FAIL, 78 an invalid config', (t) => {
  const o = ok('a', 'fine');
  const w = warn('b', 'meh', 'do x');
  const f = fail('c', 'broken', 'do y');
  t.equal(exitCodeOf([o, o]), 0);
  t.equal(exitCodeOf([o, w]), 1);
  t.equal(exitCodeOf([w, f, o]), 2);
  t.equal(exitCodeOf([o], true), 78);
  t.equal(exitCodeOf([]), 0);
  t.end();
});

t.test('one line per check, the fix under WARN and FAIL only', (t) => {
  t.equal(
    formatResult(ok('scanner', '/dev/ttyUSB0: opened')),
    `OK    scanner              /dev/ttyUSB0: opened\n`,
  );
  t.equal(
    formatResult(fail('gateway signed call', 'refused', 'check the key')),
    'FAIL  gateway signed call  refused\n  fix: check the key\n',
  );
  t.equal(
    formatResult({ ...fail('config', 'x.yaml: 2 problem(s)', 'edit it'), lines: ['a: b', 'c: d'] }),
    'FAIL  config               x.yaml: 2 problem(s)\n      a: b\n      c: d\n  fix: edit it\n',
  );
  const results = [ok('a', '1'), warn('b', '2', 'fix b')];
  t.equal(formatSummary(results, 1), 'doctor: 1 OK, 1 WARN, 0 FAIL (exit 1)\n');
  t.same(reportJson(results, 1), { exitCode: 1, worst: 'warn', checks: results });
  t.end();
});

const groups: GroupEntry[] = [
  { name: 'dialout', gid: 20, members: ['xpos-agent', 'pi'] },
  { name: 'lp', gid: 7, members: [] },
  { name: 'tty', gid: 5, members: [] },
  { name: 'xpos-agent', gid: 990, members: [] },
];
const user: UserEntry = { name: 'xpos-agent', uid: 990, gid: 990 };

t.test("access: the kernel's rule (owner bits, else group bits for a member, else other)", (t) => {
  const node = (uid: number, gid: number, mode: number) => ({ uid, gid, mode: 0o20000 | mode });
  t.same(accessFor(node(0, 20, 0o660), 'rw', user, groups), { kind: 'ok', via: 'group dialout' });
  t.same(accessFor(node(0, 20, 0o640), 'rw', user, groups), { kind: 'denied' }, 'group may only read');
  t.same(accessFor(node(0, 20, 0o640), 'r', user, groups), { kind: 'ok', via: 'group dialout' });
  t.same(accessFor(node(0, 7, 0o660), 'rw', user, groups), { kind: 'unit-only', group: 'lp' });
  t.same(accessFor(node(0, 5, 0o620), 'rw', user, groups), { kind: 'denied' }, 'the console: write only');
  t.same(accessFor(node(0, 5, 0o620), 'w', user, groups), { kind: 'unit-only', group: 'tty' });
  t.same(accessFor(node(0, 0, 0o600), 'rw', user, groups), { kind: 'denied' });
  t.same(accessFor(node(0, 0, 0o666), 'rw', user, groups), { kind: 'ok', via: 'other' });
  t.same(
    accessFor(node(990, 0, 0o066), 'rw', user, groups),
    { kind: 'denied' },
    'owner bits win for the owner',
  );
  t.same(
    accessFor(node(0, 990, 0o660), 'rw', user, groups),
    { kind: 'ok', via: 'group xpos-agent' },
    'primary group',
  );
  t.same(accessFor(node(0, 20, 0o660), 'rw', undefined, groups), { kind: 'no-user' });
  t.same(
    accessFor(node(0, 20, 0o220), 'w', user, groups),
    { kind: 'ok', via: 'group dialout' },
    'sysfs export',
  );
  t.end();
});

t.test("the groups the doctor credits to the service are the unit's SupplementaryGroups=", (t) => {
  const unit = readFileSync(new URL('../../systemd/xpos-agent.service', import.meta.url), 'utf8');
  const line = /^SupplementaryGroups=(.*)$/m.exec(unit)?.[1] ?? '';
  t.same([...UNIT_GROUPS].sort(), line.split(/\s+/).filter(Boolean).sort());
  t.end();
});

t.test('/etc/group and /etc/passwd: members split, junk lines skipped', (t) => {
  const dir = t.testdir({
    group: '# comment\ndialout:x:20:xpos-agent,pi\nbroken line\nlp:x:7:\n',
    passwd: 'root:x:0:0:root:/root:/bin/bash\nxpos-agent:x:990:990::/var/lib/xpos-agent:/usr/sbin/nologin\n',
  });
  t.same(readGroups(join(dir, 'group')), [
    { name: 'dialout', gid: 20, members: ['xpos-agent', 'pi'] },
    { name: 'lp', gid: 7, members: [] },
  ]);
  t.same(readUsers(join(dir, 'passwd'))[1], { name: 'xpos-agent', uid: 990, gid: 990 });
  t.same(readGroups(join(dir, 'missing')), []);
  t.end();
});

t.test('the daemon is recognised by its command line', (t) => {
  t.ok(isDaemonCommand(['node', '/opt/xpos-agent/dist/agent/main.js', 'run', '--config', '/etc/x.yaml']));
  t.ok(isDaemonCommand(['/usr/bin/xpos-agent', 'run']));
  t.notOk(isDaemonCommand(['node', '/opt/xpos-agent/dist/agent/main.js', 'doctor']));
  t.notOk(isDaemonCommand(['socat', 'pty,link=/tmp/x', 'run']));
  t.end();
});

t.test('holders of a file are found in /proc, this process excluded', async (t) => {
  const dir = t.testdir({ device: '' });
  const path = realpathSync(join(dir, 'device'));
  const fd = openSync(path, 'r');
  t.teardown(() => closeSync(fd));
  const child = spawn('sleep', ['30'], { stdio: ['ignore', 'ignore', 'ignore', fd] });
  t.teardown(() => child.kill());
  let found = scanOpenFiles([path]);
  for (let i = 0; i < 100 && (found.holders.get(path) ?? []).length === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
    found = scanOpenFiles([path]);
  }
  t.same(found.holders.get(path), [{ pid: child.pid, name: 'sleep', daemon: false }]);
  writeFileSync(join(dir, 'other'), '');
  t.same(scanOpenFiles([join(dir, 'other')]).holders.get(join(dir, 'other')), [], 'nobody holds the other');
});
