/**
 * A production kiosk never loads the demo gateway: `dist/agent/app.js` reaches `agent/sandbox/`
 * only through the dynamic import() it makes when `gateway.url` is `sandbox`.
 *
 * How it is watched: `process.moduleLoadList` lists CommonJS and built-ins, not ES modules, and
 * Node has no public registry of loaded ES modules. So each child node runs with `--import` of a
 * file that calls `module.register()`; the registered `load` hook sees every ES module the loader
 * loads, statically or through import(), and appends its URL to a file synchronously before
 * handing the module back. By the time the child's `await import(...)` settles, the file names
 * every module that import pulled in. The controls below prove the watcher sees a sandbox import
 * when there is one, so "no sandbox URL" cannot pass merely because nothing was recorded.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const DIST = new URL('../../dist/', import.meta.url);
const APP = new URL('agent/app.js', DIST).href;
if (!existsSync(new URL(APP)))
  throw new Error(`${APP} is missing: run "make build" (make test does it first)`);

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

/** Runs `code` (an ES module body) in a child node with the loader watch; the URLs it loaded. */
async function loadedBy(dir: string, name: string, code: string): Promise<string[]> {
  const file = join(dir, `${name}.loaded`);
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(join(dir, 'register.mjs')).href, '--input-type=module', '-e', code],
    { env: { ...process.env, XPOS_LOADED_FILE: file, DIST: DIST.href }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exit = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (exit !== 0) throw new Error(`child ${name} exited ${exit}: ${stderr}`);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

const inSandbox = (urls: string[]): string[] => urls.filter((u) => u.includes('/dist/agent/sandbox/'));

t.test('importing app.js loads nothing under agent/sandbox/', async (t) => {
  const dir = t.testdir({ 'hooks.mjs': HOOKS, 'register.mjs': REGISTER });
  const urls = await loadedBy(dir, 'app', `await import(new URL('agent/app.js', process.env.DIST));`);
  t.ok(urls.includes(APP), 'the watch saw app.js itself');
  t.ok(
    urls.some((u) => u.endsWith('/dist/agent/runtime.js')),
    'and the modules app.js imports statically',
  );
  t.same(inSandbox(urls), [], 'no sandbox module');
});

t.test('control: a module that imports the sandbox statically is seen doing so', async (t) => {
  const dir = t.testdir({ 'hooks.mjs': HOOKS, 'register.mjs': REGISTER });
  const urls = await loadedBy(
    dir,
    'doctor',
    `await import(new URL('agent/doctor/checks-gateway.js', process.env.DIST));`,
  );
  t.ok(
    inSandbox(urls).some((u) => u.endsWith('/sandbox/server.js')),
    'checks-gateway.js → sandbox/server.js recorded',
  );
});

t.test('a demo agent (gateway.url: sandbox) loads the sandbox when it starts, and runs', async (t) => {
  const dir = t.testdir({ 'hooks.mjs': HOOKS, 'register.mjs': REGISTER, state: {} });
  const code = `
const at = (p) => import(new URL(p, process.env.DIST));
const { startAgent } = await at('agent/app.js');
const { validateConfig } = await at('config/load.js');
const { createLogger } = await at('agent/log.js');
const { AbsentKeypad, AbsentPrinter, AbsentScanner, NoFeedback } = await at('drivers/absent.js');
const config = validateConfig({
  gateway: { url: 'sandbox', app_key: '12345678' },
  store: { store_id: '1', cashier_id: '1', cashier_name: 'x', machine_id: 'K01' },
  paths: { state_dir: ${JSON.stringify(join(dir, 'state'))} },
});
const devices = { keypad: new AbsentKeypad(), scanner: new AbsentScanner(), printer: new AbsentPrinter(), feedback: new NoFeedback() };
const agent = await startAgent({ config, log: createLogger('silent'), devices });
if (!agent.gatewayUrl.startsWith('http://127.0.0.1:')) throw new Error('no sandbox url: ' + agent.gatewayUrl);
await agent.stop(1000);
`;
  const urls = await loadedBy(dir, 'demo', code);
  const sandbox = inSandbox(urls);
  t.ok(
    sandbox.some((u) => u.endsWith('/sandbox/server.js')),
    'sandbox/server.js loaded for the demo',
  );
  t.ok(
    sandbox.some((u) => u.endsWith('/sandbox/cli.js')),
    'and the demo secret with it',
  );
});
