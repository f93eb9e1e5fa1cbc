/**
 * Devices that are configured but not there: the factory builds every driver, each reports itself
 * absent with the path and what to do, the kiosk refuses sales and says why, and the daemon keeps
 * running until it is told to stop.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildDevices } from '../../agent/devices.js';
import { createLogger } from '../../agent/log.js';
import { validateConfig } from '../../config/load.js';
import type { ConfigInput } from '../../config/schema.js';
import type { Device, DeviceStatus } from '../../drivers/device.js';
import { NoFeedback } from '../../drivers/absent.js';

const MAIN = new URL('../../dist/agent/main.js', import.meta.url).pathname;
const base = {
  gateway: { url: 'sandbox' as const, app_key: '12345678' },
  store: { store_id: '1', cashier_id: '1', cashier_name: '张丽', machine_id: 'T01' },
};

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((r) => server.close(() => r()));
  return address.port;
}

async function startedStatus(device: Device): Promise<DeviceStatus> {
  await device.start();
  const s = device.status();
  await device.close();
  return s;
}

t.test('each configured but missing device reports absent, naming the path and the fix', async (t) => {
  const dir = t.testdir({});
  const devices: ConfigInput['devices'] = {
    scanner: { type: 'serial', path: join(dir, 'no-scanner') },
    keypad: { type: 'evdev', path: join(dir, 'no-keypad') },
    printer: { type: 'usblp', path: join(dir, 'no-lp0') },
    feedback: { type: 'gpio', buzzer: 18 },
  };
  const config = validateConfig({ ...base, paths: { state_dir: dir }, devices });
  const built = buildDevices(config, createLogger('silent')).devices;
  const scanner = await startedStatus(built.scanner);
  t.match(scanner, { device: 'scanner', state: 'absent', detail: /no-scanner/ });
  const keypad = await startedStatus(built.keypad);
  t.match(keypad, { device: 'keypad', state: 'absent', detail: /no-keypad/ });
  const printer = await startedStatus(built.printer);
  t.match(printer, { device: 'printer', state: 'absent', detail: /no-lp0/ });
  t.notOk(built.feedback instanceof NoFeedback, 'GPIO feedback is built when pins are set');

  const matrix = validateConfig({
    ...base,
    devices: { keypad: { type: 'gpio-matrix', rows: [5, 6, 13, 19], cols: [12, 16, 20, 21] } },
  });
  const gpio = await startedStatus(buildDevices(matrix, createLogger('silent')).devices.keypad);
  // This machine has no sysfs GPIO (CI neither); on a Pi the same check would find the chip.
  if (existsSync('/sys/class/gpio/export')) t.comment('sysfs GPIO present: matrix absent-path check not run');
  else t.match(gpio, { state: 'absent', detail: /\/sys\/class\/gpio.*group gpio/ });

  const port = await closedPort();
  const tcp = validateConfig({ ...base, devices: { printer: { type: 'tcp', host: '127.0.0.1', port } } });
  const network = await startedStatus(buildDevices(tcp, createLogger('silent')).devices.printer);
  t.match(network, { state: 'absent', detail: new RegExp(`127\\.0\\.0\\.1:${port}`) });
});

t.test('the daemon keeps running with every device missing and stops cleanly on SIGTERM', async (t) => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);
  const dir = t.testdir({
    'config.yaml': `
gateway: { url: sandbox, app_key: "12345678" }
store: { store_id: "1", cashier_id: "1", cashier_name: 张丽, machine_id: K01 }
paths: { state_dir: ${JSON.stringify(t.testdirName)} }
devices:
  scanner: { type: serial, path: ${JSON.stringify(join(t.testdirName, 'ttyACM9'))} }
  keypad: { type: evdev, path: ${JSON.stringify(join(t.testdirName, 'event9'))} }
  printer: { type: usblp, path: ${JSON.stringify(join(t.testdirName, 'lp9'))} }
`,
  });
  const child = spawn(process.execPath, [MAIN, 'run', '--demo', '--config', join(dir, 'config.yaml')]);
  let out = '';
  const ready = new Promise<void>((resolve) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('agent ready')) resolve();
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await ready;
  // Still alive a moment later: nothing about a missing device is fatal.
  await new Promise((r) => setTimeout(r, 300));
  t.equal(child.exitCode, null, 'running');
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'exit 0 after an orderly stop');
  const lines = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; device?: string; state?: string; reason?: string });
  for (const device of ['scanner', 'keypad', 'printer']) {
    t.ok(
      lines.some((l) => l.msg === 'device state' && l.device === device && l.state === 'absent'),
      `${device} logged absent`,
    );
  }
  t.ok(lines.some((l) => l.msg === 'out of service' && /Scanner offline/.test(l.reason ?? '')));
});
