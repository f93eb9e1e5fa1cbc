import t from 'tap';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { DeviceError, deviceErrorFromErrno } from '../../drivers/device-error.js';
import type { DeviceStatus } from '../../drivers/device.js';
import type { PrintDocument } from '../../drivers/printer/document.js';
import { encodeDocument } from '../../drivers/printer/escpos.js';
import { EscposPrinter, type EscposPrinterOptions } from '../../drivers/printer/escpos-printer.js';
import type { StatusRequest } from '../../drivers/printer/escpos-status.js';
import { serialTransport, type BindingInterface } from '../../drivers/printer/transport/serial.js';
import type { PrinterTransport } from '../../drivers/printer/transport/types.js';
import { usblpTransport } from '../../drivers/printer/transport/usblp.js';
import { decodeEscpos } from '../helpers/escpos-decode.js';

const log = pino({ level: 'silent' });
const OK = 0x12;
const PAPER_OUT = 0x12 | 0x60;
const COVER_OPEN = 0x12 | 0x04;

const doc: PrintDocument = {
  blocks: [
    { kind: 'text', text: '力美健身', align: 'center', bold: true, size: 2 },
    { kind: 'pair', label: '金额', value: '￥12.50' },
    { kind: 'qr', data: 'K01202611251930050001' },
    { kind: 'cut' },
  ],
};

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A printer link in memory: it can be unplugged, refuse writes, answer DLE EOT or stay silent. */
class FakeTransport extends EventEmitter implements PrinterTransport {
  readonly where = '/dev/fake-lp';
  twoWay: boolean;
  present = true;
  isOpen = false;
  opens = 0;
  /** Status byte per DLE EOT n; null: the printer never answers. */
  status: Partial<Record<StatusRequest, number>> | null = { 1: OK, 2: OK, 3: OK, 4: OK };
  writes: Buffer[] = [];
  requests: number[] = [];
  failWrites = 0;
  writeDelayMs = 0;
  activeWrites = 0;
  maxActiveWrites = 0;

  constructor(twoWay = true) {
    super();
    this.twoWay = twoWay;
  }

  open(): Promise<void> {
    if (!this.present) {
      const err = Object.assign(new Error(`ENOENT: no such file, open '${this.where}'`), { code: 'ENOENT' });
      return Promise.reject(deviceErrorFromErrno('printer', this.where, err, 'lp'));
    }
    this.opens += 1;
    this.isOpen = true;
    return Promise.resolve();
  }

  async write(data: Buffer): Promise<void> {
    if (!this.isOpen) throw new Error('EBADF: not open');
    this.activeWrites += 1;
    this.maxActiveWrites = Math.max(this.maxActiveWrites, this.activeWrites);
    try {
      if (this.writeDelayMs > 0) await sleep(this.writeDelayMs);
      if (this.failWrites > 0) {
        this.failWrites -= 1;
        throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      }
      this.writes.push(Buffer.from(data));
    } finally {
      this.activeWrites -= 1;
    }
  }

  async request(data: Buffer, replyBytes: number, timeoutMs: number): Promise<Buffer | null> {
    if (!this.isOpen || !this.twoWay) return null;
    const n = data[2] as StatusRequest;
    this.requests.push(n);
    const byte = this.status?.[n];
    if (byte === undefined) {
      await sleep(timeoutMs);
      return null;
    }
    return Buffer.from([byte]).subarray(0, replyBytes);
  }

  close(): Promise<void> {
    this.isOpen = false;
    return Promise.resolve();
  }

  unplug(): void {
    this.present = false;
    this.isOpen = false;
    this.emit('close', Object.assign(new Error('ENODEV'), { code: 'ENODEV' }));
  }
}

function printer(transport: PrinterTransport, extra: Partial<EscposPrinterOptions> = {}) {
  const p = new EscposPrinter({
    transport,
    columns: 32,
    cut: 'partial',
    qr: { moduleSize: 6, errorLevel: 'M' },
    log,
    statusTimeoutMs: 50,
    backoff: { initialMs: 10, maxMs: 40, jitter: 0 },
    ...extra,
  });
  const states: DeviceStatus[] = [];
  p.on('state', (s: DeviceStatus) => states.push(s));
  return { p, states };
}

t.test(
  'a missing printer is absent with the path and the fix, never a throw, and comes online later',
  async (t) => {
    const fake = new FakeTransport();
    fake.present = false;
    const { p, states } = printer(fake);
    t.teardown(() => p.close());
    await p.start();
    t.equal(p.status().state, 'absent');
    t.match(p.status().detail, /not found \(\/dev\/fake-lp\); check the cable/);
    await t.rejects(p.print(doc), DeviceError, 'printing while absent rejects: the receipt stays unprinted');
    fake.present = true;
    await until(() => p.status().state === 'online', 'online');
    t.same(
      states.map((s) => s.state),
      ['absent', 'online'],
    );
    await p.print(doc);
    t.equal(fake.writes.length, 1);
  },
);

t.test('the permission hint names group lp for usblp and dialout for serial', async (t) => {
  const eacces = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  const lp = printer(usblpTransport({ path: '/dev/usb/lp0', log, open: () => Promise.reject(eacces) })).p;
  const binding: BindingInterface = {
    list: () => Promise.resolve([]),
    open: () =>
      Promise.reject(
        Object.assign(new Error('Permission denied, cannot open /dev/ttyUSB0'), { code: 'EACCES' }),
      ),
  };
  const serial = printer(serialTransport({ path: '/dev/ttyUSB0', baudRate: 9600, binding, log })).p;
  t.teardown(async () => {
    await lp.close();
    await serial.close();
  });
  await lp.start();
  await serial.start();
  t.equal(lp.status().state, 'absent');
  t.match(lp.status().detail, /permission denied \(\/dev\/usb\/lp0\); add the service user to group lp/);
  t.equal(serial.status().state, 'absent');
  t.match(serial.status().detail, /\(\/dev\/ttyUSB0\); add the service user to group dialout/);
});

t.test('a print asks DLE EOT first, then writes the whole job once', async (t) => {
  const fake = new FakeTransport();
  const { p, states } = printer(fake);
  t.teardown(() => p.close());
  await p.start();
  t.same(states, [{ device: 'printer', state: 'online', detail: '/dev/fake-lp' }]);
  fake.requests = [];
  await p.print(doc);
  t.same(fake.requests, [1, 2, 3, 4]);
  t.equal(fake.writes.length, 1);
  t.ok(
    fake.writes[0]?.equals(
      encodeDocument(doc, { columns: 32, cut: 'partial', qr: { moduleSize: 6, errorLevel: 'M' } }),
    ),
  );
  const d = decodeEscpos(fake.writes[0]!, { columns: 32 });
  t.same(d.qr, ['K01202611251930050001']);
  t.equal(d.drawerPulses, 0);
});

t.test('paper out rejects the print, goes offline, and comes back online when paper is loaded', async (t) => {
  const fake = new FakeTransport();
  const { p, states } = printer(fake);
  t.teardown(() => p.close());
  await p.start();
  fake.status = { 1: OK | 0x08, 2: OK | 0x20, 3: OK, 4: PAPER_OUT };
  const err = await p.print(doc).catch((e: unknown) => e);
  t.type(err, DeviceError);
  t.match((err as Error).message, /paper out.*load a paper roll/);
  t.equal(fake.writes.length, 0, 'nothing sent to a printer without paper');
  t.same(p.status(), { device: 'printer', state: 'offline', detail: 'paper out' });
  t.match(await p.query(), { paper: 'out', offline: true });

  fake.status = { 1: OK, 2: OK, 3: OK, 4: OK };
  await until(() => p.status().state === 'online', 'online after paper is loaded');
  t.same(
    states.map((s) => `${s.state}:${s.detail ?? ''}`),
    ['online:/dev/fake-lp', 'offline:paper out', 'online:/dev/fake-lp'],
  );
  await p.print(doc);
  t.equal(fake.writes.length, 1);
});

t.test('cover open rejects the print; near end prints and says so', async (t) => {
  const fake = new FakeTransport();
  const { p } = printer(fake);
  t.teardown(() => p.close());
  await p.start();
  fake.status = { 1: OK | 0x08, 2: COVER_OPEN, 3: OK, 4: OK };
  await t.rejects(p.print(doc), { message: /cover open.*close the printer cover/ });
  t.equal(p.status().detail, 'cover open');
  fake.status = { 1: OK, 2: OK, 3: OK, 4: OK | 0x0c };
  await p.print(doc);
  t.same(p.status(), { device: 'printer', state: 'online', detail: 'paper near end' });
});

t.test(
  'a blocked printer that stops answering stays blocked: its buffer could swallow a receipt',
  async (t) => {
    const fake = new FakeTransport();
    const { p } = printer(fake);
    t.teardown(() => p.close());
    await p.start();
    fake.status = { 1: OK, 2: OK, 3: OK, 4: PAPER_OUT };
    await t.rejects(p.print(doc));
    fake.status = null;
    await t.rejects(p.print(doc), { message: /paper out/ });
    t.equal(fake.writes.length, 0);
  },
);

t.test('a failed write rejects, reports offline, reopens with backoff and goes online again', async (t) => {
  const fake = new FakeTransport();
  const { p, states } = printer(fake);
  t.teardown(() => p.close());
  await p.start();
  fake.failWrites = 1;
  await t.rejects(p.print(doc), { message: /EIO/ });
  await until(() => p.status().state === 'online' && fake.opens === 2, 'reopened');
  t.same(
    states.map((s) => s.state),
    ['online', 'offline', 'online'],
  );
  await p.print(doc);
  t.equal(fake.writes.length, 1);
});

t.test('an unplug while idle shows offline at once, then online when plugged back', async (t) => {
  const fake = new FakeTransport();
  const { p, states } = printer(fake);
  t.teardown(() => p.close());
  await p.start();
  fake.unplug();
  await until(() => p.status().state === 'offline', 'offline');
  t.match(p.status().detail, /ENODEV/);
  await sleep(50);
  t.equal(p.status().state, 'offline', 'still offline while unplugged');
  fake.present = true;
  await until(() => p.status().state === 'online', 'online');
  t.same(
    states.map((s) => s.state),
    ['online', 'offline', 'online'],
  );
});

t.test(
  'a link that was up a while and drops (idle TCP) is reopened at once without going offline',
  async (t) => {
    const fake = new FakeTransport();
    const { p, states } = printer(fake);
    t.teardown(() => p.close());
    await p.start();
    await sleep(2100); // longer than the printer's "stable link" threshold
    fake.isOpen = false;
    fake.emit('close', new Error('connection closed by the printer'));
    await until(() => fake.opens === 2, 'reopened');
    await p.print(doc);
    t.same(
      states.map((s) => s.state),
      ['online'],
    );
  },
);

t.test('prints run one at a time, in order', async (t) => {
  const fake = new FakeTransport(false);
  fake.writeDelayMs = 20;
  const { p } = printer(fake);
  t.teardown(() => p.close());
  await p.start();
  const docs = ['first', 'second', 'third'].map((text): PrintDocument => ({
    blocks: [{ kind: 'text', text }],
  }));
  await Promise.all(docs.map((d) => p.print(d)));
  t.equal(fake.maxActiveWrites, 1);
  t.same(
    fake.writes.map((w) => decodeEscpos(w, { columns: 32 }).lines[0]?.trim()),
    ['first', 'second', 'third'],
  );
});

t.test(
  'query: unknown on a one-way link, unknown after one timeout when the printer is silent',
  async (t) => {
    const oneWay = new FakeTransport(false);
    const a = printer(oneWay).p;
    const silent = new FakeTransport(true);
    silent.status = null;
    const b = printer(silent).p;
    t.teardown(async () => {
      await a.close();
      await b.close();
    });
    await a.start();
    await b.start();
    t.match(await a.query(), { paper: 'unknown', coverOpen: 'unknown' });
    t.same(oneWay.requests, []);
    t.equal(b.status().state, 'online', 'a printer that cannot answer still prints');
    silent.requests = [];
    t.match(await b.query(), { paper: 'unknown', coverOpen: 'unknown', offline: 'unknown' });
    t.same(silent.requests, [1], 'gave up after the first unanswered request');
    await b.print(doc);
    t.equal(silent.writes.length, 1);
  },
);

t.test('the cash drawer pulse is sent only when enabled', async (t) => {
  const fake = new FakeTransport(false);
  const { p } = printer(fake, { cashDrawer: true, cut: 'full', columns: 48 });
  t.teardown(() => p.close());
  await p.start();
  await p.print(doc);
  const d = decodeEscpos(fake.writes[0]!, { columns: 48 });
  t.equal(d.drawerPulses, 1);
  t.match(d.paper.at(-1), { kind: 'cut', mode: 'full' });
});

t.test('close is idempotent, stops retrying and refuses later prints', async (t) => {
  const fake = new FakeTransport();
  fake.present = false;
  const { p } = printer(fake);
  await p.start();
  await Promise.all([p.close(), p.close()]);
  await p.close();
  fake.present = true;
  await sleep(100);
  t.equal(fake.opens, 0, 'no reopen after close');
  await t.rejects(p.print(doc), { message: /closed/ });
  t.match(await p.query(), { paper: 'unknown' });
});

t.test('a QR module size no printer accepts is a config error at construction', (t) => {
  t.throws(() => printer(new FakeTransport(), { qr: { moduleSize: 0, errorLevel: 'L' } }), RangeError);
  t.end();
});
