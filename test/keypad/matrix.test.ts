import t, { type Test } from 'tap';
import { pino } from 'pino';
import type { KeyName } from '../../config/keys.js';
import type { DeviceStatus } from '../../drivers/device.js';
import { DeviceError, DeviceErrorCode } from '../../drivers/device-error.js';
import {
  LAYOUT_4X3,
  LAYOUT_4X4,
  MatrixKeypad,
  type MatrixKeypadOptions,
} from '../../drivers/keypad/matrix.js';
import { FakeClock, GpioTwin } from '../helpers/gpio-twin.js';

const ROWS = [5, 6, 13, 19];
const COLS = [12, 16, 20, 21];
const log = pino({ level: 'silent' });

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: i/o error, read`), { code });
}

function setup(t: Test, opts: Partial<MatrixKeypadOptions> = {}) {
  const clock = new FakeClock();
  const cols = opts.cols ?? COLS;
  const twin = new GpioTwin({ clock, matrix: { rows: ROWS, cols } });
  const keys: KeyName[] = [];
  const states: DeviceStatus[] = [];
  const kp = new MatrixKeypad({
    rows: ROWS,
    cols,
    layout: LAYOUT_4X4,
    chip: () => Promise.resolve(twin),
    log,
    timers: clock,
    backoff: { initialMs: 50, jitter: 0 },
    ...opts,
  });
  kp.on('key', (k: KeyName) => keys.push(k));
  kp.on('state', (s: DeviceStatus) => states.push(s));
  t.teardown(() => kp.close());
  const rowDirs = (): string[] => ROWS.map((p) => twin.line(p)?.dir ?? 'closed');
  return { clock, twin, kp, keys, states, rowDirs };
}

t.test('idle waits on column interrupts: no timer, no GPIO traffic', async (t) => {
  const { clock, twin, kp, rowDirs } = setup(t);
  await kp.start();
  t.equal(kp.status().state, 'online');
  t.same(rowDirs(), ['low', 'low', 'low', 'low'], 'all rows driven LOW');
  for (const pin of COLS) {
    t.equal(twin.line(pin)?.edge, 'falling');
    t.equal(twin.line(pin)?.watchers.length, 1, `GPIO${pin} watched`);
  }
  t.equal(clock.pending(), 0, 'no timer armed');
  const before = twin.ops.length;
  await clock.advance(60_000);
  t.equal(twin.ops.length, before, 'a minute idle: not a single read or write');
  t.equal(clock.pending(), 0);
});

t.test('a clean press is one key; held it never repeats; the scan stops after release', async (t) => {
  const { clock, twin, kp, keys, rowDirs } = setup(t);
  await kp.start();
  twin.press(1, 2);
  await clock.advance(100);
  t.same(keys, ['6']);
  t.ok(clock.pending() > 0, 'scanning while the key is down');
  await clock.advance(5_000);
  t.same(keys, ['6'], 'held for 5 s: still one key');
  twin.release(1, 2);
  await clock.advance(100);
  t.equal(clock.pending(), 0, 'back to interrupts');
  t.same(rowDirs(), ['low', 'low', 'low', 'low']);
  const before = twin.ops.length;
  await clock.advance(10_000);
  t.equal(twin.ops.length, before, 'idle again');
  twin.press(1, 2);
  await clock.advance(100);
  twin.release(1, 2);
  await clock.advance(100);
  t.same(keys, ['6', '6'], 'the same key again after a release');
});

t.test('a press shorter than the debounce time is not a key', async (t) => {
  const { clock, twin, kp, keys } = setup(t);
  await kp.start();
  twin.press(0, 0);
  await clock.advance(12);
  twin.release(0, 0);
  await clock.advance(200);
  t.same(keys, []);
  t.equal(clock.pending(), 0);
});

t.test('every key of the 4x4 and 4x3 layouts', async (t) => {
  for (const [layout, cols] of [
    [LAYOUT_4X4, COLS],
    [LAYOUT_4X3, COLS.slice(0, 3)],
  ] as const) {
    const { clock, twin, kp, keys } = setup(t, { layout, cols: [...cols] });
    await kp.start();
    for (let r = 0; r < layout.length; r += 1) {
      for (let c = 0; c < cols.length; c += 1) {
        twin.press(r, c);
        await clock.advance(60);
        twin.release(r, c);
        await clock.advance(60);
      }
    }
    t.same(keys, layout.flat());
    await kp.close();
  }
});

t.test('contact bounce on press and on release gives exactly one key', async (t) => {
  const { clock, twin, kp, keys } = setup(t);
  await kp.start();
  // Flips at uneven sub-ms offsets for ~15 ms so samples land on both states whatever the phase.
  const chatter = [0, 0.7, 1.9, 3.1, 4.4, 6.2, 8.5, 9.3, 12.8, 14.6];
  for (let round = 0; round < 5; round += 1) {
    twin.bounce(2, 1, chatter, 'pressed');
    await clock.advance(150 + round * 1.3);
    twin.bounce(2, 1, chatter, 'released');
    await clock.advance(150);
  }
  t.same(keys, ['8', '8', '8', '8', '8'], 'one key per press, none from the release bounce');
  t.equal(clock.pending(), 0);
});

t.test('an edge storm of glitches and key chatter never makes a key; keys work right after', async (t) => {
  const { clock, twin, kp, keys, rowDirs } = setup(t);
  await kp.start();
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed % (n * 10)) / 10;
  };
  let at = 0;
  for (let i = 0; i < 200; i += 1) {
    if (i % 2 === 0) {
      // Interference on a column for 1-2 ms.
      at += 2 + rand(10);
      twin.glitch(Math.floor(rand(4)), at, 1 + rand(1));
    } else {
      // A key that chatters for under 15 ms (a knock on the case), then a quiet gap.
      const [r, c] = [Math.floor(rand(4)), Math.floor(rand(4))];
      const flips: number[] = [];
      for (let f = 0.5 + rand(1.5); f < 14; f += 0.5 + rand(2.5)) flips.push(f);
      twin.clock.script(at, () => {
        twin.bounce(r, c, flips, 'released');
      });
      at += 40;
    }
  }
  const before = twin.ops.filter((o) => o.op === 'read').length;
  await clock.advance(at + 200);
  t.ok(twin.ops.filter((o) => o.op === 'read').length > before + 500, 'the storm did start scans');
  t.same(keys, [], 'no key from noise');
  t.equal(clock.pending(), 0, 'idle after the storm');
  t.same(rowDirs(), ['low', 'low', 'low', 'low']);
  twin.press(3, 3);
  await clock.advance(60);
  t.same(keys, ['D']);
});

t.test('two keys at once are a ghost: nothing until all are released', async (t) => {
  const { clock, twin, kp, keys } = setup(t);
  await kp.start();
  twin.press(0, 0);
  twin.press(1, 1);
  await clock.advance(200);
  twin.release(0, 0);
  await clock.advance(200);
  t.same(keys, [], 'the remaining key does not count either');
  twin.release(1, 1);
  await clock.advance(100);
  t.equal(clock.pending(), 0);
  twin.press(1, 1);
  await clock.advance(60);
  t.same(keys, ['5'], 'a fresh press counts');
});

t.test('three keys in a rectangle (phantom fourth) give nothing', async (t) => {
  const { clock, twin, kp, keys } = setup(t);
  await kp.start();
  twin.press(0, 0);
  twin.press(0, 1);
  twin.press(1, 0);
  await clock.advance(300);
  for (const [r, c] of [
    [0, 0],
    [0, 1],
    [1, 0],
  ] as const)
    twin.release(r, c);
  await clock.advance(100);
  t.same(keys, []);
  t.equal(clock.pending(), 0);
});

t.test('a second key while the first is held is ignored until both are up', async (t) => {
  const { clock, twin, kp, keys } = setup(t);
  await kp.start();
  twin.press(3, 1);
  await clock.advance(60);
  twin.press(3, 2);
  await clock.advance(200);
  twin.release(3, 1);
  await clock.advance(200);
  t.same(keys, ['0'], 'the held second key is not emitted');
  twin.release(3, 2);
  await clock.advance(100);
  twin.press(3, 2);
  await clock.advance(60);
  t.same(keys, ['0', '#']);
});

t.test('two keys in one column never join a HIGH row to a LOW row', async (t) => {
  // The twin can see a short: rows driven push-pull with two keys in one column.
  const probe = new GpioTwin({ matrix: { rows: ROWS, cols: COLS } });
  probe.open(ROWS[0]!, 'low');
  probe.open(ROWS[1]!, 'high');
  probe.press(0, 2);
  probe.press(1, 2);
  t.ok(probe.shorts > 0, 'the twin detects a short');

  const { clock, twin, kp, keys } = setup(t);
  await kp.start();
  twin.press(0, 2);
  twin.press(1, 2);
  await clock.advance(300);
  twin.release(0, 2);
  twin.release(1, 2);
  await clock.advance(100);
  t.same(keys, []);
  t.equal(twin.shorts, 0, 'inactive rows are high-Z, never driven HIGH');
});

t.test('a key held while the keypad starts must be released first', async (t) => {
  const { clock, twin, kp, keys } = setup(t);
  twin.press(2, 2);
  await kp.start();
  await clock.advance(500);
  t.same(keys, []);
  twin.release(2, 2);
  await clock.advance(100);
  twin.press(2, 2);
  await clock.advance(60);
  t.same(keys, ['9']);
});

t.test('EIO on read: offline, lines released, back online with backoff, keys resume', async (t) => {
  const { clock, twin, kp, keys, states } = setup(t);
  await kp.start();
  twin.readError = errno('EIO');
  twin.press(0, 1);
  await clock.advance(20);
  t.equal(kp.status().state, 'offline');
  t.match(kp.status().detail, /EIO/);
  t.same(twin.openPins(), [], 'every line released');
  t.same(
    states.map((s) => s.state),
    ['online', 'offline'],
  );
  await clock.advance(200);
  t.equal(kp.status().state, 'offline', 'still failing: stays offline, keeps retrying');
  t.ok(twin.opened > ROWS.length + COLS.length, 'retried');
  twin.readError = undefined;
  await clock.advance(2_000);
  t.equal(kp.status().state, 'online');
  t.same(
    states.map((s) => s.state),
    ['online', 'offline', 'online'],
  );
  twin.release(0, 1);
  await clock.advance(100);
  twin.press(0, 1);
  await clock.advance(60);
  t.same(keys, ['2']);
});

t.test('a watch error takes the keypad offline and it reconnects', async (t) => {
  const { clock, twin, kp, keys } = setup(t);
  await kp.start();
  twin.watchFails(errno('EIO'));
  await clock.advance(1);
  t.equal(kp.status().state, 'offline');
  t.same(twin.openPins(), []);
  await clock.advance(100);
  t.equal(kp.status().state, 'online');
  twin.press(1, 3);
  await clock.advance(60);
  t.same(keys, ['B']);
});

t.test('a chip that cannot be opened: absent with its detail, then found later', async (t) => {
  let fail = true;
  const clock = new FakeClock();
  const twin = new GpioTwin({ clock, matrix: { rows: ROWS, cols: COLS } });
  const states: DeviceStatus[] = [];
  const kp = new MatrixKeypad({
    rows: ROWS,
    cols: COLS,
    layout: LAYOUT_4X4,
    chip: () =>
      fail
        ? Promise.reject(
            new DeviceError(DeviceErrorCode.Unavailable, 'gpio', 'sysfs GPIO interface not present', {
              where: '/sys/class/gpio/export',
              hint: 'group gpio',
            }),
          )
        : Promise.resolve(twin),
    log,
    timers: clock,
    backoff: { initialMs: 50, jitter: 0 },
  });
  kp.on('state', (s: DeviceStatus) => states.push(s));
  t.teardown(() => kp.close());
  await kp.start();
  t.equal(kp.status().state, 'absent');
  t.match(kp.status().detail, /\/sys\/class\/gpio\/export.*group gpio/);
  t.equal(states.length, 1, 'absent is announced');
  fail = false;
  await clock.advance(60);
  t.equal(kp.status().state, 'online');
});

t.test('a pin the chip refuses leaves no line half-open', async (t) => {
  const { clock, twin, kp } = setup(t);
  twin.openError = Object.assign(new Error('EBUSY'), { code: 'EBUSY' });
  await kp.start();
  t.equal(kp.status().state, 'absent');
  t.same(twin.openPins(), []);
  twin.openError = undefined;
  await clock.advance(60);
  t.equal(kp.status().state, 'online');
});

t.test('close() mid-scan clears timers, leaves rows undriven, and is idempotent', async (t) => {
  const { clock, twin, kp, keys } = setup(t);
  await kp.start();
  kp.on('key', () => void kp.close());
  twin.press(0, 0);
  await clock.advance(60);
  t.same(keys, ['1']);
  t.equal(clock.pending(), 0);
  t.same(twin.openPins(), []);
  for (const pin of ROWS) {
    const dirs = twin.ops.filter((o) => o.pin === pin && o.op === 'dir');
    t.equal(dirs.at(-1)?.value, 'in', `GPIO${pin} left as input`);
  }
  await kp.close();
  await kp.start();
  t.equal(twin.openPins().length, 0, 'start after close does nothing');
});

t.test('wiring mistakes throw at construction', (t) => {
  const base = {
    rows: ROWS,
    cols: COLS,
    layout: LAYOUT_4X4,
    chip: () => Promise.reject(new Error('x')),
    log,
  };
  t.throws(() => new MatrixKeypad({ ...base, layout: LAYOUT_4X3 }), /layout must be 4x4/);
  t.throws(() => new MatrixKeypad({ ...base, cols: [12, 16, 20, 5] }), /used twice/);
  t.throws(() => new MatrixKeypad({ ...base, rows: [] }), /must not be empty/);
  t.throws(
    () => new MatrixKeypad({ ...base, layout: [['1', '2', '3', 'X' as KeyName], ...LAYOUT_4X4.slice(1)] }),
    /unknown key/,
  );
  t.end();
});
