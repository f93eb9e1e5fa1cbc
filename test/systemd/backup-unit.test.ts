/**
 * The daily backup's units, checked with systemd's own tools like the daemon's unit: the service's
 * exposure score and a clean `verify` of the service and its timer, and the settings the backup
 * relies on (the daemon's user, the state directory, no network, a persistent daily timer).
 */
import t from 'tap';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUnit, security, values, verify } from './analyze.js';

const DIR = join(import.meta.dirname, '../../systemd');
const SERVICE = join(DIR, 'xpos-agent-backup.service');
const TIMER = join(DIR, 'xpos-agent-backup.timer');
/** The daemon's unit reaches 1.3; the backup needs neither network nor devices and does better. */
const MAX_EXPOSURE = 0.5;

const service = parseUnit(readFileSync(SERVICE, 'utf8'));
const timer = parseUnit(readFileSync(TIMER, 'utf8'));
const svc = (key: string): string[] => values(service, 'Service', key);
const main = parseUnit(readFileSync(join(DIR, 'xpos-agent.service'), 'utf8'));

t.test(`the backup service's exposure is at most ${MAX_EXPOSURE}`, async (t) => {
  const r = await security(SERVICE, MAX_EXPOSURE);
  t.comment(`xpos-agent-backup.service exposure: ${r.exposure} ${r.verdict}`);
  t.comment(`still open: ${r.open.join(', ')}`);
  t.ok(r.exposure <= MAX_EXPOSURE, `exposure ${r.exposure} must be <= ${MAX_EXPOSURE}`);
  t.equal(r.code, 0, '--threshold passes');
});

t.test('systemd-analyze verify prints nothing for the service and its timer', async (t) => {
  const s = await verify(SERVICE);
  t.equal(s.code, 0);
  t.same(
    s.lines.filter((l) => l.includes('xpos-agent-backup')),
    [],
    'the service',
  );
  // A timer is verified with its service beside it (verify stubs the service's ExecStart).
  const dir = t.testdir({});
  copyFileSync(TIMER, join(dir, 'xpos-agent-backup.timer'));
  writeFileSync(
    join(dir, 'xpos-agent-backup.service'),
    readFileSync(SERVICE, 'utf8').replace(/^ExecStart=.*$/m, 'ExecStart=/bin/true'),
  );
  const r = await verify(join(dir, 'xpos-agent-backup.timer'));
  t.equal(r.code, 0);
  t.same(
    r.lines.filter((l) => l.includes('xpos-agent-backup')),
    [],
    'the timer',
  );
});

t.test('the service runs the backup command as the daemon user, without network or devices', (t) => {
  t.same(svc('Type'), ['oneshot']);
  t.same(svc('ExecStart'), ['/usr/bin/xpos-agent ledger backup --config /etc/xpos-agent/config.yaml']);
  t.same(svc('User'), values(main, 'Service', 'User'), "the daemon's user, who owns the ledger");
  t.match(
    svc('StateDirectory')[0] ?? '',
    /^xpos-agent xpos-agent-backups$/,
    'the ledger and the default backup.dir',
  );
  t.same(svc('StateDirectoryMode'), ['0700']);
  t.same(svc('PrivateNetwork'), ['yes']);
  t.same(svc('PrivateDevices'), ['yes']);
  t.same(svc('ProtectSystem'), ['strict']);
  t.same(svc('NoNewPrivileges'), ['yes']);
  t.same(svc('CapabilityBoundingSet'), ['']);
  t.same(svc('IOSchedulingClass'), ['idle'], 'never in the way of a sale');
  t.notSame(svc('MemoryDenyWriteExecute'), ['yes'], 'V8 needs it off');
  t.ok(svc('SystemCallFilter').join(' ').includes('@pkey'));
  t.same(values(service, 'Install', 'WantedBy'), [], 'started by the timer, not at boot');
  t.end();
});

t.test('the timer: daily, caught up after a power-off, spread over the fleet', (t) => {
  t.same(values(timer, 'Timer', 'OnCalendar'), ['*-*-* 03:30:00']);
  t.same(values(timer, 'Timer', 'Persistent'), ['true']);
  t.ok(values(timer, 'Timer', 'RandomizedDelaySec').length === 1);
  t.same(values(timer, 'Install', 'WantedBy'), ['timers.target']);
  t.end();
});

t.test('no setting carries an end-of-line comment', (t) => {
  for (const file of [SERVICE, TIMER]) {
    const bad = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^[A-Za-z]+=.*\s[#;]/.test(l));
    t.same(bad, [], file);
  }
  t.end();
});
