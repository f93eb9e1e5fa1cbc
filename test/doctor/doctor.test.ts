/**
 * `doctor` against temp kiosks: the simulator's all-OK path and the test receipt, then one broken
 * device, ledger or config at a time, each on its own line with the fix and in the exit code.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { TEST_QR } from '../../agent/doctor/checks-printer.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import type { SaleRecord } from '../../agent/payment/sale.js';
import { decodeEscpos } from '../helpers/escpos-decode.js';
import { openPtyPair, socatAvailable } from '../helpers/pty-pair.js';
import { runDoctor, type DoctorOptions } from '../../agent/doctor/doctor.js';
import { find, kiosk, log } from '../helpers/doctor-kiosk.js';

t.test('the simulator config with the embedded sandbox: every check OK, exit 0', async (t) => {
  const k = kiosk(t);
  const run = await k.run();
  t.same(
    run.results.filter((r) => r.level !== 'ok').map((r) => `${r.check}: ${r.detail}`),
    [],
    'nothing but OK',
  );
  t.equal(run.exitCode, 0);
  t.same(
    run.results.map((r) => r.check),
    [
      'config',
      'secret',
      'scanner',
      'keypad',
      'feedback',
      'display',
      'printer status',
      'ledger',
      'disk space',
      'queue',
      'gateway reachable',
      'gateway tls',
      'gateway clock',
      'gateway signed call',
    ],
  );
  t.match(find(run, 'printer status').detail, /status not readable on this link/);
  t.match(find(run, 'gateway signed call').detail, /signature accepted.*isv\.checkout-not-exist/);
  t.notOk(
    run.results.some((r) => r.check === 'print test'),
    'no test receipt unless asked',
  );
});

t.test('--print-test puts 测试小票 and the test QR on the paper', async (t) => {
  const k = kiosk(t);
  const run = await k.run({ printTest: true });
  t.equal(find(run, 'print test').level, 'ok');
  const paper = decodeEscpos(readFileSync(k.paper), { columns: 32 });
  const text = paper.lines.join('\n');
  t.match(text, /测\s*试\s*小\s*票/, 'the title, printed double size');
  t.match(text, /Test receipt/);
  t.match(text, /健身中心 \(333333\)/);
  t.match(text, /K01/);
  t.same(paper.qr, [TEST_QR]);
  t.equal(paper.cuts.length, 1);
  t.equal(run.exitCode, 0);
});

/** A network printer that answers every DLE EOT n with `roll` for n = 4 and "all fine" otherwise. */
async function tcpPrinter(t: Test, roll: () => number): Promise<number> {
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (data) => {
      for (let i = 0; i + 2 < data.length; i++) {
        if (data[i] === 0x10 && data[i + 1] === 0x04)
          socket.write(Buffer.from([data[i + 2] === 4 ? roll() : 0x12]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

t.test('a two-way printer: paper out FAILs, near end WARNs, a full roll is OK', async (t) => {
  let roll = 0x12;
  const port = await tcpPrinter(t, () => roll);
  const k = kiosk(t, (c) => {
    c.devices.printer = { type: 'tcp', host: '127.0.0.1', port };
  });
  let run = await k.run();
  t.match(find(run, 'printer status'), {
    level: 'ok',
    detail: /tcp:\/\/127\.0\.0\.1:\d+: online, paper ok, cover closed/,
  });
  roll = 0x12 | 0x0c;
  run = await k.run();
  t.match(find(run, 'printer status'), { level: 'warn', detail: /paper near end/, fix: /paper roll soon/ });
  t.equal(run.exitCode, 1);
  roll = 0x12 | 0x60;
  run = await k.run({ printTest: true });
  t.match(find(run, 'printer status'), { level: 'fail', detail: /paper out/, fix: 'load a paper roll' });
  t.match(find(run, 'print test'), { level: 'fail', fix: 'load a paper roll' });
});

t.test('scanner: a missing path FAILs naming it; none configured FAILs; no printer WARNs', async (t) => {
  let k = kiosk(t, (c, dir) => {
    c.devices.scanner = { type: 'serial', path: join(dir, 'ttyUSB9') };
  });
  let run = await k.run();
  const scanner = find(run, 'scanner');
  t.equal(scanner.level, 'fail');
  t.match(scanner.detail, join(k.dir, 'ttyUSB9'));
  t.match(scanner.detail, /ENOENT/);
  t.match(scanner.fix, /check the cable and the configured path/);
  t.equal(run.exitCode, 2);

  k = kiosk(t, (c) => {
    delete c.devices.scanner;
    delete c.devices.printer;
  });
  run = await k.run({ printTest: true });
  t.match(find(run, 'scanner'), { level: 'fail', detail: /no sale can be taken/ });
  t.match(find(run, 'printer status'), { level: 'warn', detail: /not configured/ });
  t.match(find(run, 'print test'), { level: 'fail' });
});

t.test(
  'a real pty as the scanner: opened; a service holding it: not opened',
  { skip: !socatAvailable() && 'socat missing' },
  async (t) => {
    const pair = await openPtyPair();
    t.teardown(() => pair.close());
    const k = kiosk(t, (c) => {
      c.devices.scanner = { type: 'serial', path: pair.port };
    });
    let run = await k.run();
    const line = find(run, 'scanner');
    t.equal(line.level, 'ok', line.detail);
    t.match(line.detail, /opened read\/write \(9600 baud\)/);
    t.match(line.detail, /→ \/dev\/pts\/\d+/, 'the symlink resolved');
    t.ok(find(run, 'scanner access'), 'the group line follows');

    // A process that looks like the daemon holds the port: the doctor must not open it.
    const daemon = spawn(
      process.execPath,
      [
        '-e',
        'require("fs").openSync(process.argv[1], "r+"); setInterval(() => {}, 1000)',
        pair.port,
        '/opt/xpos-agent/dist/agent/main.js',
        'run',
      ],
      { stdio: 'ignore' },
    );
    t.teardown(() => daemon.kill());
    for (let i = 0; i < 100; i++) {
      run = await k.run();
      if (/in use by the running service/.test(find(run, 'scanner').detail)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    t.match(find(run, 'scanner'), {
      level: 'ok',
      detail: new RegExp(`in use by the running service \\(pid ${daemon.pid}\\), not opened`),
    });
  },
);

t.test("device access: the node's group and mode against the service user", async (t) => {
  // A regular file stands in for the node: only its owner, group and mode matter here.
  const k = kiosk(t, (c, dir) => {
    c.devices.scanner = { type: 'serial', path: join(dir, 'tty') };
  });
  const node = join(k.dir, 'tty');
  writeFileSync(node, '');
  const gid = process.getgid?.() ?? 0;
  const group = (members: string): string => `dialout:x:${gid}:${members}\n`;
  const files = (g: string): NonNullable<DoctorOptions['files']> => {
    writeFileSync(join(k.dir, 'group'), g);
    return { etcGroup: join(k.dir, 'group') };
  };

  chmodSync(node, 0o660);
  let run = await k.run({ files: files(group('xpos-agent')) });
  t.match(find(run, 'scanner access'), {
    level: 'ok',
    detail: /-rw-rw---- \S+:dialout: xpos-agent can open it \(group dialout\)/,
  });
  t.match(find(run, 'scanner'), { level: 'warn', detail: /not a device node/ });

  run = await k.run({ files: files(group('')) });
  t.match(find(run, 'scanner access'), { level: 'warn', fix: /usermod -aG dialout xpos-agent/ });

  chmodSync(node, 0o600);
  run = await k.run({ files: files(group('xpos-agent')) });
  t.match(find(run, 'scanner access'), { level: 'fail', fix: /udev rule.*GROUP="dialout"/ });

  writeFileSync(join(k.dir, 'passwd'), '');
  run = await k.run({ files: files(group('')) });
  t.match(find(run, 'scanner access'), { level: 'warn', detail: /service user xpos-agent does not exist/ });
});

t.test("gpio keypad: chip base from sysfs, or FAIL with the driver's hint", async (t) => {
  const k = kiosk(t, (c) => {
    c.devices.keypad = { type: 'gpio-matrix', rows: [5, 6, 13, 19], cols: [12, 16, 20, 21] };
    c.devices.feedback = { type: 'gpio', buzzer: 18 };
  });
  let run = await k.run();
  t.match(find(run, 'gpio'), { level: 'fail', detail: /sysfs GPIO interface not present/ });
  t.match(find(run, 'keypad'), { level: 'fail', detail: /see gpio/ });

  const sysfs = join(k.dir, 'sysfs');
  mkdirSync(join(sysfs, 'gpiochip512'), { recursive: true });
  writeFileSync(join(sysfs, 'gpiochip512', 'label'), 'pinctrl-bcm2711\n');
  writeFileSync(join(sysfs, 'gpiochip512', 'base'), '512\n');
  writeFileSync(join(sysfs, 'gpiochip512', 'ngpio'), '58\n');
  writeFileSync(join(sysfs, 'export'), '');
  mkdirSync(join(sysfs, 'gpio530'));
  run = await k.run({ files: { sysfsGpio: sysfs } });
  t.match(find(run, 'gpio'), { level: 'ok', detail: /pinctrl-bcm2711 at base 512/ });
  t.match(find(run, 'keypad'), { level: 'ok', detail: /sysfs 517,518,525,531,524,528,532,533/ });
  t.match(find(run, 'feedback'), { level: 'ok', detail: /buzzer BCM 18 → sysfs 530; exported now: BCM 18/ });
  t.ok(find(run, 'gpio access'));
});

function sale(n: number, extra: Partial<SaleRecord> = {}): SaleRecord {
  return {
    saleId: `boot1-${n}`,
    requestId: `req-${n}`,
    outBizId: `K01${String(n).padStart(6, '0')}`,
    status: 'pending',
    amountFen: 1250,
    negoPrice: '1250',
    codeMask: '****3456',
    storeId: '333333',
    machineId: 'K01',
    cashierId: '346753',
    cashierName: '张丽',
    createdAt: Date.now() - 3_600_000,
    updatedAt: Date.now(),
    attempts: 1,
    printed: false,
    ...extra,
  };
}

t.test('ledger: integrity, queue summary, a flagged sale WARNs, a corrupt file FAILs', async (t) => {
  const k = kiosk(t);
  mkdirSync(k.stateDir);
  const path = join(k.stateDir, 'ledger.db');
  const ledger = Ledger.open({ path, log });
  ledger.create(sale(1));
  ledger.create(sale(2, { status: 'queued', amountFen: 500, negoPrice: '500', offline: true }));
  let run = await k.run();
  t.match(find(run, 'ledger'), { level: 'ok', detail: /integrity ok, schema v\d+/ });
  t.match(find(run, 'queue'), {
    level: 'ok',
    detail: /unresolved 1 \(￥12\.50\), queued 1 \(￥5\.00\), flagged 0, unprinted 2, oldest open 1h00m/,
  });
  ledger.update('boot1-1', { flag: 'unresolved for a day' });
  run = await k.run();
  t.match(find(run, 'queue'), { level: 'warn', detail: /flagged 1/, fix: /queue list/ });
  t.equal(run.exitCode, 1, 'the worst is a WARN');
  ledger.close();

  writeFileSync(path, Buffer.alloc(8192, 0x5a));
  run = await k.run();
  t.match(find(run, 'ledger'), { level: 'fail', detail: /not a readable SQLite database/, fix: /mv / });
  t.equal(run.exitCode, 2);
  t.equal(readFileSync(path).length, 8192, 'the corrupt file is left as it was');
});

t.test('an invalid config: every problem listed, exit 78, nothing else checked', async (t) => {
  const dir = t.testdir({
    'bad.yaml': 'gateway: { url: ftp://x, app_key: "" }\nstore: { machine_id: "no spaces allowed" }\n',
  });
  const run = await runDoctor({ configPath: join(dir, 'bad.yaml') });
  t.equal(run.exitCode, 78);
  t.equal(run.results.length, 1);
  const c = find(run, 'config');
  t.equal(c.level, 'fail');
  t.ok((c.lines ?? []).length >= 4, 'one line per problem');
  t.match((c.lines ?? []).join('\n'), /gateway\.url[\s\S]*store\.machine_id/);
});

t.test(
  'the display: its absence is reported, a console is checked for write access through group tty',
  async (t) => {
    const none = await kiosk(t).run();
    t.match(find(none, 'display'), {
      level: 'ok',
      detail: /not configured \(devices\.display\).*beeps and LEDs/,
    });
    const withTty = await kiosk(t, (c, dir) => {
      writeFileSync(join(dir, 'not-a-console'), '');
      c.devices.display = { type: 'tty', path: join(dir, 'not-a-console') };
    }).run();
    t.match(find(withTty, 'display'), { level: 'warn', detail: /not a device node/ });
  },
);
