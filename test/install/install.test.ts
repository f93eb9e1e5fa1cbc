/**
 * `make install DESTDIR=<tmp>` once, then the tree it leaves: the launcher that execs node, the app
 * with the bundle and only the packages it leaves out (native addons load from it, a sale runs
 * from it), the systemd files, and a config that a reinstall never overwrites and an uninstall
 * keeps. A second install with other
 * PREFIX/APPDIR/SYSCONFDIR checks that the launcher and unit follow the chosen paths.
 */
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { BUILD_ONLY, isExternal } from '../../scripts/external.mjs';

const REPO = resolve(import.meta.dirname, '../..');
// `make test` has built dist/ and node_modules/ just before; other tests are running against them,
// so this make must never rebuild either (a stale dist/ is what the rest of the suite tests too).
const MAKE = [
  '--no-print-directory',
  '-C',
  REPO,
  '-o',
  'node_modules/.deps-stamp',
  '-o',
  'dist/.build-stamp',
];
const APP = '/opt/xpos-agent';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
};

// make test has made the production modules already; run alone, this makes them (seconds).
t.setTimeout(600_000);
/** The whole install (app, launcher, unit, config), in KiB as du counts it: issue 12's budget. */
const MAX_INSTALLED_KIB = 20 * 1024;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(cmd: string, args: readonly string[], opts: { cwd?: string } = {}): Promise<Run> {
  const started = Date.now();
  const env = { ...process.env };
  delete env.NODE_PATH;
  return new Promise((done, fail) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd ?? tmpdir(), env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 540_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code === 'string') {
          fail(new Error(`${cmd} could not run: ${err.message}`));
          return;
        }
        done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

const make = (...args: string[]): Promise<Run> => run('make', [...MAKE, ...args]);
const mode = (path: string): number => statSync(path).mode & 0o7777;
const octal = (m: number): string => m.toString(8).padStart(4, '0');
const read = (path: string): string => readFileSync(path, 'utf8');

/** Every path below dir (files, directories, symlinks), relative to it. */
function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => join(dir, p));
}

let root = '';
t.before(async () => {
  if (!existsSync(join(REPO, 'dist/agent/main.js')))
    throw new Error('dist/ is missing: run make build first');
  root = await mkdtemp(join(tmpdir(), 'xpos-install-'));
  const r = await make('install', `DESTDIR=${root}`);
  if (r.code !== 0) throw new Error(`make install failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  t.comment(`make install DESTDIR=… took ${(r.ms / 1000).toFixed(1)} s`);
});
t.teardown(() => rm(root, { recursive: true, force: true }));

const at = (path: string): string => join(root, path);

t.test('the launcher execs node on the installed main.js, and does nothing else', (t) => {
  const launcher = at('/usr/bin/xpos-agent');
  t.equal(octal(mode(launcher)), '0755');
  const lines = read(launcher).split('\n');
  t.equal(lines[0], '#!/bin/sh');
  const commands = lines.slice(1).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  t.same(
    commands,
    [`exec /usr/bin/node ${APP}/dist/agent/main.js "$@"`],
    'one line: exec, so node is the main PID',
  );
  t.end();
});

t.test('the app directory holds dist, package.json and README, readable by the service user', (t) => {
  const app = at(APP);
  t.same(readdirSync(join(app, 'dist')), ['agent'], 'dist/ holds the bundle only');
  t.same(readdirSync(join(app, 'dist/agent')).sort(), ['chunks', 'main.js'], 'main.js and its chunks');
  t.ok(readdirSync(join(app, 'dist/agent/chunks')).length > 0, 'the chunks are there');
  t.equal(
    (JSON.parse(read(join(app, 'package.json'))) as { type?: string }).type,
    'module',
    'package.json makes dist/*.js ESM',
  );
  t.equal(read(join(app, 'README.md')), read(join(REPO, 'README.md')), "the unit's Documentation=");
  const dist = walk(join(app, 'dist'));
  t.same(
    dist.filter((p) => p.endsWith('.map') || p.endsWith('.build-stamp')),
    [],
    'no source maps or build stamps',
  );
  const bad = walk(app)
    .filter((p) => !lstatSync(p).isSymbolicLink())
    .filter((p) => (mode(p) & 0o004) === 0 || (mode(p) & 0o022) !== 0)
    .map((p) => `${relative(app, p)} ${octal(mode(p))}`);
  t.same(bad, [], 'everything world-readable, nothing group- or world-writable');
  t.end();
});

t.test('node_modules has the packages the bundle leaves out, none it holds, none of the dev ones', (t) => {
  const nm = at(`${APP}/node_modules`);
  const prod = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})];
  t.ok(prod.filter(isExternal).length >= 5, 'the addon packages are production dependencies');
  for (const name of prod) {
    if (isExternal(name)) t.ok(existsSync(join(nm, name, 'package.json')), `${name} installed`);
    else t.notOk(existsSync(join(nm, name)), `${name} is in the bundle, not in node_modules`);
  }
  for (const name of BUILD_ONLY) t.notOk(existsSync(join(nm, name)), `${name} (build only) absent`);
  const dev = [...Object.keys(pkg.devDependencies), 'tap', 'typescript', 'eslint', 'prettier'];
  for (const name of new Set(dev)) t.notOk(existsSync(join(nm, name)), `dev dependency ${name} absent`);
  t.notOk(existsSync(join(nm, '.bin/tsc')), 'no tsc');
  const sqlite = join(nm, 'better-sqlite3/build');
  t.same(
    readdirSync(join(sqlite, 'Release')),
    ['better_sqlite3.node'],
    'only the addon is kept of the build',
  );
  t.same(readdirSync(sqlite), ['Release'], 'no objects, makefiles or config.gypi');
  t.end();
});

t.test('only what runs is installed, within 20 MiB', async (t) => {
  const nm = at(`${APP}/node_modules`);
  for (const gone of ['better-sqlite3/deps', 'better-sqlite3/src', '.bin', 'pino/test', 'zod/src'])
    t.notOk(existsSync(join(nm, gone)), `no ${gone}`);
  const kept = walk(nm).filter((p) => /\.(d\.[cm]?ts|[cm]?ts|map|md|c|cc|cpp|h|gyp|o|a)$/.test(p));
  t.same(
    kept.map((p) => relative(nm, p)),
    [],
    'no TypeScript, maps, markdown or native sources',
  );
  const du = await run('du', ['-sk', root]);
  const kib = Number(du.stdout.split('\t')[0]);
  t.ok(kib > 1000 && kib <= MAX_INSTALLED_KIB, `installed: ${kib} KiB (at most ${MAX_INSTALLED_KIB})`);
  t.comment(`installed size ${(kib / 1024).toFixed(1)} MiB, node_modules ${walk(nm).length} entries`);
});

t.test('the native addons load from the installed tree', async (t) => {
  const app = at(APP);
  // Every dlopen is recorded: the addon must be the installed one, not one found elsewhere.
  const script = `
    const loaded = [];
    const dlopen = process.dlopen;
    process.dlopen = (m, file, ...rest) => { loaded.push(file); return dlopen.call(process, m, file, ...rest); };
    const Database = require('better-sqlite3');
    const db = new Database(':memory:');
    const { v } = db.prepare('select sqlite_version() as v').get();
    db.close();
    require('@serialport/bindings-cpp');
    require('epoll');
    require('unix-dgram');
    console.log(JSON.stringify({ v, loaded }));`;
  const r = await run(process.execPath, ['-e', script], { cwd: app });
  t.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { v: string; loaded: string[] };
  t.match(out.v, /^3\.\d+/, `SQLite ${out.v}`);
  const addons = out.loaded.map((f) => relative(app, f));
  for (const a of addons) t.ok(a.startsWith('node_modules/'), `${a} is inside the app directory`);
  for (const name of ['better_sqlite3.node', 'epoll.node', 'unix_dgram.node', 'bindings-cpp'])
    t.ok(
      addons.some((a) => a.includes(name)),
      `${name} loaded`,
    );
});

t.test("a sale runs from the installed tree, and the operators' tools read it", async (t) => {
  const state = await mkdtemp(join(tmpdir(), 'xpos-installed-sim-'));
  t.teardown(() => rm(state, { recursive: true, force: true }));
  const main = at(`${APP}/dist/agent/main.js`);
  const sim = await new Promise<Run>((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, [main, 'sim', '--state-dir', state], { cwd: tmpdir() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr, ms: Date.now() - started }));
    child.stdin.end('key B\ndemo s\nwait 1500\nquit\n');
  });
  t.equal(sim.code, 0, sim.stderr);
  t.match(sim.stdout, /状态\s+成功/, 'the receipt says paid');
  t.match(sim.stdout, /￥299\.00/);
  const report = await run(process.execPath, [main, 'queue', 'report', '--config', join(state, 'sim.yaml')]);
  t.equal(report.code, 0, report.stderr);
  t.match(report.stdout, /succeeded\s+1\b/, 'the installed tools read the sale');
});

t.test('the installed CLI checks the installed example config', async (t) => {
  for (const config of ['/etc/xpos-agent/config.yaml.example', '/etc/xpos-agent/config.yaml']) {
    const r = await run(process.execPath, [
      at(`${APP}/dist/agent/main.js`),
      'config',
      'check',
      '--config',
      at(config),
    ]);
    t.equal(r.code, 0, `${config}: ${r.stdout}${r.stderr}`);
    t.match(r.stdout, /: OK/);
  }
});

t.test('the unit, sysusers file and udev rules are in place, 0644, as shipped', (t) => {
  const files: [string, string][] = [
    ['/usr/lib/systemd/system/xpos-agent.service', 'systemd/xpos-agent.service'],
    ['/usr/lib/systemd/system/xpos-agent-backup.service', 'systemd/xpos-agent-backup.service'],
    ['/usr/lib/systemd/system/xpos-agent-backup.timer', 'systemd/xpos-agent-backup.timer'],
    ['/usr/lib/sysusers.d/xpos-agent.conf', 'systemd/xpos-agent.sysusers'],
    ['/usr/lib/udev/rules.d/60-xpos-agent.rules', 'systemd/60-xpos-agent.rules'],
    ['/etc/xpos-agent/config.yaml', 'config/xpos-agent.example.yaml'],
    ['/etc/xpos-agent/config.yaml.example', 'config/xpos-agent.example.yaml'],
  ];
  for (const [installed, source] of files) {
    t.equal(octal(mode(at(installed))), '0644', installed);
    t.equal(read(at(installed)), read(join(REPO, source)), `${installed} = ${source} (default paths)`);
  }
  t.equal(octal(mode(at('/etc/xpos-agent'))), '0755');
  const unit = read(at('/usr/lib/systemd/system/xpos-agent.service'));
  t.match(unit, /^ExecStart=\/usr\/bin\/xpos-agent run /m, 'ExecStart is the installed launcher');
  t.match(unit, new RegExp(`^Documentation=file://${APP}/README.md$`, 'm'));
  t.notOk(existsSync(at('/var')), 'no state directory: systemd creates it (StateDirectory=)');
  t.end();
});

t.test('a reinstall keeps an edited config.yaml and replaces the app directory whole', async (t) => {
  const config = at('/etc/xpos-agent/config.yaml');
  const mine = read(config).replace('machine_id: K01', 'machine_id: GYM-7') + '# edited on site\n';
  await writeFile(config, mine);
  await writeFile(at(`${APP}/dist/stale.js`), 'left over from an old version\n');
  await writeFile(at('/etc/xpos-agent/config.yaml.example'), 'old example\n');
  const r = await make('install', `DESTDIR=${root}`);
  t.equal(r.code, 0, r.stderr);
  t.comment(`second make install took ${(r.ms / 1000).toFixed(1)} s`);
  t.equal(read(config), mine, 'config.yaml untouched');
  t.match(r.stdout, /kept .*config\.yaml/);
  t.equal(
    read(at('/etc/xpos-agent/config.yaml.example')),
    read(join(REPO, 'config/xpos-agent.example.yaml')),
  );
  t.notOk(existsSync(at(`${APP}/dist/stale.js`)), 'files of an old version are gone');
  t.ok(existsSync(at(`${APP}/dist/agent/main.js`)));
});

t.test('uninstall removes what install put, and keeps config.yaml', async (t) => {
  const config = read(at('/etc/xpos-agent/config.yaml'));
  const r = await make('uninstall', `DESTDIR=${root}`);
  t.equal(r.code, 0, r.stderr);
  for (const gone of [
    APP,
    '/usr/bin/xpos-agent',
    '/usr/lib/systemd/system/xpos-agent.service',
    '/usr/lib/systemd/system/xpos-agent-backup.service',
    '/usr/lib/systemd/system/xpos-agent-backup.timer',
    '/usr/lib/sysusers.d/xpos-agent.conf',
    '/usr/lib/udev/rules.d/60-xpos-agent.rules',
    '/etc/xpos-agent/config.yaml.example',
  ])
    t.notOk(existsSync(at(gone)), `${gone} removed`);
  t.equal(read(at('/etc/xpos-agent/config.yaml')), config, 'config.yaml kept');
  t.match(r.stdout, /kept: .*config\.yaml.*\/var\/lib\/xpos-agent/s, 'says what it kept');
});

t.test('PREFIX, APPDIR, SYSCONFDIR and NODE_BIN reach the launcher and the unit', async (t) => {
  const dest = await mkdtemp(join(tmpdir(), 'xpos-install-paths-'));
  t.teardown(() => rm(dest, { recursive: true, force: true }));
  // A stand-in for node that reports its PID and arguments: the launcher must exec it.
  const fakeNode = join(dest, 'fake-node');
  await writeFile(fakeNode, '#!/bin/sh\necho "$$"\nfor a in "$@"; do echo "$a"; done\n');
  await chmod(fakeNode, 0o755);
  const vars = [
    'PREFIX=/usr/local',
    'APPDIR=/srv/kiosk/xpos-agent',
    'SYSCONFDIR=/etc/kiosk',
    `NODE_BIN=${fakeNode}`,
  ];
  const r = await make('install', `DESTDIR=${dest}`, ...vars);
  t.equal(r.code, 0, r.stderr);

  const d = (p: string): string => join(dest, p);
  t.ok(existsSync(d('/srv/kiosk/xpos-agent/dist/agent/main.js')));
  t.ok(existsSync(d('/usr/local/lib/sysusers.d/xpos-agent.conf')));
  t.ok(existsSync(d('/usr/local/lib/udev/rules.d/60-xpos-agent.rules')));
  t.ok(existsSync(d('/etc/kiosk/xpos-agent/config.yaml')));
  const unit = read(d('/usr/local/lib/systemd/system/xpos-agent.service'));
  t.match(
    unit,
    /^ExecStart=\/usr\/local\/bin\/xpos-agent run --config \/etc\/kiosk\/xpos-agent\/config\.yaml$/m,
  );
  t.match(unit, /^LoadCredential=app-secret:\/etc\/kiosk\/xpos-agent\/app-secret$/m);
  t.match(unit, /^Documentation=file:\/\/\/srv\/kiosk\/xpos-agent\/README\.md$/m);
  t.notMatch(unit, /\/opt\/xpos-agent|\/etc\/xpos-agent|\/usr\/bin\/xpos-agent/, 'no default path left');
  const backup = read(d('/usr/local/lib/systemd/system/xpos-agent-backup.service'));
  t.match(
    backup,
    /^ExecStart=\/usr\/local\/bin\/xpos-agent ledger backup --config \/etc\/kiosk\/xpos-agent\/config\.yaml$/m,
  );
  t.notMatch(backup, /\/opt\/xpos-agent|\/etc\/xpos-agent|\/usr\/bin\/xpos-agent/, 'no default path left');

  const launcher = d('/usr/local/bin/xpos-agent');
  t.match(read(launcher), `exec ${fakeNode} /srv/kiosk/xpos-agent/dist/agent/main.js "$@"`);
  const child = spawn(launcher, ['config', 'check', 'a b'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  t.equal(code, 0);
  const [pid, ...args] = out.trimEnd().split('\n');
  t.equal(Number(pid), child.pid, 'node runs as the PID the launcher was started as (systemd main PID)');
  t.same(args, ['/srv/kiosk/xpos-agent/dist/agent/main.js', 'config', 'check', 'a b'], 'arguments intact');

  const u = await make('uninstall', `DESTDIR=${dest}`, ...vars);
  t.equal(u.code, 0, u.stderr);
  t.notOk(existsSync(d('/srv/kiosk/xpos-agent')));
  t.notOk(existsSync(launcher));
  t.notOk(existsSync(d('/usr/local/lib/systemd/system/xpos-agent.service')));
  t.ok(existsSync(d('/etc/kiosk/xpos-agent/config.yaml')), 'config kept');
});

t.test('install and uninstall refuse an APPDIR they would wipe', async (t) => {
  const dest = await mkdtemp(join(tmpdir(), 'xpos-install-guard-'));
  t.teardown(() => rm(dest, { recursive: true, force: true }));
  await writeFile(join(dest, 'keep'), 'x');
  for (const appdir of ['/', '/opt', '/opt/xpos-agent/..', 'opt/xpos-agent']) {
    for (const target of ['install', 'uninstall']) {
      const r = await make(target, `DESTDIR=${dest}`, `APPDIR=${appdir}`);
      t.not(r.code, 0, `${target} APPDIR=${appdir} fails`);
      t.match(r.stderr, /APPDIR=.*named for xpos-agent/);
    }
  }
  t.same(readdirSync(dest), ['keep'], 'nothing deleted, nothing installed');
});
