/**
 * The daemon as systemd runs it: sd_notify over a real unix datagram socket (READY, WATCHDOG,
 * STATUS, STOPPING), the metrics text file, and SIGTERM in the middle of a payment followed by a
 * restart that resolves it. Real child processes, a real sandbox process, a real ledger.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeDaemonConfig } from '../chaos/daemon.js';
import { LineProcess } from '../chaos/procs.js';
import { startSandbox } from '../chaos/sandbox.js';

const MAIN = new URL('../../dist/agent/main.js', import.meta.url).pathname;
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);

interface DgramServer {
  bind(path: string): void;
  on(event: 'message', listener: (msg: Buffer) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  close(): void;
}
const unixDgram = createRequire(import.meta.url)('unix-dgram') as {
  createSocket: (type: 'unix_dgram') => DgramServer;
};

function until(cond: () => boolean, ms = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (cond()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > ms) {
        clearInterval(poll);
        reject(new Error('condition not reached'));
      }
    }, 20);
  });
}

t.test('READY after start-up, WATCHDOG pings, STATUS, STOPPING, and the metrics file', async (t) => {
  const dir = t.testdir({});
  // A unix socket path must fit in 108 bytes; the test directory's name does not.
  const sockDir = mkdtempSync(join(tmpdir(), 'xpos-n-'));
  t.teardown(() => rmSync(sockDir, { recursive: true, force: true }));
  const socketPath = join(sockDir, 'notify.sock');
  const messages: string[] = [];
  const server = unixDgram.createSocket('unix_dgram');
  server.on('message', (m) => messages.push(m.toString()));
  server.on('error', () => undefined);
  server.bind(socketPath);
  t.teardown(() => server.close());
  const prom = join(dir, 'run', 'xpos_agent.prom');
  const cfg = join(dir, 'c.yaml');
  writeFileSync(
    cfg,
    `gateway: { url: sandbox, app_key: "12345678" }
store: { store_id: "1", cashier_id: "1", cashier_name: 张丽, machine_id: K01 }
presets: { A: { label: x, price: 5 } }
devices: { keypad: { type: sim }, scanner: { type: sim } }
metrics: { textfile: ${JSON.stringify(prom)}, interval_ms: 1000 }
paths: { state_dir: ${JSON.stringify(dir)} }
`,
  );
  // LineProcess inherits this process's env; /usr/bin/env adds what systemd would set.
  const proc = new LineProcess('/usr/bin/env', [
    `NOTIFY_SOCKET=${socketPath}`,
    'WATCHDOG_USEC=600000',
    process.execPath,
    MAIN,
    'run',
    '--demo',
    '--config',
    cfg,
  ]);
  t.teardown(() => proc.kill('SIGKILL'));
  await until(() => messages.some((m) => m.startsWith('READY=1')));
  const ready = messages.find((m) => m.startsWith('READY=1')) ?? '';
  // No printer configured: the status says so, and the kiosk still sells.
  t.match(ready, /STATUS=selling · printer absent · pending 0 · queued 0/);
  t.match(ready, /MAINPID=\d+/);
  await until(() => messages.filter((m) => m === 'WATCHDOG=1').length >= 2);
  await until(() => existsSync(prom));
  const metrics = readFileSync(prom, 'utf8');
  t.match(metrics, /xpos_device_state\{device="printer",state="absent"\} 1/);
  t.match(metrics, /xpos_ledger_readable 1/);
  t.match(metrics, /# TYPE xpos_gateway_latency_ms histogram/);

  proc.write('key A\ndemo s\n');
  await until(() => /xpos_sales_total\{result="succeeded"\} 1/.test(readFileSync(prom, 'utf8')));
  t.match(
    readFileSync(prom, 'utf8'),
    /xpos_gateway_calls_total\{method="alibaba\.alisports\.lianbei\.xpos\.pay",outcome="success"\} 1/,
  );

  proc.kill('SIGTERM');
  const exit = await proc.exited;
  t.equal(exit.code, 0);
  t.ok(
    messages.some((m) => m.startsWith('STOPPING=1')),
    'STOPPING sent',
  );
  t.ok(
    messages.indexOf(messages.find((m) => m.startsWith('STOPPING=1')) ?? '') > messages.indexOf(ready),
    'after READY',
  );
});

t.test('SIGTERM during a payment: exit 0, the sale stays pending, the next start resolves it', async (t) => {
  const dir = t.testdir({});
  const sandbox = await startSandbox(MAIN, dir);
  t.teardown(() => sandbox.process.kill('SIGKILL'));
  const files = writeDaemonConfig(dir, sandbox.url);
  const run = () => new LineProcess(process.execPath, [MAIN, 'run', '--config', files.configFile]);

  const first = run();
  t.teardown(() => first.kill('SIGKILL'));
  t.ok(await first.waitFor((l) => (l.includes('agent ready') ? true : undefined), 15_000), 'ready');
  // A …0000 demo code stays pending at the gateway for a while, then is paid.
  first.write('key A\nscan 281234567890120000\n');
  const unknown = await first.waitFor(
    (l) => (l.includes('"msg":"payment step"') && l.includes('"status":"pending"') ? true : undefined),
    15_000,
  );
  t.ok(unknown, 'the payment is unresolved when the signal arrives');
  first.kill('SIGTERM');
  const exit = await first.exited;
  t.equal(exit.code, 0, 'orderly exit');

  const queue = async (...args: string[]): Promise<string> =>
    (
      await promisify(execFile)(process.execPath, [
        MAIN,
        'queue',
        ...args,
        '--json',
        '--config',
        files.configFile,
      ])
    ).stdout;
  const list = async (): Promise<{ status: string; outBizId: string }[]> =>
    (JSON.parse(await queue('list')) as { sales: { status: string; outBizId: string }[] }).sales;
  const before = await list();
  t.equal(before.length, 1);
  t.equal(before[0]?.status, 'pending', 'recorded as pending, not failed and not lost');

  const second = run();
  t.teardown(() => second.kill('SIGKILL'));
  const resolved = await second.waitFor((l) => (l.includes('pending sale resolved') ? l : undefined), 30_000);
  t.match(resolved, /"status":"succeeded"/, 'resolved as paid after the restart');
  second.kill('SIGTERM');
  await second.exited;
  const after = JSON.parse(await queue('show', before[0]?.outBizId ?? '')) as { status: string };
  t.equal(after.status, 'succeeded');
  const charges = await sandbox.control.charges();
  t.equal(charges.charges, 1, 'charged exactly once');
});
