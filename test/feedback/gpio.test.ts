import t, { type Test } from 'tap';
import { pino } from 'pino';
import type { Bit } from '../../drivers/gpio/types.js';
import { GpioFeedback, PATTERNS, type GpioFeedbackOptions } from '../../drivers/feedback/gpio.js';
import type { FeedbackPattern } from '../../drivers/feedback/types.js';
import { FakeClock, GpioTwin } from '../helpers/gpio-twin.js';

const BUZZER = 18;
const GREEN = 23;
const RED = 24;
const T = 1_000; // signals start here so open (t=0) and pattern steps are told apart

function setup(t: Test, opts: Partial<GpioFeedbackOptions> = {}) {
  const clock = new FakeClock();
  const twin = new GpioTwin({ clock });
  const logs: { level: number; msg: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => logs.push(JSON.parse(s) as never) });
  const fb = new GpioFeedback({
    buzzer: BUZZER,
    green: GREEN,
    red: RED,
    chip: () => Promise.resolve(twin),
    log,
    timers: clock,
    backoff: { initialMs: 1_000, jitter: 0 },
    ...opts,
  });
  t.teardown(() => fb.close());
  /** Level changes from T on, as [ms since T, level]. */
  const after = (pin: number): [number, Bit][] =>
    twin
      .levels(pin)
      .filter(([at]) => at >= T)
      .map(([at, v]) => [at - T, v]);
  return { clock, twin, fb, logs, after };
}

async function play(t: Test, pattern: FeedbackPattern, ms: number) {
  const s = setup(t);
  await s.fb.start();
  await s.clock.advance(T);
  s.fb.signal(pattern);
  await s.clock.advance(ms);
  return s;
}

t.test('start opens every pin at its off level and reports online', async (t) => {
  const { fb, twin } = setup(t);
  await fb.start();
  t.equal(fb.status().state, 'online');
  for (const pin of [BUZZER, GREEN, RED]) t.same(twin.levels(pin), [[0, 0]], `GPIO${pin} off`);
});

t.test('key: a 20 ms click, LEDs untouched', async (t) => {
  const { after, clock } = await play(t, 'key', 5_000);
  t.same(after(BUZZER), [
    [0, 1],
    [20, 0],
  ]);
  t.same(after(GREEN), []);
  t.same(after(RED), []);
  t.equal(clock.pending(), 0, 'done: no timer left');
});

t.test('success: two short beeps and green for 2 s', async (t) => {
  const { after, clock } = await play(t, 'success', 5_000);
  t.same(after(BUZZER), [
    [0, 1],
    [80, 0],
    [160, 1],
    [240, 0],
  ]);
  t.same(after(GREEN), [
    [0, 1],
    [2000, 0],
  ]);
  t.same(after(RED), []);
  t.equal(clock.pending(), 0);
});

t.test('failure: one long beep and red for 2 s', async (t) => {
  const { after } = await play(t, 'failure', 5_000);
  t.same(after(BUZZER), [
    [0, 1],
    [600, 0],
  ]);
  t.same(after(RED), [
    [0, 1],
    [2000, 0],
  ]);
  t.same(after(GREEN), []);
});

t.test('pending: slow green blink that lasts until the next signal', async (t) => {
  const { after, clock, fb } = await play(t, 'pending', 3_100);
  t.same(after(GREEN), [
    [0, 1],
    [500, 0],
    [1000, 1],
    [1500, 0],
    [2000, 1],
    [2500, 0],
    [3000, 1],
  ]);
  t.same(after(BUZZER), [], 'silent');
  t.equal(clock.pending(), 1, 'still blinking');
  fb.signal('key');
  t.same(after(GREEN).at(-1), [3100, 0], 'the next signal puts it out at once');
  await clock.advance(5_000);
  t.same(after(GREEN).at(-1), [3100, 0], 'and it stays out');
});

t.test('offline: red blinks fast until the next signal', async (t) => {
  const { after, clock } = await play(t, 'offline', 1_100);
  t.same(after(RED), [
    [0, 1],
    [250, 0],
    [500, 1],
    [750, 0],
    [1000, 1],
  ]);
  t.equal(clock.pending(), 1);
});

t.test('attention: three quick beeps and red left on', async (t) => {
  const { after, clock } = await play(t, 'attention', 10_000);
  t.same(after(BUZZER), [
    [0, 1],
    [60, 0],
    [120, 1],
    [180, 0],
    [240, 1],
    [300, 0],
  ]);
  t.same(after(RED), [[0, 1]]);
  t.equal(clock.pending(), 0);
});

t.test('every pattern is distinct by sound or light', (t) => {
  const all = (Object.keys(PATTERNS) as FeedbackPattern[]).map((p) => JSON.stringify(PATTERNS[p]));
  t.equal(new Set(all).size, Object.keys(PATTERNS).length);
  t.end();
});

t.test('a new signal cuts the running one short', async (t) => {
  const { after, clock, fb } = await play(t, 'success', 100);
  fb.signal('failure');
  await clock.advance(5_000);
  t.same(
    after(GREEN),
    [
      [0, 1],
      [100, 0],
    ],
    'green off when failure starts',
  );
  t.same(
    after(BUZZER),
    [
      [0, 1],
      [80, 0],
      [100, 1],
      [700, 0],
    ],
    'no second success beep',
  );
  t.same(after(RED), [
    [100, 1],
    [2100, 0],
  ]);
});

t.test('activeLow inverts every output', async (t) => {
  const { fb, twin, clock, after } = setup(t, { activeLow: true });
  await fb.start();
  t.same(twin.levels(BUZZER), [[0, 1]], 'opened HIGH = off');
  await clock.advance(T);
  fb.signal('failure');
  await clock.advance(3_000);
  t.same(after(BUZZER), [
    [0, 0],
    [600, 1],
  ]);
  t.same(after(RED), [
    [0, 0],
    [2000, 1],
  ]);
});

t.test('only the pins configured are driven', async (t) => {
  const clock = new FakeClock();
  const twin = new GpioTwin({ clock });
  const solo = new GpioFeedback({
    buzzer: 4,
    chip: () => Promise.resolve(twin),
    log: pino({ level: 'silent' }),
    timers: clock,
  });
  t.teardown(() => solo.close());
  await solo.start();
  solo.signal('success');
  await clock.advance(3_000);
  t.same(twin.levels(4), [
    [0, 0],
    [0, 1],
    [80, 0],
    [160, 1],
    [240, 0],
  ]);
  t.same(twin.openPins(), [4]);
});

t.test('write errors: logged once, never thrown, lines dropped and reopened', async (t) => {
  const { fb, twin, clock, logs } = setup(t);
  await fb.start();
  twin.writeError = Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
  for (const p of ['key', 'success', 'pending', 'failure', 'key'] as const) {
    t.doesNotThrow(() => {
      fb.signal(p);
    }, p);
    await clock.advance(10);
  }
  t.equal(fb.status().state, 'offline');
  t.match(fb.status().detail, /EIO/);
  t.same(twin.openPins(), [], 'lines released');
  t.equal(logs.filter((l) => l.level >= 40).length, 1, 'one warning');
  twin.writeError = undefined;
  await clock.advance(1_000);
  t.equal(fb.status().state, 'online');
  fb.signal('key');
  await clock.advance(50);
  t.same(
    twin
      .levels(BUZZER)
      .slice(-2)
      .map(([, v]) => v),
    [1, 0],
    'beeps again',
  );
});

t.test('a chip that cannot be had: absent, signals dropped quietly, found later', async (t) => {
  let fail = true;
  const clock = new FakeClock();
  const twin = new GpioTwin({ clock });
  const fb = new GpioFeedback({
    buzzer: BUZZER,
    chip: () =>
      fail ? Promise.reject(new Error('gpio: sysfs GPIO interface not present')) : Promise.resolve(twin),
    log: pino({ level: 'silent' }),
    timers: clock,
    backoff: { initialMs: 100, jitter: 0 },
  });
  t.teardown(() => fb.close());
  const states: string[] = [];
  fb.on('state', (s: { state: string }) => states.push(s.state));
  await fb.start();
  t.equal(fb.status().state, 'absent');
  t.match(fb.status().detail, /sysfs GPIO/);
  t.doesNotThrow(() => {
    fb.signal('success');
  });
  fail = false;
  await clock.advance(100);
  t.equal(fb.status().state, 'online');
  t.same(states, ['absent', 'online']);
});

t.test('close() turns everything off, clears timers, and is idempotent', async (t) => {
  const { fb, twin, clock, after } = await play(t, 'pending', 100);
  t.same(after(GREEN).at(-1), [0, 1]);
  await fb.close();
  t.same(after(GREEN).at(-1), [100, 0], 'green off');
  t.equal(clock.pending(), 0);
  t.same(twin.openPins(), []);
  await fb.close();
  const n = twin.ops.length;
  fb.signal('failure');
  await clock.advance(1_000);
  t.equal(twin.ops.length, n, 'signals after close do nothing');
});

t.test('configuration mistakes throw at construction', (t) => {
  const base = { chip: () => Promise.reject(new Error('x')), log: pino({ level: 'silent' }) };
  t.throws(() => new GpioFeedback(base), /no buzzer or LED pin/);
  t.throws(() => new GpioFeedback({ ...base, green: 5, red: 5 }), /used twice/);
  t.end();
});
