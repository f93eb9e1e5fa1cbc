/**
 * What an operator reads about the ledger, as text tables or as JSON (`--json`). Pure: time is an
 * argument. A full payment code is never printed, whatever the row holds: only `codeMask` is read,
 * and the JSON shapes are built field by field, so a new field cannot leak in by accident.
 */
import { displayWidth, padEnd } from '../../drivers/printer/layout.js';
import { formatYuan } from '../money.js';
import { yuan } from '../receipt/build.js';
import type { LedgerSummary, StatusTotals } from '../payment/store.js';
import { reasonHolds, type SaleRecord, type SaleStatus } from '../payment/sale.js';
import { SALE_STATUSES } from './rows.js';
import { formatZonedTime } from '../local-time.js';

/** "12s", "3m12s", "2h05m", "3d04h": enough to tell "just now" from "since yesterday". */
export function formatAge(ms: number): string {
  if (ms < 0) return `-${formatAge(-ms)}`;
  const s = Math.floor(ms / 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${p(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${p(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d${p(Math.floor(s / 3600) % 24)}h`;
}

/** The host's zone: the default when no kiosk.time_zone is at hand (tests). */
const HOST_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "2026-11-25 19:30:05 (UTC+8)" in the kiosk's zone, as its receipts print it. */
export function formatTime(epochMs: number, timeZone?: string): string {
  return formatZonedTime(epochMs, timeZone ?? HOST_ZONE);
}

/** One sale for `--json`: every field but the full code, plus the amount in yuan and the age. */
export interface SaleJson {
  saleId: string;
  outBizId: string;
  requestId: string;
  status: SaleStatus;
  amountFen: number;
  amount: string;
  negoPrice: string;
  itemId?: number;
  label?: string;
  code: string;
  storeId: string;
  machineId: string;
  cashierId: string;
  cashierName: string;
  gateway?: string;
  createdAt: number;
  updatedAt: number;
  ageMs: number;
  attempts: number;
  printed: boolean;
  offline?: boolean;
  forwardedAt?: number;
  reason?: string;
  flag?: string;
  result?: SaleRecord['result'];
  error?: SaleRecord['error'];
}

export function saleJson(r: SaleRecord, now: number): SaleJson {
  return {
    saleId: r.saleId,
    outBizId: r.outBizId,
    requestId: r.requestId,
    status: r.status,
    amountFen: r.amountFen,
    amount: formatYuan(r.amountFen),
    negoPrice: r.negoPrice,
    ...(r.itemId !== undefined && { itemId: r.itemId }),
    ...(r.label !== undefined && { label: r.label }),
    code: r.codeMask,
    storeId: r.storeId,
    machineId: r.machineId,
    cashierId: r.cashierId,
    cashierName: r.cashierName,
    ...(r.gateway !== undefined && { gateway: r.gateway }),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ageMs: now - r.createdAt,
    attempts: r.attempts,
    printed: r.printed,
    ...(r.offline !== undefined && { offline: r.offline }),
    ...(r.forwardedAt !== undefined && { forwardedAt: r.forwardedAt }),
    ...(r.reason !== undefined && reasonHolds(r) && { reason: r.reason }),
    ...(r.flag !== undefined && { flag: r.flag }),
    ...(r.result !== undefined && { result: { ...r.result } }),
    ...(r.error !== undefined && { error: { ...r.error } }),
  };
}

/** What the NOTES column says: only what holds for the sale as it is now; flags always. */
function notes(r: SaleRecord): string {
  const n: string[] = [];
  if (r.flag !== undefined) n.push(`FLAG: ${r.flag}`);
  if (r.offline === true) n.push('offline');
  if (!r.printed) n.push('unprinted');
  // A success's own 'paid' says nothing the STATUS column does not.
  if (r.reason !== undefined && r.flag === undefined && r.status !== 'succeeded') n.push(r.reason);
  return n.join('; ');
}

function table(header: string[], rows: string[][]): string {
  // Display columns, not string length: ￥ and CJK take two, so columns line up in a terminal.
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : padEnd(c, (widths[i] ?? 0) + 1)))
      .join(' ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** One line per sale: status, age, amount, out_biz_id, sale id, masked code, notes. */
export function formatList(records: readonly SaleRecord[], now: number, timeZone?: string): string {
  if (records.length === 0) return 'no sales to show\n';
  const rows = records.map((r) => [
    r.status,
    formatTime(r.createdAt, timeZone),
    formatAge(now - r.createdAt),
    yuan(r.amountFen),
    r.outBizId,
    r.saleId,
    r.codeMask,
    notes(r),
  ]);
  return `${table(['STATUS', 'CREATED', 'AGE', 'AMOUNT', 'OUT_BIZ_ID', 'SALE', 'CODE', 'NOTES'], rows)}\n`;
}

/** Every field of one sale, one per line; the code only as its mask. */
export function formatShow(r: SaleRecord, now: number, timeZone?: string): string {
  const at = (ms: number): string => `${formatTime(ms, timeZone)} (${formatAge(now - ms)} ago)`;
  const pairs: [string, string | undefined][] = [
    ['status', r.status],
    ['amount', `${yuan(r.amountFen)} (nego_price ${r.negoPrice})`],
    ['sale id', r.saleId],
    ['out_biz_id', r.outBizId],
    ['request_id', r.requestId],
    [
      'item',
      [r.label, r.itemId === undefined ? undefined : `#${r.itemId}`].filter(Boolean).join(' ') || undefined,
    ],
    ['code', r.codeMask],
    ['store', r.storeId],
    ['machine', r.machineId],
    ['gateway', r.gateway],
    ['cashier', `${r.cashierName} (${r.cashierId})`],
    ['created', at(r.createdAt)],
    ['updated', at(r.updatedAt)],
    ['attempts', String(r.attempts)],
    ['printed', r.printed ? 'yes' : 'NO'],
    ['offline', r.offline === undefined ? undefined : r.offline ? 'yes (accepted offline)' : 'no'],
    ['forwarded', r.forwardedAt === undefined ? undefined : at(r.forwardedAt)],
    ['reason', reasonHolds(r) ? r.reason : undefined],
    ['FLAG', r.flag],
    ['checkout_id', r.result?.checkoutId],
    ['biz_order_id', r.result?.bizOrderId],
    ['payment_order', r.result?.paymentOrderId],
    ['charged', r.result?.currentPayFee === undefined ? undefined : yuan(r.result.currentPayFee)],
    ['buyer_id', r.result?.buyerId],
    // An error on a sale that then succeeded is from an attempt before: evidence, not its state.
    [
      r.status === 'succeeded' ? 'earlier error' : 'error',
      r.error === undefined ? undefined : gatewayError(r.error),
    ],
  ];
  const shown = pairs.filter((p): p is [string, string] => p[1] !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length)) + 2;
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join('\n') + '\n';
}

function gatewayError(e: NonNullable<SaleRecord['error']>): string {
  const parts = [
    e.code === undefined ? undefined : `code ${e.code}`,
    e.subCode,
    e.subMsg ?? e.msg,
    e.traceId === undefined ? undefined : `trace ${e.traceId}`,
  ];
  return parts.filter((p) => p !== undefined).join(', ');
}

/** What `queue report` shows besides the per-status totals. */
export interface ReportExtras {
  ledgerPath: string;
  /** Unresolved sales (created, sent, pending), oldest first. */
  pending: readonly SaleRecord[];
  queued: readonly SaleRecord[];
  servedUnpaid: readonly SaleRecord[];
  flagged: readonly SaleRecord[];
  unprinted: readonly SaleRecord[];
  /** `<ledger>.corrupt-*` files found beside the ledger. */
  movedAside: readonly string[];
}

function totals(records: readonly SaleRecord[]): StatusTotals {
  return { count: records.length, amountFen: records.reduce((sum, r) => sum + r.amountFen, 0) };
}

function section(title: string, records: readonly SaleRecord[], now: number, timeZone?: string): string {
  if (records.length === 0) return `${title}: none\n`;
  const t = totals(records);
  const oldest = Math.min(...records.map((r) => r.createdAt));
  return (
    `${title}: ${t.count} sale(s), ${yuan(t.amountFen)}, oldest ${formatAge(now - oldest)}\n` +
    formatList(records, now, timeZone)
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}\n`)
      .join('')
  );
}

export function formatReport(
  summary: LedgerSummary,
  extras: ReportExtras,
  now: number,
  timeZone?: string,
): string {
  const out: string[] = [];
  for (const file of extras.movedAside) {
    out.push(
      `!!! LEDGER MOVED ASIDE at ${movedAt(file) ?? 'unknown time'}: ${file}\n` +
        '!!! sales recorded before then are in that file only: keep it and reconcile them\n',
    );
  }
  out.push(`ledger ${extras.ledgerPath} at ${formatTime(now, timeZone)}\n`);
  const rows = SALE_STATUSES.map((s) => [
    s,
    String(summary.byStatus[s].count),
    yuan(summary.byStatus[s].amountFen),
  ]);
  out.push(`${table(['STATUS', 'COUNT', 'AMOUNT'], rows)}\n`);
  if (summary.oldestOpenAt !== undefined) {
    out.push(`oldest open sale: ${formatAge(now - summary.oldestOpenAt)}\n`);
  }
  const kinds = Object.entries(summary.flagKinds).map(([k, n]) => `${k} ${n}`);
  out.push(
    `flagged: ${summary.flagged}${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}   ` +
      `unprinted receipts: ${summary.unprinted}\n`,
  );
  if (summary.servedUnpaid.count > 0) {
    out.push(
      `!!! served but unpaid: ${summary.servedUnpaid.count} sale(s), ${yuan(summary.servedUnpaid.amountFen)}\n`,
    );
  }
  out.push(section('pending (waiting for the payment service)', extras.pending, now, timeZone));
  out.push(section('queued (accepted offline, not yet forwarded)', extras.queued, now, timeZone));
  out.push(
    section(
      'SERVED BUT UNPAID (accepted offline, then declined by the payment service)',
      extras.servedUnpaid,
      now,
      timeZone,
    ),
  );
  out.push(section('FLAGGED (a person must look)', extras.flagged, now, timeZone));
  out.push(section('unprinted receipts', extras.unprinted, now, timeZone));
  return out.join('\n');
}

export interface ReportJson {
  ledger: string;
  now: number;
  byStatus: LedgerSummary['byStatus'];
  flaggedCount: number;
  unprintedCount: number;
  oldestOpenAt?: number;
  pending: SaleJson[];
  queued: SaleJson[];
  servedUnpaid: SaleJson[];
  flagged: SaleJson[];
  unprinted: SaleJson[];
  movedAside: { file: string; at?: string }[];
}

export function reportJson(summary: LedgerSummary, extras: ReportExtras, now: number): ReportJson {
  const sales = (rs: readonly SaleRecord[]): SaleJson[] => rs.map((r) => saleJson(r, now));
  return {
    ledger: extras.ledgerPath,
    now,
    byStatus: summary.byStatus,
    flaggedCount: summary.flagged,
    unprintedCount: summary.unprinted,
    ...(summary.oldestOpenAt !== undefined && { oldestOpenAt: summary.oldestOpenAt }),
    pending: sales(extras.pending),
    queued: sales(extras.queued),
    servedUnpaid: sales(extras.servedUnpaid),
    flagged: sales(extras.flagged),
    unprinted: sales(extras.unprinted),
    movedAside: extras.movedAside.map((file) => {
      const at = movedAt(file);
      return { file, ...(at !== undefined && { at }) };
    }),
  };
}

/** "2026-11-25 19:30:05" from `<file>.corrupt-20261125T193005[-n]`. */
export function movedAt(file: string): string | undefined {
  const m = /\.corrupt-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:-\d+)?$/.exec(file);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  return `${y}-${mo}-${d} ${h}:${mi}:${s}`;
}
