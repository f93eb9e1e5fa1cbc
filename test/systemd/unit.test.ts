/**
 * The shipped systemd files, checked with systemd's own tools: the unit's exposure score and a
 * clean `verify`, the sysusers file applied to a throwaway root, and the udev rules linted (udev
 * 252 has no `udevadm verify`). A missing tool fails the test with the package to install.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CONFIG } from '../../config/load.js';
import { SHUTDOWN_DEADLINE_MS } from '../../agent/daemon.js';
import { EXIT_STATE_LOCKED } from '../../agent/state-lock.js';
import { applySysusers, parseUnit, run, security, values, verify } from './analyze.js';

const DIR = join(import.meta.dirname, '../../systemd');
const UNIT = join(DIR, 'xpos-agent.service');
const SYSUSERS = join(DIR, 'xpos-agent.sysusers');
const RULES = join(DIR, '60-xpos-agent.rules');
/** The target; the reference unit reaches 1.3. */
const MAX_EXPOSURE = 1.3;

const unitText = readFileSync(UNIT, 'utf8');
const unit = parseUnit(unitText);
const svc = (key: string): string[] => values(unit, 'Service', key);
const sysusersGroups = [...readFileSync(SYSUSERS, 'utf8').matchAll(/^g\s+(\S+)/gm)].map((m) => m[1]);

/** systemd time spans as used in the unit: "30s", "5min", "1min 30s", or plain seconds. */
function seconds(span: string | undefined): number {
  const units: Record<string, number> = { '': 1, s: 1, sec: 1, m: 60, min: 60, h: 3600 };
  let total = 0;
  for (const [, n, u] of (span ?? '').matchAll(/(\d+)\s*([a-z]*)/g))
    total += Number(n) * (units[u ?? ''] ?? NaN);
  return total;
}

t.test(`exposure is at most ${MAX_EXPOSURE} (systemd-analyze security --offline=true)`, async (t) => {
  const r = await security(UNIT, MAX_EXPOSURE);
  t.comment(`xpos-agent.service exposure: ${r.exposure} ${r.verdict}`);
  t.comment(`still open: ${r.open.join(', ')}`);
  t.ok(r.exposure <= MAX_EXPOSURE, `exposure ${r.exposure} must be <= ${MAX_EXPOSURE}`);
  t.equal(r.code, 0, '--threshold passes');
});

t.test('the exposure gate fails a unit without sandboxing', async (t) => {
  const dir = t.testdir({ 'bare.service': '[Service]\nExecStart=/bin/true\nUser=nobody\n' });
  const r = await security(join(dir, 'bare.service'), MAX_EXPOSURE);
  t.ok(r.exposure > 5, `a bare unit scores ${r.exposure}`);
  t.not(r.code, 0, '--threshold fails it');
});

t.test('systemd-analyze verify prints nothing for the unit', async (t) => {
  const r = await verify(UNIT);
  t.equal(r.code, 0);
  t.same(
    r.lines.filter((l) => l.includes('xpos-agent')),
    [],
    'no warning or error about xpos-agent.service',
  );
  for (const l of r.lines) t.comment(`verify (other units): ${l}`);
});

t.test('verify catches what systemd would silently ignore', async (t) => {
  const dir = t.testdir({
    'xpos-agent.service':
      '[Service]\nExecStart=/usr/bin/xpos-agent run\nRestart=sometimes\nTimeoutStopSec=15s # why\nWatchdogSecs=30s\n',
  });
  const r = await verify(join(dir, 'xpos-agent.service'));
  t.match(r.lines.join('\n'), /restart specifier[\s\S]*time value[\s\S]*Unknown key 'WatchdogSecs'/);
});

t.test('the unit has the lifecycle settings the daemon relies on', (t) => {
  t.same(svc('Type'), ['notify']);
  t.same(svc('NotifyAccess'), ['main'], 'notify is sent in-process by the main PID');
  t.same(svc('ExecStart'), ['/usr/bin/xpos-agent run --config /etc/xpos-agent/config.yaml']);
  const watchdog = seconds(svc('WatchdogSec')[0]);
  t.ok(watchdog >= 10 && watchdog <= 120, `WatchdogSec=${watchdog}s`);
  const stop = seconds(svc('TimeoutStopSec')[0]);
  t.ok(
    stop * 1000 > SHUTDOWN_DEADLINE_MS + 2_000,
    `TimeoutStopSec=${stop}s outlasts the daemon's own deadline`,
  );
  t.match(svc('Restart')[0] ?? '', /^(always|on-failure)$/);
  t.ok(svc('RestartPreventExitStatus').join(' ').split(/\s+/).includes(String(EXIT_CONFIG)), 'no loop on 78');
  t.notOk(
    svc('RestartPreventExitStatus').join(' ').split(/\s+/).includes(String(EXIT_STATE_LOCKED)),
    'a held state directory (75) is retried: it clears when the other agent stops',
  );
  t.ok(values(unit, 'Unit', 'StartLimitIntervalSec').length === 1, 'start limit lives in [Unit]');
  t.ok(values(unit, 'Unit', 'StartLimitBurst').length === 1);
  const after = values(unit, 'Unit', 'After').join(' ').split(/\s+/);
  t.ok(after.includes('time-set.target'), 'ordered after time-set.target');
  t.notMatch(
    unitText,
    /^[^#]*time-sync\.target/m,
    'never waits for NTP (time-sync.target can block forever)',
  );
  t.same(values(unit, 'Install', 'WantedBy'), ['multi-user.target']);
  t.end();
});

t.test('the unit has the identity, secret and sandbox settings', (t) => {
  t.same(svc('User'), ['xpos-agent']);
  t.same(svc('StateDirectory'), ['xpos-agent']);
  t.same(svc('LoadCredential'), ['app-secret:/etc/xpos-agent/app-secret']);
  t.notMatch(svc('Environment').join(' '), /secret/i, 'the secret is never in the environment');
  t.same(svc('DevicePolicy'), ['closed']);
  t.same(svc('CapabilityBoundingSet'), [''], 'empty capability set');
  t.same(svc('AmbientCapabilities'), ['']);
  t.same(svc('NoNewPrivileges'), ['yes']);
  t.same(svc('ProtectSystem'), ['strict']);
  t.same(svc('PrivateUsers'), ['yes']);
  // PrivateDevices hides hotplugged nodes; MemoryDenyWriteExecute kills V8 at start.
  t.notSame(svc('PrivateDevices'), ['yes']);
  t.notSame(svc('MemoryDenyWriteExecute'), ['yes']);
  t.ok(svc('SystemCallFilter').join(' ').includes('@pkey'), 'Node 20 on x86-64 needs pkey_alloc');
  t.same(svc('SystemCallErrorNumber'), ['EPERM']);
  t.same(svc('RestrictAddressFamilies'), ['AF_UNIX AF_INET AF_INET6']);
  const classes = svc('DeviceAllow').map((d) => d.split(/\s+/)[0]);
  t.same(classes.sort(), [
    '/dev/tty1',
    'char-input',
    'char-spidev',
    'char-ttyACM',
    'char-ttyAMA',
    'char-ttyS',
    'char-ttyUSB',
    'char-usb',
  ]);
  t.ok(svc('DeviceAllow').includes('/dev/tty1 rw'), 'the console screen (devices.display tty)');
  t.ok(svc('ReadWritePaths').join(' ').includes('-/sys/class/gpio'), 'sysfs GPIO re-opened, optional');
  t.end();
});

t.test('no setting carries an end-of-line comment (systemd would read it as part of the value)', (t) => {
  const bad = unitText.split('\n').filter((l) => /^[A-Za-z]+=.*\s[#;]/.test(l));
  t.same(bad, []);
  t.end();
});

t.test('every supplementary group is created by the sysusers file', (t) => {
  const groups = svc('SupplementaryGroups').join(' ').split(/\s+/);
  t.same(groups.sort(), ['dialout', 'gpio', 'input', 'lp', 'spi', 'tty']);
  for (const g of groups) t.ok(sysusersGroups.includes(g), `g ${g} in xpos-agent.sysusers`);
  t.end();
});

t.test('systemd-sysusers creates the user and every group on an empty root', async (t) => {
  const { passwd, group } = await applySysusers(SYSUSERS);
  const user = passwd.find((u) => u.name === 'xpos-agent');
  t.ok(user && user.id > 0 && user.id < 1000, `system uid ${user?.id}`);
  t.equal(user?.rest[2], '/var/lib/xpos-agent', 'home is the state directory');
  t.equal(user?.rest[3], '/usr/sbin/nologin');
  for (const g of ['xpos-agent', 'dialout', 'lp', 'gpio', 'input', 'tty', 'spi']) {
    const entry = group.find((e) => e.name === g);
    t.ok(entry, `group ${g} exists`);
    if (g !== 'xpos-agent') t.ok(entry?.rest[0]?.split(',').includes('xpos-agent'), `xpos-agent is in ${g}`);
  }
});

t.test('systemd-sysusers keeps the GIDs of groups Debian already has', async (t) => {
  const { group } = await applySysusers(SYSUSERS, {
    'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n',
    'etc/group': 'root:x:0:\ntty:x:5:\nlp:x:7:\ndialout:x:20:\n',
  });
  t.equal(group.find((g) => g.name === 'tty')?.id, 5, 'the console group keeps its GID');
  t.equal(group.find((g) => g.name === 'lp')?.id, 7);
  t.equal(group.find((g) => g.name === 'dialout')?.id, 20);
  t.ok(
    group.find((g) => g.name === 'gpio'),
    'gpio is created where it is missing',
  );
});

// --- udev rules: a lint of udev(7) syntax, since udevadm verify only exists from systemd 253 ----

interface Pair {
  key: string;
  attr: string | undefined;
  op: string;
  value: string;
}

const MATCH_ONLY =
  'ACTION DEVPATH KERNEL KERNELS SUBSYSTEM SUBSYSTEMS DRIVER DRIVERS ATTRS TAGS TEST PROGRAM RESULT CONST';
const ASSIGN_ONLY = 'OWNER GROUP MODE SECLABEL RUN LABEL GOTO IMPORT OPTIONS';
const EITHER = 'NAME SYMLINK ATTR SYSCTL ENV TAG';
const NEEDS_ATTR = ['ATTR', 'ATTRS', 'SYSCTL', 'ENV', 'SECLABEL', 'CONST'];
const SUBST =
  /\$(\$|kernel|number|devpath|id|driver|attr\{[^}]+\}|env\{[^}]+\}|major|minor|result|parent|name|links|root|sys|devnode)|%([knpbdMmcPNDLrS%]|[sE]\{[^}]+\})/y;

/** Rules of a udev file as key/op/value pairs, and every syntax problem found. */
function lintRules(text: string): { rules: Pair[][]; errors: string[] } {
  const rules: Pair[][] = [];
  const errors: string[] = [];
  const lines = text.replace(/\\\n/g, '').split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const rule: Pair[] = [];
    const pair = /\s*([A-Z_]+)(?:\{([^}]*)\})?(==|!=|\+=|-=|:=|=)"([^"]*)"\s*(,|$)/y;
    let m: RegExpExecArray | null;
    while (pair.lastIndex < line.length && (m = pair.exec(line))) {
      const [, key = '', attr, op = '', value = ''] = m;
      rule.push({ key, attr, op, value });
      const isMatch = op === '==' || op === '!=';
      if (!`${MATCH_ONLY} ${ASSIGN_ONLY} ${EITHER}`.split(' ').includes(key))
        errors.push(`${i}: unknown key ${key}`);
      else if (isMatch && ASSIGN_ONLY.split(' ').includes(key)) errors.push(`${i}: ${key} cannot be matched`);
      else if (!isMatch && MATCH_ONLY.split(' ').includes(key))
        errors.push(`${i}: ${key} cannot be assigned`);
      if (NEEDS_ATTR.includes(key) && !attr) errors.push(`${i}: ${key} needs {…}`);
      for (let at = value.search(/[$%]/); at >= 0; at = nextSubst(value, at + 1)) {
        SUBST.lastIndex = at;
        if (!SUBST.test(value)) errors.push(`${i}: bad substitution at "${value.slice(at, at + 8)}"`);
        else at = SUBST.lastIndex - 1;
      }
    }
    if (pair.lastIndex < line.length || rule.length === 0) errors.push(`${i}: cannot parse "${line}"`);
    rules.push(rule);
  }
  return { rules, errors };
}

function nextSubst(s: string, from: number): number {
  const at = s.slice(from).search(/[$%]/);
  return at < 0 ? -1 : from + at;
}

const get = (rule: Pair[], key: string, attr?: string): string | undefined =>
  rule.find((p) => p.key === key && p.attr === attr)?.value;

t.test('the udev lint catches typos, bad operators and shell variables udev would eat', (t) => {
  const { errors } = lintRules(
    'SUBSYSTM=="tty", GROUP=="lp"\nKERNEL="x"\nENV="1"\nRUN+="/bin/sh -c \'echo $f\'"\nMODE="0660\n',
  );
  t.match(errors, [
    /unknown key SUBSYSTM/,
    /GROUP cannot be matched/,
    /KERNEL cannot be assigned/,
    /ENV needs/,
  ]);
  t.ok(errors.some((e) => e.includes('bad substitution')));
  t.ok(errors.some((e) => e.includes('cannot parse')));
  t.end();
});

t.test('udev rules parse and give both stable names with the right group', async (t) => {
  const text = readFileSync(RULES, 'utf8');
  const { rules, errors } = lintRules(text);
  t.same(errors, [], 'udev(7) syntax');
  for (const rule of rules) {
    if (get(rule, 'SYMLINK') !== undefined || get(rule, 'GROUP') !== undefined)
      t.ok(get(rule, 'SUBSYSTEM'), 'a rule that names or chowns a node matches on SUBSYSTEM');
    const group = get(rule, 'GROUP');
    if (group !== undefined) t.ok(sysusersGroups.includes(group), `group ${group} comes from sysusers`);
    const mode = get(rule, 'MODE');
    if (mode !== undefined) t.equal(mode, '0660', 'no world access');
  }
  const named = (link: string): Pair[] => rules.find((r) => get(r, 'SYMLINK') === link) ?? [];
  const scanner = named('xpos-scanner');
  t.equal(get(scanner, 'SUBSYSTEM'), 'tty');
  t.equal(get(scanner, 'GROUP'), 'dialout');
  const printer = named('xpos-printer');
  t.equal(get(printer, 'SUBSYSTEM'), 'usbmisc');
  t.equal(get(printer, 'KERNEL'), 'lp[0-9]*');
  t.equal(get(printer, 'GROUP'), 'lp');
  for (const r of [scanner, printer]) {
    t.match(get(r, 'ATTRS', 'idVendor') ?? '', /^[0-9a-f]{4}$/);
    t.match(get(r, 'ATTRS', 'idProduct') ?? '', /^[0-9a-f]{4}$/);
  }
  t.match(text, /udevadm info/, 'says how to find the real IDs');
  const example = readFileSync(join(import.meta.dirname, '../../config/xpos-agent.example.yaml'), 'utf8');
  t.match(example, /\/dev\/xpos-scanner/, 'the example config uses the scanner link');
  t.match(example, /\/dev\/xpos-printer/, 'the example config mentions the printer link');

  const probe = await run('udevadm', ['verify', '--help']).catch(() => undefined);
  if (probe?.code !== 0) {
    t.comment('udevadm verify not available (systemd < 253): checked by the lint above only');
    return;
  }
  const r = await run('udevadm', ['verify', '--resolve-names=never', RULES]);
  t.equal(r.code, 0, `udevadm verify: ${r.stdout}${r.stderr}`);
});
