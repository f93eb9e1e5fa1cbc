/**
 * `make deb` once, then the package as dpkg sees it: control fields, contents and owners,
 * conffiles, md5sums, maintainer scripts that parse, an unpacked tree that runs, and the maintainer
 * scripts' behaviour, run against a throwaway DPKG_ROOT with systemctl, udevadm and the Debian
 * helpers replaced by stubs that only record their arguments.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
// As in install.test.ts: never rebuild node_modules/ or dist/ under the other running tests.
const MAKE = [
  '--no-print-directory',
  '-C',
  REPO,
  '-o',
  'node_modules/.deps-stamp',
  '-o',
  'dist/.build-stamp',
];
const DPKG_HINT = 'dpkg-deb not found: install the Debian package dpkg (apt-get install dpkg)';
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

// The production modules may still have to be made (shared with install.test.ts).
t.setTimeout(600_000);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  const started = Date.now();
  return new Promise((done, fail) => {
    execFile(
      cmd,
      args,
      {
        cwd: opts.cwd ?? tmpdir(),
        env: opts.env ?? process.env,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        timeout: 540_000,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code === 'string') {
          fail(new Error(err.code === 'ENOENT' && cmd.startsWith('dpkg') ? DPKG_HINT : err.message));
          return;
        }
        done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

async function ok(cmd: string, args: readonly string[], opts: { cwd?: string } = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** A deb822 paragraph: "Key: value" with continuation lines folded into the value. */
function parseControl(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let key = '';
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z][A-Za-z0-9-]*):\s?(.*)$/.exec(line);
    if (m?.[1] !== undefined) fields.set((key = m[1]), m[2] ?? '');
    else if (line.startsWith(' ') && key) fields.set(key, `${fields.get(key) ?? ''}\n${line}`);
  }
  return fields;
}

interface Entry {
  perms: string;
  owner: string;
}

/** `dpkg-deb --contents`: "-rw-r--r-- root/root 123 2026-01-01 00:00 ./path[ -> target]". */
function parseContents(text: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\S+)\s+\d+ \S+ \S+ (\.\/.*)$/.exec(line);
    if (!m?.[1] || !m[2] || !m[3]) continue;
    const path = m[1].startsWith('l') ? m[3].replace(/ -> .*$/, '') : m[3];
    entries.set(path.replace(/\/$/, '') || '.', { perms: m[1], owner: m[2] });
  }
  return entries;
}

let work = '';
let deb = '';
let arch = '';
let control = '';
t.before(async () => {
  arch = (await ok('dpkg', ['--print-architecture'])).trim();
  await ok('dpkg-deb', ['--version']);
  if (!existsSync(join(REPO, 'dist/agent/main.js')))
    throw new Error('dist/ is missing: run make build first');
  work = await mkdtemp(join(tmpdir(), 'xpos-deb-'));
  const out = join(work, 'out');
  const r = await run('make', [...MAKE, 'deb', `DEBDIR=${out}`]);
  if (r.code !== 0) throw new Error(`make deb failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  t.comment(`make deb took ${(r.ms / 1000).toFixed(1)} s`);
  deb = join(out, `xpos-agent_${VERSION}_${arch}.deb`);
  control = join(work, 'control');
  await ok('dpkg-deb', ['--control', deb, control]);
});
t.teardown(() => rm(work, { recursive: true, force: true }));

t.test('one package, named <name>_<version>_<arch>.deb, and nothing left beside it', (t) => {
  t.same(readdirSync(join(work, 'out')), [`xpos-agent_${VERSION}_${arch}.deb`]);
  t.end();
});

t.test('control fields', async (t) => {
  const f = parseControl(await ok('dpkg-deb', ['--field', deb]));
  t.equal(f.get('Package'), 'xpos-agent');
  t.equal(f.get('Version'), VERSION, 'from package.json');
  t.equal(f.get('Architecture'), arch, 'dpkg --print-architecture');
  t.match(f.get('Maintainer') ?? '', /^[^<>]+ <[^\s<>@]+@[^\s<>@]+>$/, 'Name <address>');
  const depends = (f.get('Depends') ?? '').split(/,\s*/);
  const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines
    .node;
  const lowest = /\^(\d+\.\d+\.\d+)/g
    .exec(engines.split('||').find((r) => r.trim().startsWith(`^${NODE_MAJOR}.`)) ?? '')?.[1]
    ?.replace(/(\.0)+$/, '');
  t.ok(
    depends.includes(`nodejs (>= ${lowest ?? NODE_MAJOR})`),
    `nodejs of the major the addons were built for, from the lowest engines accepts (${lowest})`,
  );
  t.ok(depends.includes(`nodejs (<< ${NODE_MAJOR + 1})`), 'and not the next (another ABI)');
  t.ok(depends.includes('systemd'));
  const [synopsis = '', ...long] = (f.get('Description') ?? '').split('\n');
  t.ok(synopsis.length > 10 && synopsis.length <= 80, `synopsis: ${synopsis}`);
  t.ok(long.length > 3, 'a long description');
  const size = Number(f.get('Installed-Size'));
  t.ok(size > 1000 && size <= 20 * 1024, `Installed-Size ${size} KiB (at most 20 MiB: only what runs)`);
});

t.test('contents: the install tree, owned by root, with production modules only', async (t) => {
  const entries = parseContents(await ok('dpkg-deb', ['--contents', deb]));
  const expect: [string, string][] = [
    ['./usr/bin/xpos-agent', '-rwxr-xr-x'],
    ['./opt/xpos-agent/dist/agent/main.js', '-rw-r--r--'],
    ['./opt/xpos-agent/package.json', '-rw-r--r--'],
    ['./opt/xpos-agent/README.md', '-rw-r--r--'],
    ['./opt/xpos-agent/node_modules/better-sqlite3/build/Release/better_sqlite3.node', '-rwxr-xr-x'],
    ['./usr/lib/systemd/system/xpos-agent.service', '-rw-r--r--'],
    ['./usr/lib/systemd/system/xpos-agent-backup.service', '-rw-r--r--'],
    ['./usr/lib/systemd/system/xpos-agent-backup.timer', '-rw-r--r--'],
    ['./usr/lib/sysusers.d/xpos-agent.conf', '-rw-r--r--'],
    ['./usr/lib/udev/rules.d/60-xpos-agent.rules', '-rw-r--r--'],
    ['./etc/xpos-agent/config.yaml', '-rw-r--r--'],
    ['./etc/xpos-agent/config.yaml.example', '-rw-r--r--'],
    ['./etc/xpos-agent', 'drwxr-xr-x'],
  ];
  for (const [path, perms] of expect) t.equal(entries.get(path)?.perms, perms, path);
  const paths = [...entries.keys()];
  t.same(
    paths.filter((p) => entries.get(p)?.owner !== 'root/root'),
    [],
    'every entry root/root',
  );
  t.same(
    paths.filter((p) => p.startsWith('./etc/') && !p.startsWith('./etc/xpos-agent')),
    [],
    'nothing else in /etc',
  );
  t.same(
    paths.filter((p) => p.startsWith('./var')),
    [],
    'no state directory: dpkg would delete it on purge',
  );
  t.notOk(entries.has('./etc/xpos-agent/app-secret'), 'never a secret');
  for (const dev of ['tap', 'typescript', 'eslint', 'prettier', '@types/node'])
    t.notOk(entries.has(`./opt/xpos-agent/node_modules/${dev}`), `no dev dependency ${dev}`);
  t.same(
    paths.filter((p) => p.startsWith('./opt/xpos-agent/dist/') && p.endsWith('.map')),
    [],
    'no source maps of our own (their sources are not shipped)',
  );
});

t.test('conffiles, md5sums and maintainer scripts', async (t) => {
  const conffiles = readFileSync(join(control, 'conffiles'), 'utf8').trim().split('\n');
  t.ok(conffiles.includes('/etc/xpos-agent/config.yaml'), 'config.yaml is a conffile');
  const entries = parseContents(await ok('dpkg-deb', ['--contents', deb]));
  for (const c of conffiles) t.ok(entries.has(`.${c}`), `${c} is in the package`);

  const files = [...entries].filter(([, e]) => e.perms.startsWith('-')).map(([p]) => p.slice(2));
  const sums = readFileSync(join(control, 'md5sums'), 'utf8').trim().split('\n');
  t.same(sums.map((l) => l.slice(34)).sort(), files.sort(), 'md5sums lists every file');

  for (const script of ['postinst', 'prerm', 'postrm']) {
    const path = join(control, script);
    t.equal(statSync(path).mode & 0o777, 0o755, `${script} is executable`);
    t.match(readFileSync(path, 'utf8'), /^#!\/bin\/sh\n/, `${script} is a POSIX shell script`);
    const r = await run('sh', ['-n', path]);
    t.equal(r.code, 0, `sh -n ${script}: ${r.stderr}`);
  }
});

t.test('the unpacked package runs: CLI and native addons', async (t) => {
  const tree = join(work, 'tree');
  await ok('dpkg-deb', ['--extract', deb, tree]);
  const app = join(tree, 'opt/xpos-agent');
  const check = await run(process.execPath, [
    join(app, 'dist/agent/main.js'),
    'config',
    'check',
    '--config',
    join(tree, 'etc/xpos-agent/config.yaml'),
  ]);
  t.equal(check.code, 0, check.stdout + check.stderr);
  const addon = await run(
    process.execPath,
    [
      '-e',
      "new (require('better-sqlite3'))(':memory:').close(); console.log(require.resolve('better-sqlite3'))",
    ],
    { cwd: app },
  );
  t.equal(addon.code, 0, addon.stderr);
  t.ok(addon.stdout.startsWith(app), 'better-sqlite3 from the package');
  t.equal(
    readFileSync(join(tree, 'usr/lib/systemd/system/xpos-agent.service'), 'utf8'),
    readFileSync(join(REPO, 'systemd/xpos-agent.service'), 'utf8'),
    'the unit as shipped: standard paths',
  );
});

// --- maintainer scripts against stubs ---------------------------------------------------------

const STUBS = ['systemctl', 'deb-systemd-helper', 'deb-systemd-invoke', 'udevadm', 'systemd-sysusers'];

interface Scene {
  /** systemd runs this root ($DPKG_ROOT/run/systemd/system), udev too. */
  systemd?: boolean;
  /** Mode of /etc/xpos-agent/app-secret; absent when undefined. */
  secret?: number;
  /** `systemctl is-enabled` says no: the admin disabled the service. */
  disabled?: boolean;
}

interface ScriptRun extends Run {
  calls: string[];
  root: string;
}

let stubDir = '';
async function stubs(): Promise<string> {
  if (stubDir) return stubDir;
  stubDir = join(work, 'stubs');
  await mkdir(stubDir);
  const body =
    '#!/bin/sh\necho "${0##*/} $*" >>"$STUB_LOG"\n' +
    'case "$*" in *is-enabled*) [ -z "$STUB_DISABLED" ] || exit 1;; esac\nexit 0\n';
  for (const name of STUBS) {
    await writeFile(join(stubDir, name), body);
    await chmod(join(stubDir, name), 0o755);
  }
  return stubDir;
}

let scenes = 0;
async function maint(script: string, args: string[], scene: Scene, root?: string): Promise<ScriptRun> {
  const dir = root ?? join(work, `root-${++scenes}`);
  if (!root) {
    await mkdir(join(dir, 'etc/xpos-agent'), { recursive: true });
    if (scene.systemd) {
      await mkdir(join(dir, 'run/systemd/system'), { recursive: true });
      await mkdir(join(dir, 'run/udev'), { recursive: true });
    }
    if (scene.secret !== undefined) {
      await writeFile(join(dir, 'etc/xpos-agent/app-secret'), 'not-a-real-secret\n');
      await chmod(join(dir, 'etc/xpos-agent/app-secret'), scene.secret);
    }
  }
  const log = join(dir, 'calls.log');
  await writeFile(log, '');
  const env: NodeJS.ProcessEnv = {
    PATH: `${await stubs()}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    DPKG_ROOT: dir,
    STUB_LOG: log,
    STUB_DISABLED: scene.disabled ? '1' : '',
  };
  const r = await run('sh', [join(control, script), ...args], { env });
  const calls = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
  return { ...r, calls, root: dir };
}

const called = (r: ScriptRun, prefix: string): boolean => r.calls.some((c) => c.startsWith(prefix));

t.test('postinst, first install without a secret: user, udev, enabled, not started', async (t) => {
  const r = await maint('postinst', ['configure', ''], { systemd: true });
  t.equal(r.code, 0, r.stderr);
  t.ok(called(r, `systemd-sysusers --root=${r.root} xpos-agent.conf`), 'creates the user and groups');
  t.ok(called(r, 'udevadm control --reload'));
  t.ok(called(r, 'udevadm trigger --action=add'), 'rules applied to devices already plugged in');
  t.ok(called(r, 'deb-systemd-helper enable xpos-agent.service'), 'enabled');
  t.ok(called(r, 'deb-systemd-helper enable xpos-agent-backup.timer'), 'backup timer enabled');
  t.ok(called(r, 'systemctl daemon-reload'));
  t.notOk(called(r, 'deb-systemd-invoke start xpos-agent.service'), 'not started');
  t.ok(
    called(r, 'deb-systemd-invoke start xpos-agent-backup.timer'),
    'backups need no secret: timer started',
  );
  t.match(r.stdout, /NOT started/);
  t.match(r.stdout, /\/etc\/xpos-agent\/app-secret/, 'says where the secret goes');
  t.match(r.stdout, /systemctl start xpos-agent/);
});

t.test('postinst with the secret in place starts the service', async (t) => {
  const r = await maint('postinst', ['configure', ''], { systemd: true, secret: 0o600 });
  t.equal(r.code, 0, r.stderr);
  t.ok(called(r, 'deb-systemd-invoke start xpos-agent.service'));
  t.equal(r.stderr, '', 'no warning');
  t.notMatch(r.stdout, /NOT started/);
});

t.test('postinst warns about a secret others can read, and still starts', async (t) => {
  const r = await maint('postinst', ['configure', ''], { systemd: true, secret: 0o644 });
  t.equal(r.code, 0);
  t.match(r.stderr, /mode 644.*chmod 600/);
  t.ok(called(r, 'deb-systemd-invoke start xpos-agent.service'));
});

t.test('postinst on upgrade leaves a service the admin disabled stopped', async (t) => {
  const r = await maint('postinst', ['configure', '0.0.9'], { systemd: true, secret: 0o600, disabled: true });
  t.equal(r.code, 0, r.stderr);
  t.notOk(called(r, 'deb-systemd-invoke start'));
});

t.test('postinst without a running systemd (chroot, image build) only creates and enables', async (t) => {
  const r = await maint('postinst', ['configure', ''], { secret: 0o600 });
  t.equal(r.code, 0, r.stderr);
  t.ok(called(r, 'systemd-sysusers'));
  t.ok(called(r, 'deb-systemd-helper enable xpos-agent.service'), 'enabled for the first boot');
  t.same(
    r.calls.filter((c) => /^(systemctl|deb-systemd-invoke|udevadm) /.test(c)),
    [],
    'nothing started, reloaded or triggered',
  );
});

t.test('prerm stops the service on remove and upgrade, not on a failed upgrade', async (t) => {
  for (const action of ['remove', 'upgrade']) {
    const r = await maint('prerm', [action], { systemd: true });
    t.equal(r.code, 0, r.stderr);
    t.same(
      r.calls,
      [
        'deb-systemd-invoke stop xpos-agent.service',
        'deb-systemd-invoke stop xpos-agent-backup.timer xpos-agent-backup.service',
      ],
      action,
    );
  }
  const r = await maint('prerm', ['failed-upgrade', '0.0.9'], { systemd: true });
  t.same(r.calls, []);
});

t.test('postrm purge keeps the ledger, the secret and the user', async (t) => {
  const root = join(work, 'root-purge');
  for (const dir of ['var/lib/xpos-agent', 'run/systemd/system', 'run/udev'])
    await mkdir(join(root, dir), { recursive: true });
  await mkdir(join(root, 'etc/xpos-agent'), { recursive: true });
  await writeFile(join(root, 'var/lib/xpos-agent/ledger.db'), 'ledger');
  await writeFile(join(root, 'etc/xpos-agent/app-secret'), 'secret');
  const removed = await maint('postrm', ['remove'], { systemd: true }, root);
  t.equal(removed.code, 0, removed.stderr);
  t.same(removed.calls, [
    'systemctl daemon-reload',
    'udevadm control --reload',
    'deb-systemd-helper mask xpos-agent.service',
    'deb-systemd-helper mask xpos-agent-backup.timer',
  ]);
  const purged = await maint('postrm', ['purge'], { systemd: true }, root);
  t.equal(purged.code, 0, purged.stderr);
  t.ok(called(purged, 'deb-systemd-helper purge xpos-agent.service'));
  t.ok(called(purged, 'deb-systemd-helper purge xpos-agent-backup.timer'));
  t.equal(readFileSync(join(root, 'var/lib/xpos-agent/ledger.db'), 'utf8'), 'ledger', 'ledger kept');
  t.ok(existsSync(join(root, 'etc/xpos-agent/app-secret')), 'secret kept');
  t.match(purged.stdout, /kept on purpose: \/var\/lib\/xpos-agent \/etc\/xpos-agent\/app-secret/);
  t.notMatch(
    readFileSync(join(control, 'postrm'), 'utf8'),
    /\b(userdel|deluser|groupdel|delgroup|rm -r)/,
    'never removes the user or a directory',
  );
});
