/**
 * What the kiosk's screen shows for a state: a title (the one thing to read), detail lines and the
 * amount. Bilingual and short, because a member reads it standing, mid-workout. Pure, like the
 * kiosk itself; the runtime calls it after every step.
 */
import type { EntryProblem, KioskSettings, Kiosk, SaleDraft, SaleResult, ScanNotice } from './model.js';
import { formatYuan } from '../money.js';

export interface KioskView {
  title: string;
  lines: string[];
  amount?: string;
}

export function view(kiosk: Kiosk, now: number, settings: KioskSettings): KioskView {
  const state = kiosk.state;
  return withNotice(screen(kiosk, now, settings), 'notice' in state ? state.notice : undefined);
}

function screen(kiosk: Kiosk, now: number, settings: KioskSettings): KioskView {
  const state = kiosk.state;
  switch (state.mode) {
    case 'idle':
      if (kiosk.memory.outOfService !== undefined) {
        return {
          title: '暂停服务 / Out of service',
          lines: [kiosk.memory.outOfService, '请联系工作人员 / Please call staff'],
        };
      }
      return idleView(settings);
    case 'entering': {
      const lines = ['确认键继续 · 清除键修改 / Confirm to continue · Clear to correct'];
      if (state.problem !== undefined) lines.unshift(problemText(state.problem, settings));
      return {
        title: '请输入金额 / Enter amount',
        lines,
        amount: `¥${state.text === '' ? '0' : state.text}`,
      };
    }
    case 'awaiting-scan': {
      const amount = yuan(state.sale.amountFen);
      const lines = state.sale.label === undefined ? [] : [state.sale.label];
      lines.push('请出示付款码或会员码 / Show your payment or member code');
      lines.push(`取消键返回 / Cancel to go back (${secondsLeft(state.deadline, now)}s)`);
      return { title: `请扫码 / Scan payment code · ${amount}`, lines, amount };
    }
    case 'paying': {
      const amount = yuan(state.sale.amountFen);
      // "Checking" means the outcome is unknown for now: the member must stay for the answer.
      return state.checking
        ? { title: '正在确认 / Checking payment… do not leave', lines: ['请稍候 / Please wait'], amount }
        : { title: '支付中 / Paying…', lines: [], amount };
    }
    case 'result':
      return resultView(state.result, state.sale);
  }
}

function idleView(settings: KioskSettings): KioskView {
  const keys = settings.presets.map((p) => p.key);
  const title =
    keys.length === 0
      ? '请输入金额 / Enter amount'
      : `请输入金额 / Enter amount or press ${presetKeys(keys)}`;
  const lines = settings.presets.map((p) => `${p.key}  ${p.label}  ${yuan(p.priceFen)}`);
  const quick = settings.presets.find((p) => p.key === settings.idleScanPreset);
  if (quick !== undefined) lines.push(`或直接扫码 / Or just scan: ${quick.label} ${yuan(quick.priceFen)}`);
  return { title, lines };
}

function resultView(result: SaleResult, sale: SaleDraft): KioskView {
  const amount = yuan(sale.amountFen);
  switch (result.status) {
    case 'succeeded': {
      const paid = yuan(result.paidFen ?? sale.amountFen);
      const lines = ['谢谢，请取小票 / Thank you — take your receipt'];
      // Say what was actually charged when it is not the price: a member must never learn it later.
      if (paidMismatch(result, sale)) {
        lines.unshift(
          `实付与金额 ${amount} 不符，已通知工作人员 / Charged differs from ${amount}; staff notified`,
        );
      }
      return { title: `成功 Paid ${paid}`, lines, amount: paid };
    }
    case 'failed':
      return {
        title: `失败 Declined: ${result.reason}`,
        lines: [
          '未扣款 / Not charged',
          '再扫一次重试，或换一个码 / Scan again to retry, or use another code',
        ],
        amount,
      };
    // Pending is not a failure: the money may have moved, and the ledger will find out.
    case 'pending':
      return {
        title: '处理中 Pending — keep your receipt',
        lines: ['结果确认中，请保留小票 / We are confirming the payment; keep your receipt'],
        amount,
      };
    case 'queued':
      return {
        title: `离线受理 Accepted offline ${amount}`,
        lines: ['联网后确认，请保留小票 / To be confirmed when online; keep your receipt'],
        amount,
      };
    case 'refused':
      return {
        title: `未收款 Refused: ${result.reason}`,
        lines: ['未扣款 / Not charged', '再扫一次重试 / Scan again to retry'],
        amount,
      };
  }
}

/** The service charged another amount than the sale's. */
export function paidMismatch(result: SaleResult, sale: SaleDraft): boolean {
  return result.status === 'succeeded' && result.paidFen !== undefined && result.paidFen !== sale.amountFen;
}

function problemText(problem: EntryProblem, settings: KioskSettings): string {
  switch (problem) {
    case 'no-price':
      return '请先输入金额 / Enter a price first';
    case 'zero-price':
      return '金额不能为零 / The price cannot be zero';
    case 'over-max':
      return `超过上限 / The maximum is ${yuan(settings.maxAmountFen)}`;
    case 'too-many-digits':
      return `最多 ${settings.maxIntegerDigits} 位整数 / At most ${settings.maxIntegerDigits} digits`;
    case 'too-many-decimals':
      return `最多 ${settings.decimalPlaces} 位小数 / At most ${settings.decimalPlaces} decimals`;
    case 'no-decimals':
      return '只收整元 / Whole yuan only';
    case 'leading-zero':
      return '不能以 0 开头 / A price cannot start with 0';
    case 'invalid':
      return '无效输入 / Not a valid price';
    case 'confirm-first':
      return '请先按确认键，再扫码 / Press Confirm, then scan';
  }
}

function noticeText(notice: ScanNotice): string {
  switch (notice) {
    case 'duplicate':
      return '这个码刚扫过，请稍候 / That code was just scanned';
    case 'paying':
      return '正在支付，请稍候 / A payment is in progress';
    case 'price-first':
      return '请先输入金额或选择项目，再扫码 / Enter a price or choose an item, then scan';
  }
}

/** A scan that was seen but not taken says why, above everything else on the screen. */
function withNotice(v: KioskView, notice: ScanNotice | undefined): KioskView {
  return notice === undefined ? v : { ...v, lines: [noticeText(notice), ...v.lines] };
}

/** "A–D" when all four keys are set, else the keys themselves ("A/C"). */
function presetKeys(keys: readonly string[]): string {
  return keys.join('') === 'ABCD' ? 'A–D' : keys.join('/');
}

function yuan(fen: number): string {
  return `¥${formatYuan(fen)}`;
}

function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}
