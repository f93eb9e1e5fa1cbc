/**
 * Each command loads only what it needs (agent/cli/commands.ts imports per command). Watched as
 * test/integration/sandbox-import.test.ts does: the child node runs dist/agent/main.js with a
 * registered loader `load` hook that appends every ES module URL it loads to a file. The controls
 * (doctor loads doctor code, run loads the daemon) prove the watch sees what a command does load.
 *
 * dist/agent/main.js is a bundle (scripts/bundle.mjs): a loaded bundle file stands for the modules
 * that went into it, as dist/agent/bundle-inputs.json lists them.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MAIN = new URL('../../dist/agent/main.js', import.meta.url).pathname;
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);
const BUNDLE_INPUTS = JSON.parse(
  readFileSync(new URL('../../dist/agent/bundle-inputs.json', import.meta.url), 'utf8'),
) as Record<string, string[] | undefined>;
/** The packages left outside the bundle: each has a native addon. */
const NATIVE = /^node_modules\/(better-sqlite3|serialport|@serialport|onoff|spi-device|unix-dgram)\//;

const HOOKS = `
import { appendFileSync } from 'node:fs';
let file = '';
export function initialize(data) { file = data.file; }
export async function load(url, context, nextLoad) {
  appendFileSync(file, url + '\\n');
  return nextLoad(url, context);
}
`;
const REGISTER = `
import { register } from 'node:module';
register(new URL('./hooks.mjs', import.meta.url), { data: { file: process.env.XPOS_LOADED_FILE } });
`;

const REAL = `gateway: { url: "https://gw.example.com/router/rest", app_key: "1", secret_file: DIR/none }
store: { store_id: "3", cashier_id: "3", cashier_name: a, machine_id: K01 }
paths: { state_dir: DIR/state }
`;

/**
 * What a command loaded, and its exit code: `files`, the dist/ and node_modules/ paths of the files
 * node loaded; `mods`, the same with each bundle file replaced by the modules bundled into it.
 */
async function loadedBy(
  dir: string,
  name: string,
  args: string[],
): Promise<{ code: number | null; files: string[]; mods: string[] }> {
  const file = join(dir, `${name}.loaded`);
  writeFileSync(file, '');
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(join(dir, 'register.mjs')).href, MAIN, ...args],
    { cwd: dir, env: { ...process.env, XPOS_LOADED_FILE: file }, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const files = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((u) =>
      u.includes('/node_modules/')
        ? u.replace(/^.*?\/node_modules\//, 'node_modules/')
        : u.replace(/^.*\/dist\//, 'dist/'),
    );
  const mods = files.flatMap((f) =>
    f.startsWith('dist/agent/') ? (BUNDLE_INPUTS[f.slice('dist/agent/'.length)] ?? [f]) : [f],
  );
  return { code, files, mods };
}

const TOOLS =
  /^dist\/agent\/(sandbox|doctor|sim)\/|^dist\/agent\/cli\/(queue|reprint|fleet|export|config-check)\.js$/;

t.test('each command loads its own modules only', async (t) => {
  const dir = t.testdir({ 'hooks.mjs': HOOKS, 'register.mjs': REGISTER });
  writeFileSync(join(dir, 'real.yaml'), REAL.replaceAll('DIR', dir));

  const run = await loadedBy(dir, 'run', ['run', '--config', 'real.yaml']);
  t.equal(run.code, 78, 'run stops at the missing secret, after its whole static graph loaded');
  t.ok(run.mods.includes('dist/agent/daemon.js'), 'control: the watch saw the daemon');
  t.ok(run.mods.includes('node_modules/got/dist/source/index.js'), 'control: and the bundled gateway client');
  t.same(
    run.files.filter((f) => !f.startsWith('node:') && !f.startsWith('dist/agent/') && !NATIVE.test(f)),
    [],
    'run loads our code and the pure-JS packages from the bundle: only native addons from node_modules',
  );
  t.ok(
    run.files.some((f) => f.startsWith('node_modules/better-sqlite3/')),
    'control: the watch sees a package loaded from node_modules',
  );
  t.same(
    run.mods.filter((m) => TOOLS.test(m)),
    [],
    'run loads no sandbox, doctor, simulator or operator-tool code',
  );

  const check = await loadedBy(dir, 'check', ['config', 'check', '--config', 'real.yaml']);
  t.equal(check.code, 78);
  t.ok(check.mods.includes('dist/config/load.js'), 'control: config check loaded the config loader');
  t.same(
    check.mods.filter((m) =>
      /^dist\/agent\/(ledger|sandbox|doctor|sim|pay|payment|kiosk)\/|better-sqlite3|pino|got/.test(m),
    ),
    [],
    'config check loads no ledger, gateway client, daemon or logger',
  );

  const usage = await loadedBy(dir, 'usage', ['frob']);
  t.equal(usage.code, 64);
  t.same(
    usage.mods.filter((m) => m.startsWith('dist/')).sort(),
    [
      'dist/agent/cli/commands.js',
      'dist/agent/cli/usage.js',
      'dist/agent/exit-codes.js',
      'dist/agent/main.js',
    ],
    'a usage error loads the entry, the table and the usage text only',
  );

  const doctor = await loadedBy(dir, 'doctor', ['doctor', '--config', 'real.yaml', '--json']);
  t.ok(
    doctor.mods.some((m) => m.startsWith('dist/agent/doctor/')),
    'control: doctor loads doctor code',
  );
});
