/**
 * The whole kiosk on real drivers: the serial scanner reads a socat pty, the GPIO matrix keypad runs
 * on the GPIO twin (the one part this machine cannot have), and the ESC/POS printer writes its bytes
 * to a file that the test decodes back into paper lines. All of it built by the config factory.
 */
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDevices } from '../../agent/devices.js';
import { createLogger } from '../../agent/log.js';
import { validateConfig } from '../../config/load.js';
import { MatrixKeypad } from '../../drivers/keypad/matrix.js';
import { EscposPrinter } from '../../drivers/printer/escpos-printer.js';
import { SerialScanner } from '../../drivers/scanner/serial.js';
import { decodeEscpos } from '../helpers/escpos-decode.js';
import { FakeClock, GpioTwin } from '../helpers/gpio-twin.js';
import { startKiosk } from '../helpers/kiosk-harness.js';
import { openPtyPair } from '../helpers/pty-pair.js';

const CODE = '281234567890123456';
const ROWS = [5, 6, 13, 19];
const COLS = [12, 16, 20, 21];

t.test('a pty-fed scanner, the matrix keypad and the ESC/POS printer drive a full sale', async (t) => {
  const pair = await openPtyPair();
  t.teardown(() => pair.close());
  const dir = t.testdir({});
  const paper = join(dir, 'printer.bin');
  const log = createLogger('silent');
  const config = validateConfig({
    gateway: { url: 'sandbox', app_key: '12345678' },
    store: { store_id: '1', cashier_id: '1', cashier_name: '张丽', machine_id: 'T01' },
    paths: { state_dir: dir },
    devices: {
      scanner: { type: 'serial', path: pair.port, terminator: 'crlf' },
      printer: { type: 'file', path: paper, columns: 32 },
    },
  });
  const built = buildDevices(config, log);
  t.type(built.devices.scanner, SerialScanner, 'the factory builds the serial scanner');
  t.type(built.devices.printer, EscposPrinter, 'and the ESC/POS printer');

  const clock = new FakeClock();
  const twin = new GpioTwin({ clock, matrix: { rows: ROWS, cols: COLS } });
  const keypad = new MatrixKeypad({
    rows: ROWS,
    cols: COLS,
    layout: [
      ['1', '2', '3', 'A'],
      ['4', '5', '6', 'B'],
      ['7', '8', '9', 'C'],
      ['*', '0', '#', 'D'],
    ],
    chip: () => Promise.resolve(twin),
    timers: clock,
    log,
  });
  const press = async (r: number, c: number): Promise<void> => {
    twin.press(r, c);
    await clock.advance(60);
    twin.release(r, c);
    await clock.advance(60);
  };

  const k = await startKiosk(t, {
    devices: { scanner: built.devices.scanner, printer: built.devices.printer, keypad },
  });
  await k.until(() => k.agent.runtime.kiosk.memory.outOfService === undefined);

  // 1 2 # on the keypad, then the code arrives over the serial line in two chunks.
  await press(0, 0);
  await press(0, 1);
  await press(3, 2);
  t.match(k.agent.runtime.kiosk.state, { mode: 'awaiting-scan', sale: { amountFen: 1200 } });
  pair.send(CODE.slice(0, 7));
  pair.send(`${CODE.slice(7)}\r\n`);
  await k.until(() => k.agent.store.last()?.printed === true);
  const sale = k.agent.store.last();
  t.equal(sale?.status, 'succeeded');
  t.equal(k.gateway.charges.charges, 1, 'charged once');

  const decoded = decodeEscpos(readFileSync(paper), { columns: 32 });
  const text = decoded.lines.join('\n');
  t.match(text, /成功/, 'the paper says 成功');
  t.match(text, /12\.00/);
  t.match(text, /\*\*\*\*3456/, 'the code only masked');
  t.notMatch(text, CODE);
  t.same(decoded.qr, [sale?.outBizId], 'the QR is the order reference');
  t.equal(decoded.cuts.length, 1);

  // Unplugged: the kiosk stops selling and says why; plugged back: it sells again.
  await pair.unplug();
  await k.until(() => /Scanner offline/.test(k.agent.runtime.kiosk.memory.outOfService ?? ''));
  await press(0, 3);
  t.equal(k.agent.runtime.kiosk.state.mode, 'idle', 'a preset key is refused while the scanner is gone');
  await pair.plug();
  await k.until(() => k.agent.runtime.kiosk.memory.outOfService === undefined);
  await press(0, 2);
  await press(3, 2);
  pair.send('289999999999998888\r');
  await k.until(() => k.gateway.charges.charges === 2 && k.agent.store.last()?.printed === true);
  t.match(decodeEscpos(readFileSync(paper), { columns: 32 }).lines.join('\n'), /\*\*\*\*8888/);
  t.ok(existsSync(paper));
});
