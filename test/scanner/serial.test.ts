/**
 * SerialScanner on serialport's real stream with the mock binding: scans, noise, unplug and
 * replug, absent at boot, a port held by another process, and a clean close.
 */
import t, { type Test } from 'tap';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { SerialPortMock } from 'serialport';
import type { DeviceStatus } from '../../drivers/device.js';
import {
  SerialScanner,
  type BindingInterface,
  type SerialScannerOptions,
} from '../../drivers/scanner/serial.js';

const MockBinding = SerialPortMock.binding;
type MockPort = Awaited<ReturnType<typeof MockBinding.open>>;
const PATH = '/dev/xpos-scanner';

t.beforeEach(() => {
  MockBinding.reset();
});

async function until(cond: () => boolean, what = 'condition', ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * The mock binding, plus what a USB cable does when pulled: the pending read fails with an I/O
 * error (serialport's own disconnect path) and the device node is gone until it is created again.
 */
function unpluggable() {
  const opened: MockPort[] = [];
  const failReads = new Set<(e: Error) => void>();
  const binding: BindingInterface = {
    list: () => MockBinding.list(),
    async open(options) {
      const port = await MockBinding.open(options);
      const read = port.read.bind(port);
      port.read = (buffer, offset, length) =>
        new Promise((resolve, reject) => {
          failReads.add(reject);
          read(buffer, offset, length)
            .then(resolve, reject)
            .finally(() => failReads.delete(reject));
        });
      opened.push(port);
      return port;
    },
  };
  return {
    binding,
    opened,
    /** The port the scanner has open now. */
    current: (): MockPort => {
      const port = opened.at(-1);
      if (port?.isOpen !== true) throw new Error('no open port');
      return port;
    },
    async unplug(): Promise<void> {
      await until(() => failReads.size > 0, 'a pending read');
      MockBinding.reset();
      const err = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      for (const fail of failReads) fail(err);
    },
  };
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines, text: () => JSON.stringify(lines) };
}

function scanner(t: Test, over: Partial<SerialScannerOptions> = {}) {
  const cap = capture();
  const dev = unpluggable();
  const s = new SerialScanner({
    path: PATH,
    baudRate: 9600,
    terminator: '\r',
    minLength: 6,
    maxLength: 32,
    allowed: /^[\x21-\x7e]+$/,
    staleMs: 1000,
    log: cap.log,
    binding: dev.binding,
    backoff: { initialMs: 20, maxMs: 100 },
    ...over,
  });
  const scans: string[] = [];
  const states: DeviceStatus['state'][] = [];
  s.on('scan', (code: string) => scans.push(code));
  s.on('state', (st: DeviceStatus) => states.push(st.state));
  t.teardown(() => s.close());
  return { s, dev, scans, states, cap };
}

t.test('codes from the port become scans; noise becomes counts', async (t) => {
  MockBinding.createPort(PATH);
  const { s, dev, scans, states } = scanner(t);
  await s.start();
  t.same(states, ['online']);
  t.equal(s.status().state, 'online');
  dev.current().emitData('PAY:12345678\r');
  dev.current().emitData('PAY:8765');
  await sleep(20);
  dev.current().emitData('4321\r\n');
  dev.current().emitData(Buffer.from([0xff, 0xfe, 0x41, 0x42, 0x43, 0x44, 0x0d]));
  dev.current().emitData('PAY 1234\rABC\r\r');
  dev.current().emitData('LAST-CODE\r');
  await until(() => scans.length === 3, 'three scans');
  t.same(scans, ['PAY:12345678', 'PAY:87654321', 'LAST-CODE']);
  t.match(s.rejected, { 'not-utf8': 1, charset: 1, 'too-short': 1, empty: 1, stale: 0, 'too-long': 0 });
});

t.test('unplug: offline, reopened with backoff when the device is back, scans resume', async (t) => {
  MockBinding.createPort(PATH);
  const { s, dev, scans, states } = scanner(t);
  await s.start();
  dev.current().emitData('PAY:12');
  await sleep(20); // the half code is in the splitter when the cable goes
  await dev.unplug();
  await until(() => s.status().state === 'offline', 'offline');
  t.match(s.status().detail, PATH, 'names the path');
  t.match(s.status().detail, /EIO|i\/o error/, 'and the error');
  await sleep(150); // several failed reopens while the device is gone
  t.ok(dev.opened.length === 1, 'no reopen succeeded while unplugged');
  t.equal(s.status().state, 'offline', 'still offline, not absent: it was seen before');

  MockBinding.createPort(PATH);
  await until(() => s.status().state === 'online', 'back online');
  t.same(states, ['online', 'offline', 'online'], 'one event per change, not per retry');
  dev.current().emitData('3456\rPAY:99999999\r');
  await until(() => scans.length === 1, 'a scan after replug');
  t.same(scans, ['PAY:99999999'], 'the half code did not survive the reconnect');
  t.equal(s.rejected['too-short'], 1, 'its tail was rejected on its own');
});

t.test('absent at boot is not fatal: retried until the device appears', async (t) => {
  const { s, dev, scans, states } = scanner(t);
  await s.start();
  t.equal(s.status().state, 'absent');
  t.match(s.status().detail, PATH);
  await sleep(100);
  t.equal(states.length, 1, 'retries do not repeat the event');
  MockBinding.createPort(PATH);
  await until(() => s.status().state === 'online', 'online');
  dev.current().emitData('PAY:12345678\r');
  await until(() => scans.length === 1, 'a scan');
  t.same(states, ['absent', 'online']);
});

t.test('a port held by another process is reported as such and taken when released', async (t) => {
  MockBinding.createPort(PATH);
  const other = new SerialPortMock({ path: PATH, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    other.open((err) => (err ? reject(err) : resolve()));
  });
  const { s } = scanner(t);
  await s.start();
  t.equal(s.status().state, 'absent');
  t.match(s.status().detail, /another process/);
  await new Promise<void>((resolve) => {
    other.close(() => resolve());
  });
  await until(() => s.status().state === 'online', 'online after release');
});

t.test('a fragment without terminator goes stale and never glues onto the next code', async (t) => {
  MockBinding.createPort(PATH);
  const { s, dev, scans } = scanner(t, { staleMs: 50 });
  await s.start();
  dev.current().emitData('GARBAGE');
  await until(() => s.rejected.stale === 1, 'stale count');
  dev.current().emitData('REAL-CODE-1\r');
  await until(() => scans.length === 1, 'a scan');
  t.same(scans, ['REAL-CODE-1']);
});

t.test('a line split by a pause shorter than staleMs is still one code', async (t) => {
  MockBinding.createPort(PATH);
  const { s, dev, scans } = scanner(t, { staleMs: 1000 });
  await s.start();
  dev.current().emitData('PAY:1234');
  await sleep(100);
  dev.current().emitData('5678\r');
  await until(() => scans.length === 1, 'a scan');
  t.same(scans, ['PAY:12345678']);
  t.equal(s.rejected.stale, 0);
});

t.test('an endless line is dropped whole and counted once', async (t) => {
  MockBinding.createPort(PATH);
  const { s, dev, scans } = scanner(t);
  await s.start();
  for (let i = 0; i < 10; i += 1) dev.current().emitData(Buffer.alloc(500, 0x41));
  dev.current().emitData('\rPAY:12345678\r');
  await until(() => scans.length === 1, 'the next code');
  t.same(scans, ['PAY:12345678']);
  t.equal(s.rejected['too-long'], 1);
});

t.test('rejects are logged masked, at most once per reason per window, with a count', async (t) => {
  MockBinding.createPort(PATH);
  const { s, dev, cap } = scanner(t);
  await s.start();
  for (let i = 0; i < 50; i += 1) dev.current().emitData('SECRET CODE 9876\r');
  dev.current().emitData('\r\r\r');
  await until(() => s.rejected.charset === 50 && s.rejected.empty === 3, 'counts');
  const warns = cap.lines.filter((l) => l.msg === 'scanner input rejected');
  t.equal(warns.length, 1, 'one warn line for fifty rejects');
  t.match(warns[0], { level: 40, reason: 'charset', length: 16, code: '****9876', suppressed: 0 });
  t.notMatch(cap.text(), /SECRET/, 'the raw line never reaches the log');
  t.equal(cap.lines.filter((l) => l.reason === 'empty' && l.level !== 20).length, 0, 'empty is debug only');
});

t.test('close is idempotent, stops retries and ends scans', async (t) => {
  const { s, states, scans } = scanner(t);
  await s.start();
  t.equal(s.status().state, 'absent');
  await Promise.all([s.close(), s.close()]);
  await s.close();
  MockBinding.createPort(PATH);
  await sleep(150);
  t.same(states, ['absent'], 'no reopen after close');
  t.same(scans, []);
  await s.start();
  t.equal(s.status().state, 'absent', 'a closed scanner does not start again');
});

t.test('close during the first open leaves no port open and no state behind', async (t) => {
  MockBinding.createPort(PATH);
  const { s, dev, states } = scanner(t);
  const starting = s.start();
  await s.close();
  await starting;
  t.equal(dev.opened.length, 1, 'the open did complete');
  t.equal(dev.opened[0]?.isOpen, false, 'and was closed by close()');
  t.same(states, [], 'a closed scanner reports nothing');
});

t.test('close while open releases the port for the next owner', async (t) => {
  MockBinding.createPort(PATH);
  const { s, dev } = scanner(t);
  await s.start();
  const port = dev.current();
  await s.close();
  t.equal(port.isOpen, false);
  const next = new SerialPortMock({ path: PATH, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    next.open((err) => (err ? reject(err) : resolve()));
  });
  await new Promise<void>((resolve) => {
    next.close(() => resolve());
  });
});

t.test('options that can never work are refused at construction', (t) => {
  const cap = capture();
  const base: SerialScannerOptions = {
    path: PATH,
    baudRate: 9600,
    terminator: '\r',
    minLength: 6,
    maxLength: 32,
    allowed: /^[0-9]+$/,
    log: cap.log,
    binding: MockBinding,
  };
  t.throws(() => new SerialScanner({ ...base, baudRate: 0 }), RangeError);
  t.throws(() => new SerialScanner({ ...base, path: '' }), RangeError);
  t.throws(() => new SerialScanner({ ...base, minLength: 40 }), RangeError);
  t.throws(() => new SerialScanner({ ...base, staleMs: 0 }), RangeError);
  t.throws(() => new SerialScanner({ ...base, terminator: '\t' as '\r' }), RangeError);
  t.equal(new SerialScanner(base).name, 'scanner');
  t.end();
});
