/**
 * Each transport on the real thing it runs on in production, minus the printer: a TCP server on
 * loopback, a file, a serial pty pair made by socat, and a file or FIFO standing in for /dev/usb/lp0
 * (with the kernel's EINVAL/ENODEV answers played by a wrapper where a plain file cannot give them).
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { buildReceipt } from '../../agent/receipt/build.js';
import type { SaleRecord } from '../../agent/payment/sale.js';
import { DeviceError } from '../../drivers/device-error.js';
import type { DeviceStatus } from '../../drivers/device.js';
import type { PrintDocument } from '../../drivers/printer/document.js';
import { EscposPrinter } from '../../drivers/printer/escpos-printer.js';
import { fileTransport } from '../../drivers/printer/transport/file.js';
import { serialTransport } from '../../drivers/printer/transport/serial.js';
import { tcpTransport } from '../../drivers/printer/transport/tcp.js';
import type { PrinterTransport } from '../../drivers/printer/transport/types.js';
import { openLp, usblpTransport, type LpOpen } from '../../drivers/printer/transport/usblp.js';
import { decodeEscpos } from '../helpers/escpos-decode.js';
import { openPtyPair, socatAvailable } from '../helpers/pty-pair.js';

const log = pino({ level: 'silent' });
const OK = 0x12;
const PAPER_OUT = 0x12 | 0x60;

const SALE: SaleRecord = {
  saleId: 'sale-1',
  requestId: 'req-1',
  outBizId: 'K01202611251930050001',
  status: 'succeeded',
  amountFen: 1250,
  negoPrice: '1250',
  label: '单次入场',
  codeMask: '****1234',
  storeId: '333333',
  machineId: 'K01',
  cashierId: '346753',
  cashierName: '张丽',
  createdAt: Date.UTC(2026, 10, 25, 11, 30, 5),
  updatedAt: Date.UTC(2026, 10, 25, 11, 30, 7),
  result: { checkoutId: '2026112522001234567890', currentPayFee: 1250 },
  attempts: 1,
  printed: false,
};
const receipt = buildReceipt(SALE, {
  storeName: '力美健身',
  language: 'zh',
  timeZone: 'Asia/Shanghai',
  demo: false,
});

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function newPrinter(transport: PrinterTransport, statusTimeoutMs = 200): EscposPrinter {
  return new EscposPrinter({
    transport,
    columns: 32,
    cut: 'partial',
    qr: { moduleSize: 6, errorLevel: 'M' },
    statusTimeoutMs,
    log,
    backoff: { initialMs: 20, maxMs: 100, jitter: 0 },
  });
}

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'xpos-printer-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Answers each DLE EOT n found in `chunk` with `status[n]`, as a printer's real-time handler does. */
function answers(chunk: Buffer, status: Record<number, number> | null): Buffer {
  const out: number[] = [];
  for (let i = 0; i + 2 < chunk.length; i++) {
    if (chunk[i] === 0x10 && chunk[i + 1] === 0x04) {
      const byte = status?.[chunk[i + 2] ?? 0];
      if (byte !== undefined) out.push(byte);
    }
  }
  return Buffer.from(out);
}

// ---------------------------------------------------------------- TCP

interface FakeNetPrinter {
  server: Server;
  port: number;
  received: Buffer[];
  sockets: Set<Socket>;
  status: Record<number, number> | null;
}

async function netPrinter(t: Test): Promise<FakeNetPrinter> {
  const p: FakeNetPrinter = {
    server: createServer(),
    port: 0,
    received: [],
    sockets: new Set(),
    status: { 1: OK, 2: OK, 3: OK, 4: OK },
  };
  p.server.on('connection', (s) => {
    p.sockets.add(s);
    s.on('close', () => p.sockets.delete(s));
    s.on('error', () => undefined);
    s.on('data', (chunk: Buffer) => {
      p.received.push(chunk);
      const reply = answers(chunk, p.status);
      if (reply.length > 0) s.write(reply);
    });
  });
  await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
  p.port = (p.server.address() as AddressInfo).port;
  t.teardown(async () => {
    for (const s of p.sockets) s.destroy();
    await new Promise((resolve) => p.server.close(resolve));
  });
  return p;
}

t.test('TCP 9100: a receipt arrives whole after DLE EOT, and paper out is refused', async (t) => {
  const net = await netPrinter(t);
  const printer = newPrinter(tcpTransport({ host: '127.0.0.1', port: net.port, log }));
  t.teardown(() => printer.close());
  await printer.start();
  t.equal(printer.status().state, 'online');
  t.match(await printer.query(), { paper: 'ok', coverOpen: false });

  net.received.length = 0;
  await printer.print(receipt);
  await until(() => decodeEscpos(Buffer.concat(net.received), { columns: 32 }).cuts.length === 1, 'the cut');
  const d = decodeEscpos(Buffer.concat(net.received), { columns: 32 });
  t.same(d.statusRequests, [1, 2, 3, 4], 'status asked before the job');
  t.same(d.qr, ['K01202611251930050001']);
  t.ok(d.lines.some((l) => /状态\s+成功/.test(l)));

  net.status = { 1: OK | 0x08, 2: OK | 0x20, 3: OK, 4: PAPER_OUT };
  await t.rejects(printer.print(receipt), { message: /paper out/ });
  t.equal(printer.status().detail, 'paper out');
  net.status = { 1: OK, 2: OK, 3: OK, 4: OK };
  await until(() => printer.status().state === 'online', 'online after paper loaded');
});

t.test(
  'TCP: a silent printer answers nothing (null after the timeout), a refused connect is a DeviceError',
  async (t) => {
    const net = await netPrinter(t);
    net.status = null;
    const tr = tcpTransport({ host: '127.0.0.1', port: net.port, log });
    t.teardown(() => tr.close());
    await tr.open();
    t.equal(await tr.request(Buffer.from([0x10, 0x04, 0x01]), 1, 100), null);

    const closed = new Promise<Error | undefined>((resolve) => tr.on('close', resolve));
    for (const s of net.sockets) s.end();
    t.match(await closed, Error, 'the printer hanging up is a close event');

    const port = net.port;
    await new Promise((resolve) => net.server.close(resolve));
    const refused = tcpTransport({ host: '127.0.0.1', port, log, connectTimeoutMs: 2000 });
    await t.rejects(refused.open(), {
      name: 'DeviceError',
      message: /cannot connect: ECONNREFUSED.*tcp:\/\/127\.0\.0\.1/,
    });
    t.throws(() => tcpTransport({ host: 'x', port: 0, log }), RangeError);
  },
);

// ---------------------------------------------------------------- file

t.test('file transport appends each job; one-way, so status is unknown', async (t) => {
  const path = join(tempDir(t), 'paper.bin');
  const printer = newPrinter(fileTransport({ path }));
  t.teardown(() => printer.close());
  await printer.start();
  t.equal(printer.status().state, 'online');
  t.match(await printer.query(), { paper: 'unknown', coverOpen: 'unknown' });
  await printer.print(receipt);
  await printer.print({ blocks: [{ kind: 'text', text: '第二张' }] });
  const d = decodeEscpos(readFileSync(path), { columns: 32 });
  t.equal(d.inits, 2);
  t.equal(d.lines.at(-1)?.trim(), '第二张');

  const missing = newPrinter(fileTransport({ path: join(path, 'no', 'dir') }));
  await missing.start();
  t.equal(missing.status().state, 'absent');
  await missing.close();
});

// ---------------------------------------------------------------- serial through a socat pty

t.test(
  'serial printer through a socat pty',
  { skip: !socatAvailable() && 'socat is not installed' },
  async (t) => {
    const pair = await openPtyPair();
    t.teardown(() => pair.close());
    // The printer's side of the cable: collects what the host sends, answers DLE EOT when told to.
    const twin = { bytes: [] as Buffer[], status: null as Record<number, number> | null };
    const poll = setInterval(() => {
      const chunk = pair.received();
      if (chunk.length === 0) return;
      twin.bytes.push(chunk);
      const reply = answers(chunk, twin.status);
      if (reply.length > 0) pair.send(reply);
    }, 5);
    t.teardown(() => clearInterval(poll));

    const printer = newPrinter(serialTransport({ path: pair.port, baudRate: 115200, log }));
    t.teardown(() => printer.close());
    await printer.start();
    t.equal(printer.status().state, 'online', 'online though the printer never answered');

    t.test('no answer: status unknown after the timeout, and the receipt still prints', async (t) => {
      t.match(await printer.query(), { paper: 'unknown', coverOpen: 'unknown' });
      twin.bytes.length = 0;
      await printer.print(receipt);
      await until(
        () => decodeEscpos(Buffer.concat(twin.bytes), { columns: 32 }).cuts.length === 1,
        'the cut',
      );
      const d = decodeEscpos(Buffer.concat(twin.bytes), { columns: 32 });
      t.same(d.statusRequests, [1], 'one unanswered DLE EOT, then the job');
      t.same(d.qr, [SALE.outBizId]);
      t.ok(d.lines.some((l) => /付款码\s+\*\*\*\*1234/.test(l)));
      t.ok(d.lines.some((l) => /实付\s+￥12\.50/.test(l)));
    });

    t.test('paper out, answered over the wire, refuses the print until paper is loaded', async (t) => {
      twin.status = { 1: OK | 0x08, 2: OK | 0x20, 3: OK, 4: PAPER_OUT };
      twin.bytes.length = 0;
      await t.rejects(printer.print(receipt), DeviceError);
      t.same(printer.status(), { device: 'printer', state: 'offline', detail: 'paper out' });
      const asked = decodeEscpos(Buffer.concat(twin.bytes), { columns: 32 });
      t.same(asked.statusRequests, [1, 2, 3, 4]);
      t.equal(asked.inits, 0, 'no receipt bytes sent');
      t.match(await printer.query(), { paper: 'out', offline: true });

      twin.status = { 1: OK, 2: OK, 3: OK, 4: OK };
      await until(() => printer.status().state === 'online', 'online');
      await printer.print(receipt);
    });

    t.test('unplug: offline, then online again when plugged back', async (t) => {
      const states: string[] = [];
      printer.on('state', (s: DeviceStatus) => states.push(s.state));
      await pair.unplug();
      await until(() => printer.status().state === 'offline', 'offline');
      await pair.plug();
      await until(() => printer.status().state === 'online', 'online', 15_000);
      t.same(states, ['offline', 'online']);
      twin.bytes.length = 0;
      await printer.print(receipt);
      await until(() => decodeEscpos(Buffer.concat(twin.bytes), { columns: 32 }).qr.length === 1, 'the QR');
      t.same(decodeEscpos(Buffer.concat(twin.bytes), { columns: 32 }).qr, [SALE.outBizId]);
    });
  },
);

// ---------------------------------------------------------------- usblp

/** openLp on a stand-in file, with some calls replaced to play what usblp answers. */
function lpWith(over: {
  read?: (buf: Buffer) => Promise<number>;
  write?: (buf: Buffer) => Promise<number>;
}): LpOpen {
  return async (path) => {
    const f = await openLp(path);
    return { read: over.read ?? f.read, write: over.write ?? f.write, close: f.close };
  };
}

const errno = (code: string): Error => Object.assign(new Error(`${code}: simulated`), { code });

t.test('usblp on a file: the job lands whole; a unidirectional printer (EINVAL) is one-way', async (t) => {
  const path = join(tempDir(t), 'lp0');
  execFileSync('touch', [path]);
  const oneWay = usblpTransport({ path, log, open: lpWith({ read: () => Promise.reject(errno('EINVAL')) }) });
  const printer = newPrinter(oneWay);
  t.teardown(() => printer.close());
  await printer.start();
  t.equal(oneWay.twoWay, false);
  t.match(await printer.query(), { paper: 'unknown' });
  await printer.print(receipt);
  const d = decodeEscpos(readFileSync(path), { columns: 32 });
  t.same(d.statusRequests, [], 'no DLE EOT on a one-way link');
  t.same(d.qr, [SALE.outBizId]);
});

t.test(
  'usblp: ENODEV on write rejects, goes offline, and the printer comes back when replugged',
  async (t) => {
    const path = join(tempDir(t), 'lp0');
    execFileSync('touch', [path]);
    let gone = false;
    const open: LpOpen = async (p) => {
      if (gone) throw errno('ENOENT');
      return lpWith({
        read: () => Promise.reject(errno('EINVAL')),
        write: () => Promise.reject(errno('ENODEV')),
      })(p);
    };
    const printer = newPrinter(usblpTransport({ path, log, open }));
    t.teardown(() => printer.close());
    await printer.start();
    gone = true;
    await t.rejects(printer.print(receipt), { message: /not found \(.*lp0\)/, cause: { code: 'ENODEV' } });
    await until(() => printer.status().state === 'offline', 'offline');
    t.match(printer.status().detail, /not found/);
    gone = false;
    await until(() => printer.status().state === 'online', 'online');
  },
);

t.test('usblp: the device node vanishing while idle is noticed without a print', async (t) => {
  const path = join(tempDir(t), 'lp0');
  execFileSync('touch', [path]);
  const tr = usblpTransport({ path, log, presenceMs: 20 });
  t.teardown(() => tr.close());
  await tr.open();
  t.equal(tr.twoWay, true, 'a file reads 0 bytes, not EINVAL');
  t.equal(await tr.request(Buffer.from([0x10, 0x04, 0x01]), 1, 50), null, 'nothing answers');
  const closed = new Promise<Error | undefined>((resolve) => tr.on('close', resolve));
  rmSync(path);
  t.match(await closed, { code: 'ENOENT' });
});

t.test(
  'usblp on a FIFO: EAGAIN while the printer is busy is retried, a stuck printer times out',
  async (t) => {
    const dir = tempDir(t);
    const fifo = join(dir, 'lp0');
    execFileSync('mkfifo', [fifo]);
    // The "printer" end; O_RDWR keeps the FIFO open for the transport's non-blocking O_RDWR too.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    t.teardown(() => closeSync(reader));
    const tr = usblpTransport({ path: fifo, log, pollMs: 5, writeTimeoutMs: 300, presenceMs: 0 });
    t.teardown(() => tr.close());
    await tr.open();

    const lines: PrintDocument = {
      blocks: Array.from({ length: 3000 }, (_, i) => ({ kind: 'text' as const, text: `第${i}行 line` })),
    };
    const bytes = Buffer.from(JSON.stringify(lines)); // > 64 KiB: more than a pipe holds
    t.ok(bytes.length > 65536);
    let taken = Buffer.alloc(0);
    const buf = Buffer.alloc(8192);
    const drain = (): void => {
      for (;;) {
        let n: number;
        try {
          n = readSync(reader, buf, 0, buf.length, null);
        } catch {
          return; // EAGAIN
        }
        if (n <= 0) return;
        taken = Buffer.concat([taken, buf.subarray(0, n)]);
      }
    };
    const slowPrinter = setInterval(drain, 20);
    await tr.write(bytes);
    clearInterval(slowPrinter);
    drain();
    t.ok(taken.equals(bytes), 'every byte, in order, across EAGAIN');

    await t.rejects(tr.write(bytes), { message: /took no data for 300 ms/ }, 'nobody reads: a stuck printer');
  },
);
