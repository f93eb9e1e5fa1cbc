import t, { type Test } from 'tap';
import { pino } from 'pino';
import { DeviceStateKeeper, type DeviceStateOptions } from '../drivers/device-state.js';
import type { DeviceStatus } from '../drivers/device.js';
import { FakeClock } from './helpers/gpio-twin.js';

interface Line {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const INFO = 30;
const WARN = 40;

function setup(t: Test, opts: Partial<DeviceStateOptions> = {}) {
  const clock = new FakeClock();
  const lines: Line[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s) as Line) });
  const events: DeviceStatus[] = [];
  const keeper = new DeviceStateKeeper({
    name: 'widget',
    log,
    emit: (s) => events.push(s),
    onlineMessage: 'widget online',
    unavailableMessage: 'widget unavailable',
    backoff: { initialMs: 100, factor: 2, maxMs: 1000, jitter: 0 },
    timers: clock,
    ...opts,
  });
  t.teardown(() => {
    keeper.close();
  });
  return { clock, keeper, events, lines };
}

t.test('before start: absent, with the initial detail; status() is a copy', (t) => {
  const { keeper } = setup(t);
  t.same(keeper.status(), { device: 'widget', state: 'absent', detail: 'not started' });
  keeper.status().state = 'online';
  t.equal(keeper.state, 'absent', 'mutating the copy changes nothing');
  const named = setup(t, { initialDetail: 'not started (/dev/x)' }).keeper;
  t.equal(named.status().detail, 'not started (/dev/x)');
  t.end();
});

t.test('the first report is always announced, even absent over the initial absent', (t) => {
  const { keeper, events, lines } = setup(t);
  t.equal(keeper.set('absent', 'ENOENT /dev/x'), true);
  t.same(events, [{ device: 'widget', state: 'absent', detail: 'ENOENT /dev/x' }]);
  t.match(lines, [{ level: WARN, msg: 'widget unavailable', state: 'absent', detail: 'ENOENT /dev/x' }]);
  t.end();
});

t.test('one event per state change, not per retry; a new detail is recorded quietly', (t) => {
  const { keeper, events, lines } = setup(t);
  keeper.set('absent', 'ENOENT');
  t.equal(keeper.set('absent', 'ENOENT'), false, 'nothing changed');
  t.equal(keeper.set('absent', 'EACCES'), true, 'the detail changed');
  t.equal(keeper.status().detail, 'EACCES');
  keeper.set('online');
  keeper.set('offline', 'EIO');
  t.same(
    events.map((e) => e.state),
    ['absent', 'online', 'offline'],
  );
  t.same(events[1], { device: 'widget', state: 'online' }, 'no detail when none is given');
  t.same(
    lines.map((l) => [l.level, l.msg]),
    [
      [WARN, 'widget unavailable'],
      [INFO, 'widget online'],
      [WARN, 'widget unavailable'],
    ],
  );
  t.end();
});

t.test('log fields: on every line from the options, on one line from set()', (t) => {
  const { keeper, lines } = setup(t, {
    logFields: { path: '/dev/x' },
    unavailableMessage: (state) => `widget ${state}`,
  });
  keeper.set('online', '/dev/x', { fields: { pins: [1, 2] } });
  keeper.set('offline', 'EIO');
  t.match(lines, [
    { level: INFO, msg: 'widget online', path: '/dev/x', pins: [1, 2] },
    { level: WARN, msg: 'widget offline', path: '/dev/x', state: 'offline', detail: 'EIO' },
  ]);
  t.notOk('pins' in (lines[1] ?? {}), 'call fields stay on their own line');
  t.end();
});

t.test("detailChange 'log': a new cause is logged at info, not emitted", (t) => {
  const { keeper, events, lines } = setup(t, { detailChange: 'log' });
  keeper.set('offline', 'EIO');
  t.equal(keeper.set('offline', 'ENODEV'), true);
  t.equal(keeper.set('offline', 'ENODEV'), false);
  t.equal(events.length, 1);
  t.match(lines[1], { level: INFO, msg: 'widget still offline', state: 'offline', detail: 'ENODEV' });
  t.equal(lines.length, 2);
  t.end();
});

t.test("detailChange 'emit': a new detail is an event unless quiet; the first report never is", (t) => {
  const { keeper, events } = setup(t, { detailChange: 'emit' });
  keeper.set('absent', 'ENOENT', { quiet: true });
  keeper.set('absent', 'EACCES', { quiet: true });
  keeper.set('online', 'tcp://p');
  keeper.set('online', 'tcp://p');
  keeper.set('online', 'paper near end');
  t.same(
    events.map((e) => e.detail),
    ['ENOENT', 'tcp://p', 'paper near end'],
  );
  t.equal(keeper.status().detail, 'paper near end');
  t.end();
});

t.test("unavailable: 'absent' until the device was online once, then 'offline'", (t) => {
  const { keeper } = setup(t);
  t.equal(keeper.unavailable, 'absent');
  keeper.set('absent', 'ENOENT');
  t.equal(keeper.unavailable, 'absent');
  keeper.set('online');
  t.equal(keeper.unavailable, 'offline');
  t.end();
});

t.test('begin() is true once, and never after close()', (t) => {
  const { keeper } = setup(t);
  t.equal(keeper.begin(), true);
  t.equal(keeper.begin(), false);
  const late = setup(t).keeper;
  late.close();
  late.close();
  t.equal(late.closed, true);
  t.equal(late.begin(), false);
  t.end();
});

t.test('a closed device reports nothing', (t) => {
  const { keeper, events, lines } = setup(t);
  keeper.set('online');
  keeper.close();
  t.equal(keeper.set('offline', 'EIO'), false);
  t.equal(keeper.state, 'online');
  t.equal(events.length, 1);
  t.equal(lines.length, 1);
  t.end();
});

t.test('retries: one pending at a time, on growing backoff delays', async (t) => {
  const { keeper, clock } = setup(t);
  const runs: number[] = [];
  const retry = (): void => {
    runs.push(clock.now);
    keeper.scheduleRetry(retry);
  };
  keeper.scheduleRetry(retry);
  keeper.scheduleRetry(retry);
  t.equal(clock.pending(), 1, 'a second request while one is pending is ignored');
  await clock.advance(1000);
  t.same(runs, [100, 300, 700]);
  t.equal(keeper.attempt, 4);
  keeper.resetBackoff();
  keeper.cancelRetry();
  t.equal(clock.pending(), 0);
  keeper.scheduleRetry(retry);
  await clock.advance(100);
  t.same(runs, [100, 300, 700, 1100], 'after a reset the next delay is the initial one');
});

t.test('close() cancels the pending retry and refuses new ones', async (t) => {
  const { keeper, clock } = setup(t);
  let ran = 0;
  keeper.scheduleRetry(() => (ran += 1));
  keeper.close();
  keeper.scheduleRetry(() => (ran += 1));
  t.equal(clock.pending(), 0);
  await clock.advance(10_000);
  t.equal(ran, 0);
});

t.test('without injected timers the global ones run the retry', async (t) => {
  const { keeper } = setup(t, { timers: undefined, backoff: { initialMs: 1, jitter: 0 } });
  await new Promise<void>((resolve) => {
    keeper.scheduleRetry(resolve);
  });
  t.pass('retried');
});
