/**
 * The member's receipt for one sale, as a print document. Layout and printer bytes are the printer
 * driver's business; this module decides what the receipt says.
 *
 * Rules that matter more than looks: an unresolved sale (pending, sent, queued) never reads as
 * failed, because the member may well have been charged, and says what happens next; a failed or
 * refused one says "not charged" and what to do; the paper never states a status older than the
 * ledger's; a second print of the same receipt is marked (copy, reprint); the code appears masked.
 */
import type { PrintBlock, PrintDocument } from '../../drivers/printer/document.js';
import { formatZonedTime } from '../local-time.js';
import { maskCode } from '../mask.js';
import { formatYuan } from '../money.js';
import type { SaleRecord } from '../payment/sale.js';
import { LABELS, type Labels, type ReceiptLanguage } from './labels.js';
import { memberReason } from './reasons.js';

export type { ReceiptLanguage } from './labels.js';
export { formatLocalTime } from '../local-time.js';

export interface ReceiptOptions {
  storeName: string;
  language: ReceiptLanguage;
  /** IANA zone the times are printed in, e.g. "Asia/Shanghai". */
  timeZone: string;
  /** Print time, shown on reprints; defaults to Date.now(). */
  now?: number;
  /** An operator or member asked for this receipt again. */
  reprint?: boolean;
  /** The print of this very receipt was cut by a crash before it was recorded: this one is a copy. */
  copy?: boolean;
  /** A receipt with another status was printed before: this one is the result update. */
  result?: boolean;
  /** false when the kiosk's clock was never confirmed: the printed time may be wrong. */
  clockSynced?: boolean;
  /** `store.support_text`: how to reach a person. */
  supportText?: string;
  /**
   * The agent runs on the embedded demo gateway (`sim`, `run --demo`): no money moved, and the
   * receipt must say so. Required, so no caller can forget to decide.
   */
  demo: boolean;
}

/** '￥12.50'. Never '¥' (U+00A5): it is 4-byte GB18030 and prints as junk on a Chinese-mode printer. */
export function yuan(fen: number): string {
  return `\uffe5${formatYuan(fen)}`;
}

function pair(label: string, value: string, bold = false): PrintBlock {
  return bold ? { kind: 'pair', label, value, bold } : { kind: 'pair', label, value };
}

function note(text: string, bold = false): PrintBlock {
  return bold ? { kind: 'text', text, align: 'center', bold } : { kind: 'text', text, align: 'center' };
}

function support(l: Labels, opts: ReceiptOptions): PrintBlock[] {
  return opts.supportText === undefined ? [] : [note(l.support(opts.supportText))];
}

function statusBlocks(sale: SaleRecord, l: Labels, opts: ReceiptOptions): PrintBlock[] {
  const blocks: PrintBlock[] = [pair(l.status, l.states[sale.status], true)];
  switch (sale.status) {
    case 'created':
    case 'sent':
    case 'pending':
      // No reason here: a transport message ("connection failed") would read as a failed payment.
      blocks.push(note(l.unresolvedNote), note(l.resultFollows), ...support(l, opts));
      break;
    case 'queued':
      blocks.push(note(l.queuedNote), note(l.resultFollows), ...support(l, opts));
      break;
    case 'failed':
    case 'refused': {
      const r = memberReason(sale, opts.language);
      blocks.push(pair(l.reason, r.code === undefined ? r.text : `${r.text} (${r.code})`));
      blocks.push(note(l.notCharged, true));
      blocks.push(note(sale.status === 'failed' ? l.failedNext : l.refusedNext), ...support(l, opts));
      break;
    }
    case 'succeeded':
      break;
  }
  return blocks;
}

/** The marks of what this paper is, top and bottom: half a torn receipt must not pass for another. */
function marks(l: Labels, opts: ReceiptOptions): PrintBlock[] {
  const texts = [
    opts.demo && l.demoMark,
    opts.result === true && l.resultMark,
    opts.copy === true && l.copyMark,
    opts.reprint === true && l.reprintMark,
  ].filter((t): t is string => t !== false);
  return texts.map((t) => note(t, true));
}

export function buildReceipt(sale: SaleRecord, opts: ReceiptOptions): PrintDocument {
  const l = LABELS[opts.language];
  const result = sale.result;
  const at = (ms: number): string => formatZonedTime(ms, opts.timeZone);
  const blocks: PrintBlock[] = [{ kind: 'text', text: opts.storeName, align: 'center', bold: true, size: 2 }];
  blocks.push(...marks(l, opts));
  blocks.push(
    { kind: 'rule' },
    pair(l.store, sale.storeId),
    pair(l.machine, sale.machineId),
    pair(l.cashier, sale.cashierName === '' ? sale.cashierId : `${sale.cashierName} (${sale.cashierId})`),
    pair(l.time, at(sale.createdAt)),
  );
  if (opts.result === true) blocks.push(pair(l.resolvedAt, at(sale.updatedAt)));
  if (opts.reprint === true) blocks.push(pair(l.reprintedAt, at(opts.now ?? Date.now())));
  if (opts.clockSynced === false) blocks.push(note(l.clockNote));
  blocks.push({ kind: 'rule' });

  const item = sale.label ?? (sale.itemId === undefined ? undefined : `#${sale.itemId}`);
  if (item !== undefined) blocks.push(pair(l.item, item));
  blocks.push(pair(l.amount, yuan(sale.amountFen)));
  // Only a confirmed sale shows an amount charged; on any other receipt "paid" would be a false statement.
  if (sale.status === 'succeeded' && result?.currentPayFee !== undefined) {
    blocks.push(pair(l.paid, yuan(result.currentPayFee), true));
    if (result.currentPayFee !== sale.amountFen) blocks.push(note(l.paidMismatchNote));
  }
  blocks.push(...statusBlocks(sale, l, opts), { kind: 'rule' });

  blocks.push(pair(l.order, sale.outBizId));
  if (result?.checkoutId !== undefined) blocks.push(pair(l.checkout, result.checkoutId));
  if (result?.paymentOrderId !== undefined) blocks.push(pair(l.paymentOrder, result.paymentOrderId));
  // maskCode is idempotent on a mask ('****3456' stays) and masks a full code stored here by mistake.
  blocks.push(pair(sale.codeKind === 'member' ? l.memberCode : l.paymentCode, maskCode(sale.codeMask)));
  // A blank line of quiet zone on each side, so the scanner finds the code's edges.
  blocks.push({ kind: 'feed', lines: 1 }, { kind: 'qr', data: sale.outBizId }, { kind: 'feed', lines: 1 });
  blocks.push(...marks(l, opts));
  blocks.push({ kind: 'feed', lines: 3 }, { kind: 'cut' });
  return { blocks };
}
