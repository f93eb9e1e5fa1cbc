import t from 'tap';
import type { Kiosk, KioskState, SaleResult } from '../../agent/kiosk/model.js';
import { view, viewText, type KioskView } from '../../agent/kiosk/view.js';
import { SETTINGS, settings } from '../helpers/kiosk-run.js';

const at = (state: KioskState, outOfService?: string): Kiosk => ({
  state,
  memory: { salePrefix: 'S', saleSeq: 1, ...(outOfService !== undefined && { outOfService }) },
});
const text = (v: KioskView): string => viewText(v).join('\n');
const SALE = { amountFen: 1250 };

t.test('ready asks for an amount and lists the configured presets with their prices', (t) => {
  const v = view(at({ mode: 'idle' }), 0, SETTINGS);
  t.equal(v.screen, 'ready');
  t.same(v.title, { zh: '输入金额或按 A/B', en: 'Enter an amount or press A/B' });
  t.same(
    v.lines.map((l) => l.zh),
    ['A Day pass ￥30', 'B Towel ￥5'],
  );
  t.equal(v.amount, undefined);
  t.equal(v.refreshAt, undefined, 'nothing moves on its own');
  t.end();
});

t.test('ready says A–D when all four presets are set, and no keys when none are', (t) => {
  const presets = (['A', 'B', 'C', 'D'] as const).map((key) => ({ key, label: key, priceFen: 100 }));
  t.match(view(at({ mode: 'idle' }), 0, settings({ presets })).title.en, 'press A–D');
  t.same(view(at({ mode: 'idle' }), 0, settings({ presets: [] })).title, {
    zh: '请输入金额',
    en: 'Enter an amount',
  });
  t.end();
});

t.test('ready with idleScanPreset invites a direct scan for that preset', (t) => {
  const v = view(at({ mode: 'idle' }), 0, settings({ idleScanPreset: 'A' }));
  t.match(v.lines.at(-1)?.en, 'Or just scan: Day pass ￥30.00');
  t.end();
});

t.test('typing shows exactly what was typed (0 when nothing yet) and the largest amount allowed', (t) => {
  const v = view(at({ mode: 'entering', text: '12.5', deadline: 1 }), 0, SETTINGS);
  t.equal(v.screen, 'typing');
  t.equal(v.amount, '12.5');
  t.same(v.amountNote, { zh: '最多5000', en: 'max ￥5000' });
  t.equal(view(at({ mode: 'entering', text: '', deadline: 1 }), 0, SETTINGS).amount, '0');
  t.end();
});

t.test('typing explains why the last key or confirm was refused, in the issue’s words', (t) => {
  const cases: [NonNullable<Extract<KioskState, { mode: 'entering' }>['problem']>, string][] = [
    ['no-price', '请先输入金额'],
    ['zero-price', '金额不能为零'],
    ['over-max', '超过最大金额 ￥5000'],
    ['too-many-digits', '最多 5 位整数'],
    ['too-many-decimals', '最多 2 位小数'],
    ['no-decimals', '只收整元'],
    ['leading-zero', '不能以 0 开头'],
    ['invalid', '无效输入'],
    ['confirm-first', '请先按确认键，再扫码'],
  ];
  for (const [problem, words] of cases) {
    const v = view(at({ mode: 'entering', text: '0', deadline: 1, problem }), 0, SETTINGS);
    t.equal(v.alert?.zh, words, problem);
    t.ok(v.alert?.en, `${problem} has English too`);
  }
  t.end();
});

t.test('awaiting a scan shows the amount, the label and seconds left that move', (t) => {
  const state: KioskState = {
    mode: 'awaiting-scan',
    sale: { amountFen: 3000, label: 'Day pass' },
    deadline: 30_000,
  };
  const v = view(at(state), 5_500, SETTINGS);
  t.equal(v.screen, 'awaiting-scan');
  t.same(v.title, { zh: '请扫码付款', en: 'Scan to pay' });
  t.equal(v.amount, '30.00');
  t.same(v.amountNote, { zh: 'Day pass', en: 'Day pass' });
  t.same(v.lines[0], { zh: '剩余 25 秒', en: '25 s left' });
  t.equal(v.refreshAt, 6_000, 'redrawn when 25 becomes 24');
  t.same(view(at(state), 6_000, SETTINGS).lines[0], { zh: '剩余 24 秒', en: '24 s left' });
  t.equal(view(at(state), 30_000, SETTINGS).refreshAt, undefined, 'nothing left to count');
  t.end();
});

t.test('paying says paying; checking tells the member to stay and counts their wait down', (t) => {
  const paying = (checking: boolean) =>
    at({ mode: 'paying', sale: SALE, saleId: 'S1', checking, waitUntil: 45_000 });
  t.equal(view(paying(false), 0, SETTINGS).screen, 'paying');
  t.same(view(paying(false), 0, SETTINGS).title, { zh: '支付中', en: 'Paying' });
  const checking = view(paying(true), 4_200, SETTINGS);
  t.equal(checking.screen, 'checking');
  t.same(checking.title, { zh: '正在确认', en: 'Checking payment' });
  t.equal(checking.amount, '12.50');
  t.match(text(checking), /请勿离开 \/ Please do not leave\n剩余 41 秒 \/ 41 s left/);
  t.equal(checking.refreshAt, 5_000);
  t.end();
});

function shown(result: SaleResult): KioskView {
  return view(at({ mode: 'result', sale: SALE, saleId: 'S1', result, deadline: 1 }), 0, SETTINGS);
}

t.test('each result reads as itself', (t) => {
  t.same(
    [
      shown({ status: 'succeeded' }),
      shown({ status: 'failed', reason: '余额不足' }),
      shown({ status: 'refused', reason: 'offline' }),
      shown({ status: 'pending' }),
      shown({ status: 'queued' }),
    ].map((v) => [v.screen, v.title.zh, v.amount]),
    [
      ['ok', '支付成功', '12.50'],
      ['failed', '支付失败', '12.50'],
      ['refused', '未收款', '12.50'],
      ['pending', '处理中', '12.50'],
      ['queued', '离线受理', '12.50'],
    ],
  );
  t.equal(shown({ status: 'succeeded', paidFen: 1000 }).amount, '10.00', 'the amount actually paid');
  t.match(
    text(shown({ status: 'failed', reason: '余额不足' })),
    /未扣款 \/ Not charged\n余额不足\n.*Scan again/,
  );
  t.match(text(shown({ status: 'refused', reason: 'offline' })), 'Not charged');
  t.notOk(shown({ status: 'succeeded', paidFen: 1250 }).alert);
  t.match(shown({ status: 'succeeded', paidFen: 125_000 }).alert?.zh, /与金额 ￥12\.50 不符/);
  t.end();
});

t.test('out of service says why, in both languages when the reason has both', (t) => {
  const v = view(at({ mode: 'idle' }, '扫码器离线 / Scanner offline'), 0, SETTINGS);
  t.equal(v.screen, 'out-of-service');
  t.same(v.lines[0], { zh: '扫码器离线', en: 'Scanner offline' });
  t.end();
});

t.test('a scan seen but not taken says why, as the alert', (t) => {
  t.equal(view(at({ mode: 'idle', notice: 'price-first' }), 0, SETTINGS).alert?.zh, '请先输入金额或选择项目');
  const paying = at({ mode: 'paying', sale: SALE, saleId: 'S1', checking: false, notice: 'paying' });
  t.equal(view(paying, 0, SETTINGS).alert?.en, 'A payment is in progress');
  t.end();
});

t.test('a pending result never says failed or declined', (t) => {
  t.notMatch(text(shown({ status: 'pending' })), /fail|declin|失败|未扣款|no money/i);
  t.end();
});
