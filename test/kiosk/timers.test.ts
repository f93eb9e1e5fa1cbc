import t from 'tap';
import {
  feedbacks,
  key,
  logs,
  ofKind,
  payResult,
  press,
  run,
  scan,
  settings,
  tick,
  timers,
  type Timed,
} from '../helpers/kiosk-run.js';

/** Typed "12" at 0 and 100 ms, confirmed at 200 ms: awaiting a scan until 30 200. */
const AWAITING: Timed[] = press(['1', '2', 'ENTER']);
const PAYING: Timed[] = [...AWAITING, [1000, scan()]];
const RESULT: Timed[] = [...PAYING, [2000, payResult('S1', { status: 'pending' })]];

t.test('entering arms the entry deadline and every accepted key moves it', (t) => {
  const r = run(press('12'));
  t.same(timers(r.effects), [
    { kind: 'arm', at: 30_000 },
    { kind: 'arm', at: 30_100 },
  ]);
  t.end();
});

t.test('a refused key does not move the deadline', (t) => {
  const r = run(press('123456'));
  t.same(r.kiosk.state.mode === 'entering' && r.kiosk.state.deadline, 30_400);
  t.same(timers(r.last), []);
  t.end();
});

t.test('confirm and preset keys arm the awaiting-scan deadline', (t) => {
  t.same(timers(run(AWAITING).last), [{ kind: 'arm', at: 30_200 }]);
  t.same(timers(run(press(['A'])).effects), [{ kind: 'arm', at: 30_000 }]);
  t.end();
});

t.test('an entry times out to idle at its deadline with a timeout log and a disarm, not before', (t) => {
  const early = run([...press('12'), [30_099, tick]]);
  t.equal(early.kiosk.state.mode, 'entering');
  t.same(early.last, [{ kind: 'arm', at: 30_100 }], 'a timer that fired early is armed again');
  const due = run([...press('12'), [30_100, tick]]);
  t.same(due.kiosk.state, { mode: 'idle' });
  t.same(logs(due.last), ['timeout']);
  t.same(timers(due.last), [{ kind: 'disarm' }]);
  t.same(feedbacks(due.last), []);
  t.end();
});

t.test('awaiting a scan times out to idle, counted from the last accepted key', (t) => {
  t.equal(run([...AWAITING, [30_199, tick]]).kiosk.state.mode, 'awaiting-scan');
  const due = run([...AWAITING, [30_200, tick]]);
  t.same(due.kiosk.state, { mode: 'idle' });
  t.same(ofKind(due.last, 'log'), [
    { kind: 'log', level: 'info', msg: 'timeout', data: { mode: 'awaiting-scan' } },
  ]);
  t.same(timers(due.last), [{ kind: 'disarm' }]);
  t.end();
});

t.test('a timed-out entry left idle starts fresh on the next digit', (t) => {
  const r = run([...press('12'), [30_100, tick], [31_000, key('9')]]);
  t.same(r.kiosk.state, { mode: 'entering', text: '9', deadline: 61_000 });
  t.end();
});

t.test('paying has no deadline: it disarms on entry and ticks never time it out', (t) => {
  const r = run(PAYING);
  t.same(timers(r.last), [{ kind: 'disarm' }]);
  const later = run([...PAYING, [10_000_000, tick]]);
  t.equal(later.kiosk.state.mode, 'paying');
  t.same(later.last, []);
  t.end();
});

t.test('the result screen arms resultTimeoutMs and returns to idle at its deadline, silently', (t) => {
  t.same(timers(run(RESULT).last), [{ kind: 'arm', at: 10_000 }]);
  t.equal(run([...RESULT, [9_999, tick]]).kiosk.state.mode, 'result');
  const due = run([...RESULT, [10_000, tick]]);
  t.same(due.kiosk.state, { mode: 'idle' });
  t.same(due.last, [{ kind: 'disarm' }]);
  t.end();
});

t.test('the result timeout follows settings.resultTimeoutMs', (t) => {
  const r = run(RESULT, { settings: settings({ resultTimeoutMs: 2_000 }) });
  t.same(timers(r.last), [{ kind: 'arm', at: 4_000 }]);
  t.end();
});

t.test('a tick in idle does nothing; an early tick anywhere re-arms for the same deadline', (t) => {
  t.same(run([[5, tick]]).effects, []);
  // The runtime's timer fired, so it has none left: without a new arm the kiosk would freeze here.
  t.same(run([...AWAITING, [1000, tick]]).last, [{ kind: 'arm', at: 30_200 }]);
  t.same(run([...RESULT, [3000, tick]]).last, [{ kind: 'arm', at: 10_000 }]);
  t.end();
});

t.test('keys that change nothing in idle emit no timer effects', (t) => {
  t.same(timers(run(press(['ESC', '*', 'R', 'ENTER'])).effects), []);
  t.end();
});

t.test('an event after the deadline but before its tick is judged against the screen the member saw', (t) => {
  const r = run([...AWAITING, [30_300, scan()]]);
  t.equal(r.kiosk.state.mode, 'paying', 'the scan pays the price that was still on screen');
  t.same(ofKind(r.last, 'pay').length, 1);
  t.end();
});

t.test('the timer follows every state across a whole sale', (t) => {
  const r = run([
    ...press(['1', 'ENTER']),
    [1_000, scan()],
    [2_000, payResult('S1', { status: 'succeeded' })],
    [3_000, key('5')],
    [4_000, key('ESC')],
  ]);
  t.same(timers(r.effects), [
    { kind: 'arm', at: 30_000 },
    { kind: 'arm', at: 30_100 },
    { kind: 'disarm' },
    { kind: 'arm', at: 10_000 },
    { kind: 'arm', at: 33_000 },
    { kind: 'disarm' },
  ]);
  t.end();
});
