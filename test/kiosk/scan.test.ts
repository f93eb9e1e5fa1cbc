import t from 'tap';
import type { KioskEffect } from '../../agent/kiosk/model.js';
import {
  CODE,
  OTHER_CODE,
  feedbacks,
  key,
  keys,
  ofKind,
  payResult,
  press,
  run,
  scan,
  settings,
  timers,
  type Timed,
} from '../helpers/kiosk-run.js';

/** ¥12.50 typed and confirmed by 500 ms, scanned at 1000 ms: sale S1 is paying. */
const PAYING: Timed[] = [...press(keys('12.5', 'ENTER')), [1000, scan()]];
const IDLE_PRESET = settings({ idleScanPreset: 'A' });

const logData = (effects: readonly KioskEffect[]) => ofKind(effects, 'log').map((e) => e.data);

t.test('a scan while paying is not taken, but never silently: a busy beep and a notice', (t) => {
  const paying = run([...PAYING, [2000, scan(OTHER_CODE)]]);
  t.match(paying.kiosk.state, { mode: 'paying', saleId: 'S1', notice: 'paying' });
  t.same(paying.last, [
    { kind: 'log', level: 'info', msg: 'scan ignored while paying', data: { code: '****8888' } },
    { kind: 'feedback', pattern: 'busy' },
  ]);
  t.end();
});

t.test('a scan on a paid result screen asks for a price first (busy beep), starting nothing', (t) => {
  const shown = run([...PAYING, [2000, payResult('S1', { status: 'succeeded' })], [2500, scan(OTHER_CODE)]]);
  t.match(shown.kiosk.state, { mode: 'result', notice: 'price-first' });
  t.same(feedbacks(shown.last), ['busy']);
  t.same(ofKind(shown.last, 'pay'), []);
  t.end();
});

t.test('on an idle-scan kiosk a scan on the result screen starts the next sale at once', (t) => {
  const r = run(
    [
      [0, scan()],
      [500, payResult('S1', { status: 'succeeded' })],
      [700, scan(OTHER_CODE)],
    ],
    { settings: IDLE_PRESET },
  );
  t.match(r.kiosk.state, { mode: 'paying', saleId: 'S2' });
  t.same(
    ofKind(r.last, 'pay').map((p) => p.code),
    [OTHER_CODE],
  );
  t.end();
});

t.test('"scan again to retry" is true: a scan on a declined or refused result retries the price', (t) => {
  for (const result of [
    { status: 'failed', reason: 'declined' },
    { status: 'refused', reason: 'offline' },
  ] as const) {
    const r = run([...PAYING, [2000, payResult('S1', result)], [2500, scan(OTHER_CODE)]]);
    t.match(r.kiosk.state, { mode: 'paying', saleId: 'S2', sale: { amountFen: 1250 } }, result.status);
    t.same(
      ofKind(r.last, 'pay').map((p) => [p.saleId, p.code, p.sale.amountFen]),
      [['S2', OTHER_CODE, 1250]],
    );
  }
  t.end();
});

t.test('a scan while idle without idleScanPreset asks for a price first and starts nothing', (t) => {
  const r = run([[0, scan()]]);
  t.same(r.kiosk.state, { mode: 'idle', notice: 'price-first' });
  t.same(feedbacks(r.effects), ['attention']);
  t.same(ofKind(r.effects, 'pay'), []);
  t.same(logData(r.effects), [{ code: '****3456' }]);
  t.end();
});

t.test('a scan while idle with idleScanPreset starts a sale for that preset', (t) => {
  const r = run([[0, scan()]], { settings: IDLE_PRESET });
  const sale = { amountFen: 3000, label: 'Day pass', itemId: 7, preset: 'A' };
  t.same(r.kiosk.state, { mode: 'paying', sale, saleId: 'S1', checking: false });
  t.same(ofKind(r.effects, 'pay'), [{ kind: 'pay', saleId: 'S1', sale, code: CODE }]);
  t.same(timers(r.effects), [], 'nothing was armed, so nothing to disarm');
  t.end();
});

t.test('an idleScanPreset that names a missing preset asks for a price rather than guessing', (t) => {
  const r = run([[0, scan()]], { settings: settings({ idleScanPreset: 'D' }) });
  t.same(r.kiosk.state, { mode: 'idle', notice: 'price-first' });
  t.same(feedbacks(r.effects), ['attention']);
  t.same(
    ofKind(r.effects, 'log').map((e) => e.level),
    ['warn'],
  );
  t.end();
});

t.test('a scan while a price is being typed asks the member to confirm first', (t) => {
  const r = run([...press('12'), [500, scan()]]);
  t.same(r.kiosk.state, { mode: 'entering', text: '12', deadline: 30_100, problem: 'confirm-first' });
  t.same(feedbacks(r.last), ['attention']);
  t.same(ofKind(r.last, 'pay'), []);
  t.end();
});

/** Idle-scan kiosk: S1 paid at 0, result at 500, dismissed at 600, back in idle. */
const PAID_AND_IDLE: Timed[] = [
  [0, scan()],
  [500, payResult('S1', { status: 'succeeded' })],
  [600, key('ESC')],
];

t.test('the same code again within the duplicate window counts once', (t) => {
  const r = run([...PAID_AND_IDLE, [2999, scan()]], { settings: IDLE_PRESET });
  t.same(r.kiosk.state, { mode: 'idle', notice: 'duplicate' }, 'the screen says why nothing happened');
  t.same(r.last, [
    { kind: 'log', level: 'info', msg: 'duplicate scan ignored', data: { code: '****3456' } },
    { kind: 'feedback', pattern: 'busy' },
  ]);
  t.end();
});

t.test('the same code once the window has passed is a new sale', (t) => {
  const r = run([...PAID_AND_IDLE, [3000, scan()]], { settings: IDLE_PRESET });
  t.same(r.kiosk.state.mode === 'paying' && r.kiosk.state.saleId, 'S2');
  t.end();
});

t.test('a code held under the scanner keeps counting once until it has been away for the window', (t) => {
  const held: Timed[] = [...PAID_AND_IDLE, [2500, scan()], [5000, scan()], [7500, scan()]];
  const still = run(held, { settings: IDLE_PRESET });
  t.same(ofKind(still.effects, 'pay').length, 1);
  const away = run([...held, [10_500, scan()]], { settings: IDLE_PRESET });
  t.same(ofKind(away.effects, 'pay').length, 2);
  t.end();
});

t.test('a different code within the window is not a duplicate', (t) => {
  const r = run([...PAID_AND_IDLE, [1000, scan(OTHER_CODE)]], { settings: IDLE_PRESET });
  t.same(ofKind(r.last, 'pay'), [
    {
      kind: 'pay',
      saleId: 'S2',
      sale: { amountFen: 3000, label: 'Day pass', itemId: 7, preset: 'A' },
      code: OTHER_CODE,
    },
  ]);
  t.end();
});

t.test('a scan refused in idle does not count as seen, so the same code can pay right after', (t) => {
  const r = run([[0, scan()], ...press(['1', 'ENTER'], 100), [1000, scan()]]);
  t.same(r.kiosk.state.mode === 'paying' && r.kiosk.state.saleId, 'S1');
  t.end();
});

t.test('no log effect ever carries a full code, whatever the mode the scan arrives in', (t) => {
  const events: Timed[] = [
    [0, scan()],
    ...press('12', 100),
    [300, scan()],
    [400, key('ENTER')],
    [500, scan()],
    [600, scan()],
    [700, scan(OTHER_CODE)],
    [800, payResult('S1', { status: 'failed', reason: 'no' })],
    [900, scan(OTHER_CODE)],
    [5000, scan()],
  ];
  for (const s of [undefined, IDLE_PRESET]) {
    const r = run(events, s === undefined ? {} : { settings: s });
    const text = JSON.stringify(ofKind(r.effects, 'log'));
    t.notOk(text.includes(CODE) || text.includes(OTHER_CODE));
    t.ok(ofKind(r.effects, 'log').length >= 5);
  }
  t.end();
});
