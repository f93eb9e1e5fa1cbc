import t from 'tap';
import type { Kiosk, KioskState, SaleResult } from '../../agent/kiosk/model.js';
import { view } from '../../agent/kiosk/view.js';
import { SETTINGS, settings } from '../helpers/kiosk-run.js';

const at = (state: KioskState): Kiosk => ({ state, memory: { salePrefix: 'S', saleSeq: 1 } });
const text = (v: { title: string; lines: string[] }): string => [v.title, ...v.lines].join('\n');
const SALE = { amountFen: 1250 };

t.test('idle asks for an amount and lists the configured presets with their prices', (t) => {
  const v = view(at({ mode: 'idle' }), 0, SETTINGS);
  t.match(v.title, 'Enter amount or press A/B');
  t.match(v.title, '请输入金额');
  t.same(v.lines, ['A  Day pass  ¥30.00', 'B  Towel  ¥5.00']);
  t.equal(v.amount, undefined);
  t.end();
});

t.test('idle says A–D when all four presets are set, and no keys when none are', (t) => {
  const presets = (['A', 'B', 'C', 'D'] as const).map((key) => ({ key, label: key, priceFen: 100 }));
  t.match(view(at({ mode: 'idle' }), 0, settings({ presets })).title, 'press A–D');
  t.equal(view(at({ mode: 'idle' }), 0, settings({ presets: [] })).title, '请输入金额 / Enter amount');
  t.end();
});

t.test('idle with idleScanPreset invites a direct scan for that preset', (t) => {
  const v = view(at({ mode: 'idle' }), 0, settings({ idleScanPreset: 'A' }));
  t.match(v.lines.at(-1), 'Or just scan: Day pass ¥30.00');
  t.end();
});

t.test('entering shows exactly what was typed, or ¥0 when nothing yet', (t) => {
  t.equal(view(at({ mode: 'entering', text: '12.5', deadline: 1 }), 0, SETTINGS).amount, '¥12.5');
  t.equal(view(at({ mode: 'entering', text: '', deadline: 1 }), 0, SETTINGS).amount, '¥0');
  t.end();
});

t.test('entering explains why the last key or confirm was refused', (t) => {
  const cases: [NonNullable<Extract<KioskState, { mode: 'entering' }>['problem']>, string][] = [
    ['no-price', 'Enter a price first'],
    ['zero-price', 'cannot be zero'],
    ['over-max', 'The maximum is ¥5000.00'],
    ['too-many-digits', 'At most 5 digits'],
    ['too-many-decimals', 'At most 2 decimals'],
    ['no-decimals', 'Whole yuan only'],
    ['leading-zero', 'cannot start with 0'],
    ['invalid', 'Not a valid price'],
  ];
  for (const [problem, words] of cases) {
    const v = view(at({ mode: 'entering', text: '0', deadline: 1, problem }), 0, SETTINGS);
    t.match(v.lines[0], words, problem);
  }
  t.end();
});

t.test('awaiting a scan shows the amount, the label and the seconds left', (t) => {
  const v = view(
    at({ mode: 'awaiting-scan', sale: { amountFen: 3000, label: 'Day pass' }, deadline: 30_000 }),
    5_500,
    SETTINGS,
  );
  t.equal(v.title, '请扫码 / Scan payment code · ¥30.00');
  t.equal(v.amount, '¥30.00');
  t.equal(v.lines[0], 'Day pass');
  t.match(v.lines.at(-1), '(25s)');
  t.end();
});

t.test('paying says paying, and once checking tells the member not to leave', (t) => {
  const paying = (checking: boolean) => at({ mode: 'paying', sale: SALE, saleId: 'S1', checking });
  t.match(view(paying(false), 0, SETTINGS).title, 'Paying…');
  t.match(view(paying(true), 0, SETTINGS).title, 'Checking payment… do not leave');
  t.equal(view(paying(true), 0, SETTINGS).amount, '¥12.50');
  t.end();
});

function shown(result: SaleResult) {
  return view(at({ mode: 'result', sale: SALE, saleId: 'S1', result, deadline: 1 }), 0, SETTINGS);
}

t.test('each result status reads as itself', (t) => {
  t.equal(shown({ status: 'succeeded' }).title, '成功 Paid ¥12.50');
  t.equal(
    shown({ status: 'succeeded', paidFen: 1000 }).title,
    '成功 Paid ¥10.00',
    'the amount actually paid',
  );
  t.equal(
    shown({ status: 'failed', reason: 'balance not enough' }).title,
    '失败 Declined: balance not enough',
  );
  t.equal(shown({ status: 'pending' }).title, '处理中 Pending — keep your receipt');
  t.match(shown({ status: 'refused', reason: 'offline' }).title, 'Refused: offline');
  t.match(text(shown({ status: 'refused', reason: 'offline' })), 'Not charged');
  t.match(text(shown({ status: 'failed', reason: 'no' })), /未扣款 \/ Not charged\n.*Scan again to retry/);
  t.notMatch(text(shown({ status: 'succeeded', paidFen: 1250 })), /differs/);
  t.match(text(shown({ status: 'succeeded', paidFen: 125_000 })), /实付与金额 ¥12\.50 不符/);
  t.end();
});

t.test('a scan seen but not taken says why, first', (t) => {
  t.match(
    view(at({ mode: 'idle', notice: 'price-first' }), 0, SETTINGS).lines[0],
    /请先输入金额或选择项目，再扫码/,
  );
  const paying = at({ mode: 'paying', sale: SALE, saleId: 'S1', checking: false, notice: 'paying' });
  t.match(view(paying, 0, SETTINGS).lines[0], /A payment is in progress/);
  t.end();
});

t.test('a pending result never says failed or declined', (t) => {
  t.notMatch(text(shown({ status: 'pending' })), /fail|declin|失败|未扣款|no money/i);
  t.end();
});
