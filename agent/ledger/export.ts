/**
 * The reconciliation export: one row per sale for the finance team's spreadsheet, in a column order
 * that never changes (README, "Reconciliation export"; new columns only ever go at the end), and
 * per-status totals computed the way `queue report` computes them. Pure: records and a zone in, text
 * out. No payment code is ever written, not even masked: the record's code fields are never read.
 */
import { formatYuan } from '../money.js';
import { flagKinds } from '../payment/flags.js';
import type { StatusTotals } from '../payment/store.js';
import { reasonHolds, type SaleRecord, type SaleStatus } from '../payment/sale.js';
import { SALE_STATUSES } from './rows.js';
import { formatZoned } from './zoned-time.js';

/** The columns, in their one order. */
export const EXPORT_COLUMNS = [
  'out_biz_id',
  'request_id',
  'sale_id',
  'created_at',
  'updated_at',
  'machine_id',
  'store_id',
  'cashier_id',
  'item_id',
  'item',
  'amount_yuan',
  'amount_fen',
  'status',
  'charged_yuan',
  'charged_fen',
  'checkout_id',
  'biz_order_id',
  'payment_order_id',
  'buyer_id',
  'offline',
  'forwarded_at',
  'receipt_printed',
  'flags',
  'flag_detail',
  'reason',
] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
/** A row: every value a string (ids stay text end to end) except the fen amounts. */
export type ExportRow = Record<ExportColumn, string | number | null>;

export const TOTALS_COLUMNS = ['status', 'count', 'amount_yuan', 'amount_fen'] as const;

export function exportRow(r: SaleRecord, zone: string): ExportRow {
  const charged = r.result?.currentPayFee;
  return {
    out_biz_id: r.outBizId,
    request_id: r.requestId,
    sale_id: r.saleId,
    created_at: formatZoned(r.createdAt, zone),
    updated_at: formatZoned(r.updatedAt, zone),
    machine_id: r.machineId,
    store_id: r.storeId,
    cashier_id: r.cashierId,
    item_id: r.itemId === undefined ? null : String(r.itemId),
    item: r.label ?? null,
    amount_yuan: formatYuan(r.amountFen),
    amount_fen: r.amountFen,
    status: r.status,
    charged_yuan: charged === undefined ? null : formatYuan(charged),
    charged_fen: charged ?? null,
    checkout_id: r.result?.checkoutId ?? null,
    biz_order_id: r.result?.bizOrderId ?? null,
    payment_order_id: r.result?.paymentOrderId ?? null,
    buyer_id: r.result?.buyerId ?? null,
    offline: r.offline === true ? 'yes' : 'no',
    forwarded_at: r.forwardedAt === undefined ? null : formatZoned(r.forwardedAt, zone),
    receipt_printed: r.printed ? 'yes' : 'no',
    flags: r.flag === undefined ? null : flagKinds(r.flag).join(' | '),
    flag_detail: r.flag ?? null,
    reason: reasonHolds(r) ? (r.reason ?? null) : null,
  };
}

/** Count and amount per status, every status listed, in `queue report`'s order. */
export function exportTotals(records: readonly SaleRecord[]): Record<SaleStatus, StatusTotals> {
  const totals = Object.fromEntries(SALE_STATUSES.map((s) => [s, { count: 0, amountFen: 0 }])) as Record<
    SaleStatus,
    StatusTotals
  >;
  for (const r of records) {
    totals[r.status].count += 1;
    totals[r.status].amountFen += r.amountFen;
  }
  return totals;
}

/**
 * Text from outside (gateway messages, labels) that a spreadsheet would run as a formula gets a
 * leading apostrophe (OWASP's CSV-injection advice); ids and amounts are ours and never start so.
 */
const FREE_TEXT: ReadonlySet<ExportColumn> = new Set(['item', 'flag_detail', 'reason']);

function cell(value: string | number | null, freeText: boolean): string {
  if (value === null) return '';
  let s = String(value);
  if (freeText && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CRLF = '\r\n';

/**
 * RFC 4180 CSV for Excel: a UTF-8 byte-order mark (without it Excel reads UTF-8 as the local code
 * page and Chinese turns to mojibake), CRLF line ends, a header row, one row per sale; then an empty
 * line and the totals table with its own header, so a spreadsheet's table of sales stops at the
 * empty line and a column sum never counts a total twice.
 */
export function toCsv(rows: readonly ExportRow[], totals: Record<SaleStatus, StatusTotals>): string {
  const lines = [EXPORT_COLUMNS.join(',')];
  for (const row of rows) lines.push(EXPORT_COLUMNS.map((c) => cell(row[c], FREE_TEXT.has(c))).join(','));
  lines.push('', TOTALS_COLUMNS.join(','));
  for (const s of SALE_STATUSES) {
    const t = totals[s];
    lines.push([s, t.count, formatYuan(t.amountFen), t.amountFen].join(','));
  }
  return `\uFEFF${lines.join(CRLF)}${CRLF}`;
}

export interface ExportJson {
  from: string;
  to: string;
  timeZone: string;
  columns: readonly ExportColumn[];
  sales: ExportRow[];
  totals: Record<SaleStatus, StatusTotals & { amountYuan: string }>;
}

export function toJson(
  range: { from: string; to: string; timeZone: string },
  rows: readonly ExportRow[],
  totals: Record<SaleStatus, StatusTotals>,
): string {
  const doc: ExportJson = {
    ...range,
    columns: EXPORT_COLUMNS,
    sales: [...rows],
    totals: Object.fromEntries(
      SALE_STATUSES.map((s) => [s, { ...totals[s], amountYuan: formatYuan(totals[s].amountFen) }]),
    ) as ExportJson['totals'],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
