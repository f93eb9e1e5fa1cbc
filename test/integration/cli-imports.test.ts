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
const MANIFEST = JSON.parse(
  readFileSync(new URL('../../dist/agent/bundle-inputs.json', import.meta.url), 'utf8'),
) as { external: string[]; outputs: Record<string, string[] | undefined> };
const BUNDLE_INPUTS = MANIFEST.outputs;
/** A node_modules path's package name ("got", "@sindresorhus/is"). */
const packageOf = (path: string): string => {
  const [first = '', second = ''] = path.replace(/^.*?node_modules\//, '').split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
};
/** The packages inside the bundle: none of them may be loaded again from node_modules. */
const BUNDLED = new Set(
  Object.values(BUNDLE_INPUTS)
    .flat()
    .filter((i): i is string => i?.startsWith('node_modules/') === true)
    .map(packageOf),
);

const HOOKS = `
import { appendFileSync } from 'node:fs';
let file = '';
export function initialize(data) { file = data.file; }
export async function load(url, context, nextLoad) {
  appendFileSync(file, url + '\\n');
  return nextLoad(url, context);
}
`;
// The bundle loads Node's modules and the packages outside it with require(), which the ESM hook
// does not see: what require() loaded is written from its cache as the process exits.
const REGISTER = `
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
register(new URL('./hooks.mjs', import.meta.url), { data: { file: process.env.XPOS_LOADED_FILE } });
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const files = Object.keys(cache).map((f) => pathToFileURL(f).href + '\\n').join('');
  appendFileSync(process.env.XPOS_LOADED_FILE, files);
});
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
  script: string = MAIN,
): Promise<{ code: number | null; files: string[]; mods: string[] }> {
  const file = join(dir, `${name}.loaded`);
  writeFileSync(file, '');
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(join(dir, 'register.mjs')).href, script, ...args],
    {
      cwd: dir,
      env: { ...process.env, XPOS_LOADED_FILE: file },
      stdio: ['ignore', 'ignore', 'ignore'],
    },
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
  const dir = t.testdir({ 'hooks.mjs': HOOKS, 'register.mjs': REGISTER, 'empty.mjs': '' });
  writeFileSync(join(dir, 'real.yaml'), REAL.replaceAll('DIR', dir));

  const run = await loadedBy(dir, 'run', ['run', '--config', 'real.yaml']);
  t.equal(run.code, 78, 'run stops at the missing secret, after its whole static graph loaded');
  t.ok(run.mods.includes('dist/agent/daemon.js'), 'control: the watch saw the daemon');
  t.ok(run.mods.includes('dist/agent/pay/client.js'), 'control: and the gateway client');
  t.notOk(
    run.mods.some((m) => m.startsWith('node_modules/got/') || m === 'dist/agent/pay/http-post.js'),
    "the gateway client's HTTP side (got) is not loaded before READY (the daemon warms it after)",
  );
  t.ok(BUNDLED.has('zod') && BUNDLED.has('pino'), 'control: the manifest lists bundled packages');
  t.same(
    run.files.filter((f) => f.startsWith('node_modules/') && BUNDLED.has(packageOf(f))),
    [],
    'run loads the pure-JS packages from the bundle, never again from node_modules',
  );
  // tap's coverage hooks ride along into every child node: what an empty script loads is theirs.
  const empty = await loadedBy(dir, 'empty', [], join(dir, 'empty.mjs'));
  const harness = new Set(empty.files.filter((f) => f.startsWith('node_modules/')).map(packageOf));
  t.same(
    [...new Set(run.files.filter((f) => f.startsWith('node_modules/')).map(packageOf))]
      .filter((p) => !harness.has(p))
      .filter(
        (p) => !MANIFEST.external.some((e) => (e.endsWith('/*') ? p.startsWith(e.slice(0, -1)) : p === e)),
      )
      .sort(),
    ['bindings', 'file-uri-to-path'],
    "from node_modules only the packages the bundle leaves out, and better-sqlite3's loader",
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
