/**
 * The member's receipt for one sale, as a print document. Layout and printer bytes are the printer
 * driver's business; this module decides what the receipt says.
 *
 * Two rules matter more than looks: an unresolved sale (pending, sent, queued) must never read as failed,
 * because the member may well have been charged; and the payment code appears only masked.
 */
import type { PrintBlock, PrintDocument } from '../drivers/printer/document.js';
import { maskCode } from './mask.js';
import { formatYuan } from './money.js';
import type { SaleRecord, SaleStatus } from './payment/sale.js';

export type ReceiptLanguage = 'zh' | 'en';

export interface ReceiptOptions {
  storeName: string;
  language: ReceiptLanguage;
  /** IANA zone the times are printed in, e.g. "Asia/Shanghai". */
  timeZone: string;
  /** Print time, shown on reprints; defaults to Date.now(). */
  now?: number;
  reprint?: boolean;
  /** false when the kiosk's clock was never confirmed: the printed time may be wrong. */
  clockSynced?: boolean;
  /**
   * The agent runs on the embedded demo gateway (`sim`, `run --demo`): no money moved, and the
   * receipt must say so. Required, so no caller can forget to decide.
   */
  demo: boolean;
}

interface Labels {
  store: string;
  machine: string;
  cashier: string;
  time: string;
  reprintedAt: string;
  item: string;
  amount: string;
  paid: string;
  status: string;
  reason: string;
  order: string;
  checkout: string;
  paymentOrder: string;
  code: string;
  states: Record<SaleStatus, string>;
  unresolvedNote: string;
  queuedNote: string;
  paidMismatchNote: string;
  /** On every demo receipt. Never "·": the printer's code page prints it as ".". */
  demoMark: string;
}

const LABELS: Record<ReceiptLanguage, Labels> = {
  zh: {
    store: '门店',
    machine: '机器号',
    cashier: '收银员',
    time: '时间',
    reprintedAt: '重印时间',
    item: '项目',
    amount: '金额',
    paid: '实付',
    status: '状态',
    reason: '原因',
    order: '订单号',
    checkout: '收银单号',
    paymentOrder: '支付单号',
    code: '付款码',
    states: {
      created: '处理中',
      sent: '处理中',
      pending: '处理中',
      succeeded: '成功',
      failed: '失败',
      queued: '离线受理',
      refused: '未受理',
    },
    unresolvedNote: '结果确认中，请保留小票',
    queuedNote: '离线受理，联网后确认，请保留小票',
    paidMismatchNote: '实付与金额不符，已通知工作人员',
    demoMark: '演示 - 非真实交易',
  },
  en: {
    store: 'Store',
    machine: 'Machine',
    cashier: 'Cashier',
    time: 'Time',
    reprintedAt: 'Reprinted',
    item: 'Item',
    amount: 'Amount',
    paid: 'Paid',
    status: 'Status',
    reason: 'Reason',
    order: 'Order',
    checkout: 'Checkout',
    paymentOrder: 'Payment',
    code: 'Code',
    states: {
      created: 'Processing',
      sent: 'Processing',
      pending: 'Processing',
      succeeded: 'Succeeded',
      failed: 'Failed',
      queued: 'Accepted offline',
      refused: 'Not accepted',
    },
    unresolvedNote: 'Result being confirmed, please keep this receipt',
    queuedNote: 'Accepted offline, to be confirmed, please keep this receipt',
    paidMismatchNote: 'Charged amount differs from the price; staff notified',
    demoMark: 'DEMO - not a real payment',
  },
};

/** Bilingual on purpose: whoever handles a dispute must see these, whatever the receipt language. */
const REPRINT_MARK = 'REPRINT 重印';
const CLOCK_NOTE = '时钟未同步 clock not synced';

/** '￥12.50'. Never '¥' (U+00A5): it is 4-byte GB18030 and prints as junk on a Chinese-mode printer. */
export function yuan(fen: number): string {
  return `\uffe5${formatYuan(fen)}`;
}

/** '2026-11-25 19:30:05' in `timeZone`. Throws RangeError for an unknown zone (a config error). */
/** Building a DateTimeFormat costs ~0.1 ms; one per zone is kept (a kiosk uses one zone). */
const formats = new Map<string, Intl.DateTimeFormat>();

export function formatLocalTime(epochMs: number, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23', // never '24:00:00' at midnight
    });
    if (formats.size < 8) formats.set(timeZone, format);
  }
  const parts = format.formatToParts(epochMs);
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

function pair(label: string, value: string): PrintBlock {
  return { kind: 'pair', label, value };
}

function note(text: string): PrintBlock {
  return { kind: 'text', text, align: 'center' };
}

function statusBlocks(sale: SaleRecord, l: Labels): PrintBlock[] {
  const blocks: PrintBlock[] = [{ kind: 'pair', label: l.status, value: l.states[sale.status], bold: true }];
  switch (sale.status) {
    case 'created':
    case 'sent':
    case 'pending':
      // No reason here: a transport message ("connection failed") would read as a failed payment.
      blocks.push(note(l.unresolvedNote));
      break;
    case 'queued':
      blocks.push(note(l.queuedNote));
      break;
    case 'failed':
    case 'refused':
      if (sale.reason !== undefined && sale.reason !== '') blocks.push(pair(l.reason, sale.reason));
      break;
    case 'succeeded':
      break;
  }
  return blocks;
}

export function buildReceipt(sale: SaleRecord, opts: ReceiptOptions): PrintDocument {
  const l = LABELS[opts.language];
  const result = sale.result;
  const blocks: PrintBlock[] = [{ kind: 'text', text: opts.storeName, align: 'center', bold: true, size: 2 }];
  // Top and bottom, like the reprint mark: half a torn demo receipt must not pass for a real one.
  const demoMark: PrintBlock = { kind: 'text', text: l.demoMark, align: 'center', bold: true };
  if (opts.demo) blocks.push(demoMark);
  if (opts.reprint === true) blocks.push({ kind: 'text', text: REPRINT_MARK, align: 'center', bold: true });
  blocks.push(
    { kind: 'rule' },
    pair(l.store, sale.storeId),
    pair(l.machine, sale.machineId),
    pair(l.cashier, sale.cashierName === '' ? sale.cashierId : `${sale.cashierName} (${sale.cashierId})`),
    pair(l.time, formatLocalTime(sale.createdAt, opts.timeZone)),
  );
  if (opts.reprint === true) {
    blocks.push(pair(l.reprintedAt, formatLocalTime(opts.now ?? Date.now(), opts.timeZone)));
  }
  if (opts.clockSynced === false) blocks.push(note(CLOCK_NOTE));
  blocks.push({ kind: 'rule' });

  const item = sale.label ?? (sale.itemId === undefined ? undefined : `#${sale.itemId}`);
  if (item !== undefined) blocks.push(pair(l.item, item));
  blocks.push(pair(l.amount, yuan(sale.amountFen)));
  // Only a confirmed sale shows an amount charged; on any other receipt "paid" would be a false statement.
  if (sale.status === 'succeeded' && result?.currentPayFee !== undefined) {
    blocks.push({ kind: 'pair', label: l.paid, value: yuan(result.currentPayFee), bold: true });
    if (result.currentPayFee !== sale.amountFen) blocks.push(note(l.paidMismatchNote));
  }
  blocks.push(...statusBlocks(sale, l), { kind: 'rule' });

  blocks.push(pair(l.order, sale.outBizId));
  if (result?.checkoutId !== undefined) blocks.push(pair(l.checkout, result.checkoutId));
  if (result?.paymentOrderId !== undefined) blocks.push(pair(l.paymentOrder, result.paymentOrderId));
  // maskCode is idempotent on a mask ('****3456' stays) and masks a full code stored here by mistake.
  blocks.push(pair(l.code, maskCode(sale.codeMask)));
  blocks.push({ kind: 'qr', data: sale.outBizId });
  if (opts.reprint === true) blocks.push({ kind: 'text', text: REPRINT_MARK, align: 'center', bold: true });
  if (opts.demo) blocks.push(demoMark);
  blocks.push({ kind: 'feed', lines: 3 }, { kind: 'cut' });
  return { blocks };
}
