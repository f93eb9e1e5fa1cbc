import t from 'tap';
import { initialKiosk } from '../../agent/kiosk/kiosk.js';
import type { KioskState } from '../../agent/kiosk/model.js';
import { feedbacks, key, keys, logs, press, run, settings, timers } from '../helpers/kiosk-run.js';

/** The entry text and problem, or the mode when not entering. */
function entry(state: KioskState): { text: string; problem?: string } | string {
  if (state.mode !== 'entering') return state.mode;
  return state.problem === undefined ? { text: state.text } : { text: state.text, problem: state.problem };
}

t.test('typing digits from idle opens an entry that shows exactly what was typed, one key beep each', (t) => {
  const r = run(press('125'));
  t.same(entry(r.kiosk.state), { text: '125' });
  t.same(feedbacks(r.effects), ['key', 'key', 'key']);
  t.end();
});

t.test('a price with up to decimalPlaces decimals confirms to the exact fen amount', (t) => {
  const cases: [string, number][] = [
    ['12', 1200],
    ['12.5', 1250],
    ['12.05', 1205],
    ['0.01', 1],
    ['12.', 1200],
    ['.5', 50],
  ];
  for (const [typed, fen] of cases) {
    const r = run(press(keys(typed, 'ENTER')));
    t.equal(r.kiosk.state.mode, 'awaiting-scan', typed);
    if (r.kiosk.state.mode === 'awaiting-scan') t.same(r.kiosk.state.sale, { amountFen: fen }, typed);
  }
  t.end();
});

t.test('a key that breaks the entry rules is refused with a failure beep and a logged reason', (t) => {
  const cases: { name: string; typed: string; over?: Parameters<typeof settings>[0]; left: string; problem: string }[] =
    [
      { name: 'a third decimal', typed: '12.505', left: '12.50', problem: 'too-many-decimals' },
      { name: 'a second decimal with one place', typed: '1.55', over: { decimalPlaces: 1 }, left: '1.5', problem: 'too-many-decimals' },
      { name: 'a sixth integer digit', typed: '123456', left: '12345', problem: 'too-many-digits' },
      { name: 'a third digit with two allowed', typed: '123', over: { maxIntegerDigits: 2 }, left: '12', problem: 'too-many-digits' },
      { name: 'the decimal key when whole yuan only', typed: '12.', over: { decimalPlaces: 0 }, left: '12', problem: 'no-decimals' },
      { name: 'a second decimal point', typed: '1.2.', left: '1.2', problem: 'invalid' },
      { name: 'a leading zero before a digit ("07")', typed: '07', left: '0', problem: 'leading-zero' },
      { name: 'a second leading zero ("00")', typed: '00', left: '0', problem: 'leading-zero' },
    ]; // prettier-ignore
  for (const c of cases) {
    const r = run(press(c.typed), { settings: settings(c.over ?? {}) });
    t.same(entry(r.kiosk.state), { text: c.left, problem: c.problem }, c.name);
    t.same(feedbacks(r.last), ['failure'], c.name);
    t.match(logs(r.last), [new RegExp(c.problem)], c.name);
  }
  t.end();
});

t.test('a lone zero followed by the decimal point is a valid start ("0.5")', (t) => {
  const r = run(press('0.5'));
  t.same(entry(r.kiosk.state), { text: '0.5' });
  t.same(feedbacks(r.effects), ['key', 'key', 'key']);
  t.end();
});

t.test('the decimal key in idle is refused when whole yuan only, and nothing opens', (t) => {
  const r = run(press('.'), { settings: settings({ decimalPlaces: 0 }) });
  t.same(r.kiosk.state, { mode: 'idle' });
  t.same(feedbacks(r.effects), ['failure']);
  t.same(timers(r.effects), []);
  t.end();
});

t.test(
  'confirm is refused, with a failure beep and a log naming the reason, when the price is unusable',
  (t) => {
    const cases: { name: string; caps: string[]; left: string; problem: string }[] = [
      { name: 'no price (emptied entry)', caps: ['1', 'BACKSPACE', 'ENTER'], left: '', problem: 'no-price' },
      { name: 'zero', caps: ['0', 'ENTER'], left: '0', problem: 'zero-price' },
      { name: 'zero with decimals', caps: keys('0.00', 'ENTER'), left: '0.00', problem: 'zero-price' },
      { name: 'a bare "0."', caps: keys('0.', 'ENTER'), left: '0.', problem: 'zero-price' },
      {
        name: 'one fen over the maximum',
        caps: keys('5000.01', 'ENTER'),
        left: '5000.01',
        problem: 'over-max',
      },
      { name: 'far over the maximum', caps: keys('99999', 'ENTER'), left: '99999', problem: 'over-max' },
    ];
    for (const c of cases) {
      const r = run(press(c.caps));
      t.same(entry(r.kiosk.state), { text: c.left, problem: c.problem }, c.name);
      t.same(feedbacks(r.last), ['failure'], c.name);
      t.same(logs(r.last), [`confirm refused: ${c.problem}`], c.name);
      t.same(timers(r.last), [], `${c.name}: a refusal does not move the deadline`);
    }
    t.end();
  },
);

t.test('exactly the maximum amount is accepted', (t) => {
  const r = run(press(keys('5000', 'ENTER')));
  t.same(r.kiosk.state.mode === 'awaiting-scan' && r.kiosk.state.sale, { amountFen: 500_000 });
  t.end();
});

t.test('confirm in idle is refused with a failure beep and a no-price log, and stays idle', (t) => {
  const r = run(press(['ENTER']));
  t.same(r.kiosk.state, { mode: 'idle' });
  t.same(feedbacks(r.effects), ['failure']);
  t.same(logs(r.effects), ['confirm refused: no-price']);
  t.end();
});

t.test('the problem shown after a refusal is cleared by the next accepted key', (t) => {
  const r = run(press(['0', 'ENTER', 'BACKSPACE', '5']));
  t.same(entry(r.kiosk.state), { text: '5' });
  t.end();
});

t.test('backspace removes the last character and keeps the entry open even when it empties', (t) => {
  t.same(entry(run(press(['1', '2', 'BACKSPACE'])).kiosk.state), { text: '1' });
  t.same(entry(run(press(['1', '.', 'BACKSPACE'])).kiosk.state), { text: '1' });
  const emptied = run(press(['1', 'BACKSPACE', 'BACKSPACE']));
  t.same(entry(emptied.kiosk.state), { text: '' });
  t.same(feedbacks(emptied.effects), ['key', 'key', 'key']);
  t.end();
});

t.test('clear empties a typed entry; clear on an empty entry cancels to idle', (t) => {
  const once = run(press(['1', '2', '*']));
  t.same(entry(once.kiosk.state), { text: '' });
  const twice = run(press(['1', '2', '*', '*']));
  t.same(twice.kiosk.state, { mode: 'idle' });
  t.same(timers(twice.last), [{ kind: 'disarm' }]);
  t.same(logs(twice.last), ['entry cancelled']);
  t.end();
});

t.test('cancel while entering returns to idle and disarms the timer', (t) => {
  const r = run(press(['1', '2', 'ESC']));
  t.same(r.kiosk.state, { mode: 'idle' });
  t.same(feedbacks(r.last), ['key']);
  t.same(timers(r.last), [{ kind: 'disarm' }]);
  t.end();
});

t.test('clear, cancel and backspace in idle change nothing and make no sound', (t) => {
  for (const cap of ['*', 'ESC', 'BACKSPACE']) {
    const r = run(press([cap]));
    t.same(r.kiosk.state, { mode: 'idle' }, cap);
    t.same(feedbacks(r.effects), [], cap);
    t.same(timers(r.effects), [], cap);
  }
  t.end();
});

t.test('reprint while entering does not print and does not disturb the entry', (t) => {
  const r = run(press(['1', 'R']));
  t.same(entry(r.kiosk.state), { text: '1' });
  t.same(
    r.last.filter((e) => e.kind !== 'log'),
    [],
  );
  t.end();
});

t.test('the same key twice in quick succession is two presses: bounce is filtered by the driver', (t) => {
  const r = run([
    [0, key('1')],
    [1, key('0')],
    [2, key('0')],
    [3, key('0')],
    [4, key('0')],
  ]);
  t.same(entry(r.kiosk.state), { text: '10000' });
  t.end();
});

t.test('the kiosk starts idle with no sale counted', (t) => {
  t.same(initialKiosk(), { state: { mode: 'idle' }, memory: { salePrefix: 'S', saleSeq: 0 } });
  t.end();
});

t.test('a price longer than money.ts can hold is refused at confirm as over the maximum', (t) => {
  const r = run(press(keys('1234567890', 'ENTER')), { settings: settings({ maxIntegerDigits: 10 }) });
  t.same(entry(r.kiosk.state), { text: '1234567890', problem: 'over-max' });
  t.end();
});

t.test('a digit key carrying something other than one digit is refused as invalid', (t) => {
  const r = run([[0, { kind: 'key', key: 'X', action: { fn: 'digit', digit: '12' } }]]);
  t.same(r.kiosk.state, { mode: 'idle' });
  t.same(feedbacks(r.effects), ['failure']);
  t.same(logs(r.effects), ['digit refused: invalid']);
  t.end();
});
