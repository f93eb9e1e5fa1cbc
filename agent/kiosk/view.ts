/**
 * What the kiosk's screen shows for a state, worded in both languages: the one view model that the
 * simulator and every display backend draw (drivers/display/types.ts `DisplayView`), each at its
 * own size. Short, because a member reads it standing, mid-workout; the most important line
 * first, because a 16x4 LCD shows only the first ones. Pure, like the kiosk itself; the runtime
 * calls it after every step and again at `refreshAt` while a countdown runs.
 */
import type { DisplayView, ScreenKind, Words } from '../../drivers/display/types.js';
import type { EntryProblem, KioskSettings, Kiosk, SaleDraft, SaleResult, ScanNotice } from './model.js';
import { formatYuan } from '../money.js';

export interface KioskView extends DisplayView {
  /** Monotonic time at which the text changes by itself (a countdown's next second). */
  refreshAt?: number;
}

export function view(kiosk: Kiosk, now: number, settings: KioskSettings): KioskView {
  const state = kiosk.state;
  const v = screen(kiosk, now, settings);
  const notice = 'notice' in state ? state.notice : undefined;
  return notice === undefined ? v : { ...v, alert: noticeWords(notice) };
}

const w = (zh: string, en: string): Words => ({ zh, en });
/** Text that is the same in both languages (an item label, a gateway's reason). */
const same = (s: string): Words => ({ zh: s, en: s });

function screen(kiosk: Kiosk, now: number, settings: KioskSettings): KioskView {
  const state = kiosk.state;
  switch (state.mode) {
    case 'idle':
      if (kiosk.memory.outOfService !== undefined) {
        return make('out-of-service', w('暂停服务', 'Out of service'), {
          lines: [split(kiosk.memory.outOfService), w('请联系工作人员', 'Please call staff')],
        });
      }
      return readyView(settings);
    case 'entering': {
      const v = make('typing', w('请输入金额', 'Enter the amount'), {
        amount: state.text === '' ? '0' : state.text,
        // Short enough to share the amount's line on a 16-column LCD.
        amountNote: w(`最多${plainYuan(settings.maxAmountFen)}`, `max ${yuanShort(settings.maxAmountFen)}`),
        lines: [w('确认键继续', 'Confirm to continue'), w('清除键修改', 'Clear to correct')],
      });
      return state.problem === undefined ? v : { ...v, alert: problemWords(state.problem, settings) };
    }
    case 'awaiting-scan':
      return countdown(
        make('awaiting-scan', w('请扫码付款', 'Scan to pay'), {
          amount: formatYuan(state.sale.amountFen),
          ...labelNote(state.sale),
          lines: [
            w('付款码或会员码', 'Show your payment or member code'),
            w('取消键返回', 'Cancel to go back'),
          ],
        }),
        state.deadline,
        now,
        0,
      );
    case 'paying': {
      const base = { amount: formatYuan(state.sale.amountFen), ...labelNote(state.sale) };
      if (!state.checking) {
        return make('paying', w('支付中', 'Paying'), { ...base, lines: [w('请稍候', 'Please wait')] });
      }
      // Unknown for now: the member must stay for the answer, and sees how long it may take.
      const v = make('checking', w('正在确认', 'Checking payment'), {
        ...base,
        lines: [w('请勿离开', 'Please do not leave')],
      });
      return state.waitUntil === undefined ? v : countdown(v, state.waitUntil, now, 1);
    }
    case 'result':
      return resultView(state.result, state.sale);
  }
}

function readyView(settings: KioskSettings): KioskView {
  const keys = settings.presets.map((p) => p.key);
  const title =
    keys.length === 0
      ? w('请输入金额', 'Enter an amount')
      : w(`输入金额或按 ${presetKeys(keys)}`, `Enter an amount or press ${presetKeys(keys)}`);
  // "A 单次入场 ￥39": 16 columns, one LCD line.
  const lines = settings.presets.map((p) => same(`${p.key} ${p.label} ${yuanShort(p.priceFen)}`));
  const quick = settings.presets.find((p) => p.key === settings.idleScanPreset);
  if (quick !== undefined) {
    const what = `${quick.label} ${yuan(quick.priceFen)}`;
    lines.push(w(`或直接扫码：${what}`, `Or just scan: ${what}`));
  }
  return make('ready', title, { lines });
}

function resultView(result: SaleResult, sale: SaleDraft): KioskView {
  const amount = formatYuan(sale.amountFen);
  switch (result.status) {
    case 'succeeded': {
      const v = make('ok', w('支付成功', 'Paid'), {
        amount: formatYuan(result.paidFen ?? sale.amountFen),
        ...labelNote(sale),
        lines: [w('谢谢，请取小票', 'Thank you, take your receipt')],
      });
      // Say what was actually charged when it is not the price: a member must never learn it later.
      if (!paidMismatch(result, sale)) return v;
      const price = yuan(sale.amountFen);
      return {
        ...v,
        alert: w(`与金额 ${price} 不符，已通知工作人员`, `Not the price ${price}; staff notified`),
      };
    }
    case 'failed':
      return make('failed', w('支付失败', 'Declined'), {
        amount,
        lines: [w('未扣款', 'Not charged'), split(result.reason), w('再扫一次重试', 'Scan again to retry')],
      });
    case 'refused':
      return make('refused', w('未收款', 'Refused'), {
        amount,
        lines: [w('未扣款', 'Not charged'), split(result.reason), w('再扫一次重试', 'Scan again to retry')],
      });
    // Pending is not a failure: the money may have moved, and the ledger will find out.
    case 'pending':
      return make('pending', w('处理中', 'Pending'), {
        amount,
        lines: [w('请保留小票', 'Keep your receipt'), w('结果确认中', 'We are confirming the payment')],
      });
    case 'queued':
      return make('queued', w('离线受理', 'Accepted offline'), {
        amount,
        lines: [w('联网后确认', 'To be confirmed when online'), w('请保留小票', 'Keep your receipt')],
      });
  }
}

/** While the agent stops (update, restart): nothing on the screen may invite a scan. */
export function stoppedView(): KioskView {
  return make('out-of-service', w('暂停服务', 'Out of service'), {
    lines: [w('系统维护中', 'Restarting'), w('请稍候', 'Please wait')],
  });
}

/** The service charged another amount than the sale's. */
export function paidMismatch(result: SaleResult, sale: SaleDraft): boolean {
  return result.status === 'succeeded' && result.paidFen !== undefined && result.paidFen !== sale.amountFen;
}

function problemWords(problem: EntryProblem, settings: KioskSettings): Words {
  const max = yuanShort(settings.maxAmountFen);
  switch (problem) {
    case 'no-price':
      return w('请先输入金额', 'Enter a price first');
    case 'zero-price':
      return w('金额不能为零', 'The amount cannot be zero');
    case 'over-max':
      return w(`超过最大金额 ${max}`, `Over the maximum ${max}`);
    case 'too-many-digits':
      return w(`最多 ${settings.maxIntegerDigits} 位整数`, `At most ${settings.maxIntegerDigits} digits`);
    case 'too-many-decimals':
      return w(`最多 ${settings.decimalPlaces} 位小数`, `At most ${settings.decimalPlaces} decimals`);
    case 'no-decimals':
      return w('只收整元', 'Whole yuan only');
    case 'leading-zero':
      return w('不能以 0 开头', 'Cannot start with 0');
    case 'invalid':
      return w('无效输入', 'Not a valid amount');
    case 'confirm-first':
      return w('请先按确认键，再扫码', 'Press Confirm, then scan');
  }
}

function noticeWords(notice: ScanNotice): Words {
  switch (notice) {
    case 'duplicate':
      return w('这个码刚扫过', 'That code was just scanned');
    case 'paying':
      return w('正在支付，请稍候', 'A payment is in progress');
    case 'price-first':
      return w('请先输入金额或选择项目', 'Enter a price or choose an item first');
  }
}

function make(
  kind: ScreenKind,
  title: Words,
  rest: Partial<Pick<KioskView, 'amount' | 'amountNote' | 'lines'>>,
): KioskView {
  return { screen: kind, title, lines: [], ...rest };
}

function labelNote(sale: SaleDraft): Pick<KioskView, 'amountNote'> {
  return sale.label === undefined ? {} : { amountNote: same(sale.label) };
}

/** Seconds left, inserted at `at` in the lines; the view changes again at the next whole second. */
function countdown(v: KioskView, deadline: number, now: number, at: number): KioskView {
  const left = Math.max(0, Math.ceil((deadline - now) / 1000));
  const lines = [...v.lines];
  lines.splice(at, 0, w(`剩余 ${left} 秒`, `${left} s left`));
  return left > 0 ? { ...v, lines, refreshAt: deadline - (left - 1) * 1000 } : { ...v, lines };
}

/** A reason written "中文 / English" (agent/service.ts) as Words; anything else is the same in both. */
export function split(text: string): Words {
  const at = text.indexOf(' / ');
  return at < 0 ? same(text) : w(text.slice(0, at), text.slice(at + 3));
}

/** "A–D" (or "A–C") for a run from A, else the keys themselves ("A/C"). */
function presetKeys(keys: readonly string[]): string {
  const joined = keys.join('');
  return joined.length > 2 && 'ABCD'.startsWith(joined) ? `A–${joined.at(-1) ?? ''}` : keys.join('/');
}

/** Full-width ￥ as on receipts: it is in GB2312 (the LCD's font) and prints on Chinese printers. */
function yuan(fen: number): string {
  return `￥${formatYuan(fen)}`;
}

/** "￥5000" for a limit, "￥6.50" when it has fen. */
function yuanShort(fen: number): string {
  return `￥${plainYuan(fen)}`;
}

function plainYuan(fen: number): string {
  return fen % 100 === 0 ? String(fen / 100) : formatYuan(fen);
}

/** The view as plain lines, "中文 / English": logs, the simulator's piped output, tests. */
export function viewText(v: DisplayView): string[] {
  const both = (x: Words): string => (x.zh === x.en ? x.zh : `${x.zh} / ${x.en}`);
  const out = [both(v.title)];
  if (v.alert !== undefined) out.push(`! ${both(v.alert)}`);
  if (v.amount !== undefined) {
    out.push(`￥${v.amount}${v.amountNote === undefined ? '' : `  ${both(v.amountNote)}`}`);
  }
  for (const l of v.lines) out.push(both(l));
  return out;
}
