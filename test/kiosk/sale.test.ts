import t from 'tap';
import { initialKiosk } from '../../agent/kiosk/kiosk.js';
import type { KioskEffect, SaleResult } from '../../agent/kiosk/model.js';
import {
  CODE,
  feedbacks,
  key,
  keys,
  logs,
  ofKind,
  payResult,
  press,
  progress,
  run,
  scan,
  timers,
  type Timed,
} from '../helpers/kiosk-run.js';

/** ¥12.50 typed and confirmed by 500 ms, scanned at 1000 ms: sale S1 is paying. */
const PAYING: Timed[] = [...press(keys('12.5', 'ENTER')), [1000, scan()]];

const logData = (effects: readonly KioskEffect[]) => ofKind(effects, 'log').map((e) => e.data);

t.test('a scan while awaiting a scan starts sale S1 with the full code in the pay effect alone', (t) => {
  const r = run(PAYING);
  t.same(r.kiosk.state, { mode: 'paying', sale: { amountFen: 1250 }, saleId: 'S1', checking: false });
  t.same(ofKind(r.last, 'pay'), [{ kind: 'pay', saleId: 'S1', sale: { amountFen: 1250 }, code: CODE }]);
  t.same(logData(r.last), [{ saleId: 'S1', amountFen: 1250, code: '****3456' }]);
  t.same(timers(r.last), [{ kind: 'disarm' }], 'paying has no deadline');
  t.end();
});

t.test('each sale gets the next id: S1, S2, S3', (t) => {
  const ids: string[] = [];
  let events: Timed[] = [];
  for (let i = 0; i < 3; i++) {
    const at = i * 10_000;
    events = [...events, [at, key('A')], [at + 100, scan(`28000000000000000${i}`)]];
    const r = run(events);
    if (r.kiosk.state.mode === 'paying') ids.push(r.kiosk.state.saleId);
    events.push([at + 200, payResult(`S${i + 1}`, { status: 'succeeded' })], [at + 300, key('ESC')]);
  }
  t.same(ids, ['S1', 'S2', 'S3']);
  t.end();
});

t.test('a preset key from idle goes straight to awaiting a scan with its price, label and item id', (t) => {
  const r = run(press(['A']));
  t.same(r.kiosk.state.mode === 'awaiting-scan' && r.kiosk.state.sale, {
    amountFen: 3000,
    label: 'Day pass',
    itemId: 7,
    preset: 'A',
  });
  t.same(feedbacks(r.effects), ['key']);
  t.end();
});

t.test('a preset replaces a typed price, and another preset replaces the chosen one', (t) => {
  const typed = run(press(['1', '2', 'B']));
  t.same(typed.kiosk.state.mode === 'awaiting-scan' && typed.kiosk.state.sale, {
    amountFen: 500,
    label: 'Towel',
    preset: 'B',
  });
  const switched = run(press(['A', 'B']));
  t.same(switched.kiosk.state.mode === 'awaiting-scan' && switched.kiosk.state.sale.preset, 'B');
  t.end();
});

t.test('a preset that is not configured is refused with a log and failure beep, and nothing changes', (t) => {
  for (const before of [[], press(['1', '2']), press(['A'])]) {
    const start = run(before);
    const r = run([[1000, key('C')]], { from: start.kiosk });
    t.same(r.kiosk.state, start.kiosk.state, `from ${start.kiosk.state.mode}`);
    t.same(feedbacks(r.effects), ['failure']);
    t.same(logs(r.effects), ['preset C is not configured']);
    t.same(timers(r.effects), []);
  }
  t.end();
});

t.test(
  'while awaiting a scan: clear re-opens the entry, cancel goes idle, other keys point at the scanner',
  (t) => {
    const confirmed = press(keys('12', 'ENTER'));
    for (const cap of ['*', 'BACKSPACE']) {
      const r = run([...confirmed, [1000, key(cap)]]);
      t.same(r.kiosk.state, { mode: 'entering', text: '', deadline: 31_000 }, cap);
    }
    const cancelled = run([...confirmed, [1000, key('ESC')]]);
    t.same(cancelled.kiosk.state, { mode: 'idle' });
    t.same(timers(cancelled.last), [{ kind: 'disarm' }]);
    for (const cap of ['5', '.', 'ENTER', 'R']) {
      const r = run([...confirmed, [1000, key(cap)]]);
      t.equal(r.kiosk.state.mode, 'awaiting-scan', cap);
      t.same(feedbacks(r.last), ['attention'], cap);
      t.same(ofKind(r.last, 'reprint-last'), [], cap);
    }
    t.end();
  },
);

t.test('pay-progress for the current sale shows "checking" and beeps pending once', (t) => {
  const r = run([...PAYING, [2000, progress('S1')], [3000, progress('S1')]]);
  t.same(r.kiosk.state.mode === 'paying' && r.kiosk.state.checking, true);
  t.same(feedbacks(r.effects.slice(-2)), ['pending']);
  t.same(r.last, [], 'the second progress is silent');
  t.end();
});

t.test('a pay result shows the result, asks for a receipt and gives the matching signal', (t) => {
  const cases: [SaleResult, string][] = [
    [{ status: 'succeeded', paidFen: 1250 }, 'success'],
    [{ status: 'failed', reason: 'balance not enough' }, 'failure'],
    [{ status: 'pending' }, 'pending'],
    [{ status: 'refused', reason: 'offline' }, 'failure'],
  ];
  for (const [result, pattern] of cases) {
    const r = run([...PAYING, [2000, payResult('S1', result)]]);
    t.same(
      r.kiosk.state,
      { mode: 'result', sale: { amountFen: 1250 }, saleId: 'S1', result, deadline: 10_000 },
      result.status,
    );
    t.same(ofKind(r.last, 'receipt'), [{ kind: 'receipt', saleId: 'S1' }], result.status);
    t.same(feedbacks(r.last), [pattern], result.status);
    t.same(timers(r.last), [{ kind: 'arm', at: 10_000 }], result.status);
  }
  t.end();
});

t.test('pay events for a sale that is not the one paying are ignored with a stale warning', (t) => {
  const done = [...PAYING, [2000, payResult('S1', { status: 'succeeded' })] as const];
  const cases: { name: string; events: Timed[] }[] = [
    { name: 'result for another sale while paying', events: [...PAYING, [2000, payResult('S0', { status: 'pending' })]] },
    { name: 'progress for another sale while paying', events: [...PAYING, [2000, progress('S9')]] },
    { name: 'a second result for a finished sale', events: [...done, [2500, payResult('S1', { status: 'failed', reason: 'x' })]] },
    { name: 'progress for a finished sale', events: [...done, [2500, progress('S1')]] },
    { name: 'a result while idle', events: [[0, payResult('S1', { status: 'succeeded' })]] },
  ]; // prettier-ignore
  for (const c of cases) {
    const before = run(c.events.slice(0, -1));
    const r = run(c.events);
    t.same(r.kiosk, before.kiosk, c.name);
    t.same(
      r.last.map((e) => e.kind),
      ['log'],
      c.name,
    );
    t.match(logs(r.last), [/^stale pay-/], c.name);
  }
  t.end();
});

t.test('keys while paying are logged and never beep, time out or cancel the payment', (t) => {
  for (const cap of ['1', '.', 'ENTER', 'ESC', '*', 'BACKSPACE', 'A', 'C', 'R']) {
    const r = run([...PAYING, [2000, key(cap)]]);
    t.equal(r.kiosk.state.mode, 'paying', cap);
    t.same(
      r.last.map((e) => e.kind),
      ['log'],
      cap,
    );
  }
  t.end();
});

t.test('a control key on the result screen returns to idle with a key beep', (t) => {
  const shown = [...PAYING, [2000, payResult('S1', { status: 'failed', reason: 'x' })] as const];
  for (const cap of ['ESC', 'ENTER', '*', 'BACKSPACE']) {
    const r = run([...shown, [2500, key(cap)]]);
    t.same(r.kiosk.state, { mode: 'idle' }, cap);
    t.same(feedbacks(r.last), ['key'], cap);
    t.same(timers(r.last), [{ kind: 'disarm' }], cap);
  }
  t.end();
});

t.test('a digit on the result screen dismisses it and starts the next entry with that digit', (t) => {
  const r = run([...PAYING, [2000, payResult('S1', { status: 'succeeded' })], [2500, key('7')]]);
  t.same(r.kiosk.state, { mode: 'entering', text: '7', deadline: 32_500 });
  t.same(timers(r.last), [{ kind: 'arm', at: 32_500 }]);
  t.end();
});

t.test('a preset key on the result screen dismisses it and selects that preset for the next member', (t) => {
  const r = run([...PAYING, [2000, payResult('S1', { status: 'succeeded' })], [2500, key('A')]]);
  t.equal(r.kiosk.state.mode, 'awaiting-scan');
  t.same(feedbacks(r.last), ['key']);
  t.end();
});

t.test('the decimal key on the result screen starts the next entry with "0."', (t) => {
  const r = run([...PAYING, [2000, payResult('S1', { status: 'succeeded' })], [2500, key('.')]]);
  t.match(r.kiosk.state, { mode: 'entering', text: '0.' });
  t.end();
});

t.test('reprint asks for the last receipt in idle and on the result screen, which stays up', (t) => {
  const idle = run(press(['R']));
  t.same(ofKind(idle.effects, 'reprint-last'), [{ kind: 'reprint-last' }]);
  t.same(idle.kiosk.state, { mode: 'idle' });
  const shown = run([...PAYING, [2000, payResult('S1', { status: 'succeeded' })], [2500, key('R')]]);
  t.same(ofKind(shown.last, 'reprint-last'), [{ kind: 'reprint-last' }]);
  t.equal(shown.kiosk.state.mode, 'result');
  t.same(timers(shown.last), [], 'the result keeps its deadline');
  t.end();
});

t.test('with a boot prefix, sale ids are <prefix>-<n> so they stay unique across restarts', (t) => {
  const r = run([...PAYING], { from: initialKiosk('7F3A09C2D1') });
  t.match(ofKind(r.effects, 'pay'), [{ saleId: '7F3A09C2D1-1' }]);
  t.end();
});
