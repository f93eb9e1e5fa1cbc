/**
 * The one translation between a `sales` row and a `SaleRecord`. Absent optional fields are NULL in
 * the row and absent (not `undefined`) in the record, so a record round-trips exactly under
 * `exactOptionalPropertyTypes`. Gateway ids live inside the JSON columns as strings and stay strings:
 * `JSON.stringify`/`JSON.parse` never turn a string into a number.
 */
import { AgentError, ErrorCode } from '../errors.js';
import type { GatewayError, PaySuccess } from '../pay/types.js';
import type { SaleRecord, SaleStatus } from '../payment/sale.js';

export const SALE_STATUSES: readonly SaleStatus[] = [
  'created',
  'sent',
  'succeeded',
  'failed',
  'pending',
  'queued',
  'refused',
];

export function isSaleStatus(s: string): s is SaleStatus {
  return (SALE_STATUSES as readonly string[]).includes(s);
}

/** A row as better-sqlite3 returns it (`safeIntegers` off: every INTEGER fits in a double here). */
export interface SaleRow {
  out_biz_id: string;
  sale_id: string;
  request_id: string;
  status: string;
  amount_fen: number;
  nego_price: string;
  item_id: number | null;
  label: string | null;
  qr_code: string | null;
  code_mask: string;
  store_id: string;
  machine_id: string;
  cashier_id: string;
  cashier_name: string;
  created_at: number;
  updated_at: number;
  result: string | null;
  error: string | null;
  reason: string | null;
  attempts: number;
  printed: number;
  offline: number | null;
  forwarded_at: number | null;
  flag: string | null;
  reprint: number | null;
  gateway: string | null;
  code_kind: string | null;
  receipt_status: string | null;
  print_started: string | null;
}

/** Named parameters of the INSERT and UPDATE statements (same names as the columns). */
export type SaleParams = { [K in keyof SaleRow]: SaleRow[K] | null };

/** Every column, in schema order; the statements are built from this one list. */
export const SALE_COLUMNS = [
  'out_biz_id',
  'sale_id',
  'request_id',
  'status',
  'amount_fen',
  'nego_price',
  'item_id',
  'label',
  'qr_code',
  'code_mask',
  'store_id',
  'machine_id',
  'cashier_id',
  'cashier_name',
  'created_at',
  'updated_at',
  'result',
  'error',
  'reason',
  'attempts',
  'printed',
  'offline',
  'forwarded_at',
  'flag',
  'reprint',
  'gateway',
  'code_kind',
  'receipt_status',
  'print_started',
] as const satisfies readonly (keyof SaleRow)[];

/**
 * Record fields → parameters. `undefined` (absent, or a patch that does not touch the field) becomes
 * NULL; the UPDATE statement reads NULL as "keep", the INSERT as "absent".
 */
export function toParams(r: Partial<SaleRecord>): SaleParams {
  return {
    out_biz_id: r.outBizId ?? null,
    sale_id: r.saleId ?? null,
    request_id: r.requestId ?? null,
    status: r.status ?? null,
    amount_fen: r.amountFen ?? null,
    nego_price: r.negoPrice ?? null,
    item_id: r.itemId ?? null,
    label: r.label ?? null,
    qr_code: r.qrCode ?? null,
    code_mask: r.codeMask ?? null,
    store_id: r.storeId ?? null,
    machine_id: r.machineId ?? null,
    cashier_id: r.cashierId ?? null,
    cashier_name: r.cashierName ?? null,
    created_at: r.createdAt ?? null,
    updated_at: r.updatedAt ?? null,
    result: r.result === undefined ? null : JSON.stringify(r.result),
    error: r.error === undefined ? null : JSON.stringify(r.error),
    reason: r.reason ?? null,
    attempts: r.attempts ?? null,
    printed: r.printed === undefined ? null : r.printed ? 1 : 0,
    offline: r.offline === undefined ? null : r.offline ? 1 : 0,
    forwarded_at: r.forwardedAt ?? null,
    flag: r.flag ?? null,
    reprint: r.reprint === undefined ? null : r.reprint ? 1 : 0,
    gateway: r.gateway ?? null,
    code_kind: r.codeKind ?? null,
    receipt_status: r.receiptStatus ?? null,
    print_started: r.printStarted ?? null,
  };
}

function parseObject(text: string, column: string, saleId: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new AgentError(
      ErrorCode.LedgerCorrupt,
      `sale ${saleId}: column ${column} is not JSON`,
      { saleId },
      {
        cause: e,
      },
    );
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new AgentError(ErrorCode.LedgerCorrupt, `sale ${saleId}: column ${column} is not an object`, {
      saleId,
    });
  }
  return v as Record<string, unknown>;
}

/**
 * A JSON column back to its type, checking the fields the payment layer reads: gateway ids must
 * still be strings (an id past 2^53 as a number would already be wrong) and fees numbers.
 */
function typed(
  text: string,
  column: string,
  saleId: string,
  strings: readonly string[],
  numbers: readonly string[],
): Record<string, unknown> {
  const o = parseObject(text, column, saleId);
  for (const [k, v] of Object.entries(o)) {
    const want = strings.includes(k) ? 'string' : numbers.includes(k) ? 'number' : undefined;
    if (want !== undefined && typeof v !== want) {
      throw new AgentError(ErrorCode.LedgerCorrupt, `sale ${saleId}: ${column}.${k} is not a ${want}`, {
        saleId,
      });
    }
  }
  return o;
}

function payResult(text: string, saleId: string): PaySuccess {
  return typed(
    text,
    'result',
    saleId,
    ['checkoutId', 'bizOrderId', 'paymentOrderId', 'buyerId'],
    ['currentPayFee'],
  );
}

function gatewayError(text: string, saleId: string): GatewayError {
  return typed(text, 'error', saleId, ['subCode', 'msg', 'subMsg', 'traceId'], ['code']);
}

export function toRecord(row: SaleRow): SaleRecord {
  const status = row.status;
  if (!isSaleStatus(status)) {
    throw new AgentError(ErrorCode.LedgerCorrupt, `sale ${row.sale_id} has unknown status ${status}`);
  }
  // Field order follows SaleRecord, so a record reads the same as the one written.
  return {
    saleId: row.sale_id,
    requestId: row.request_id,
    outBizId: row.out_biz_id,
    status,
    amountFen: row.amount_fen,
    negoPrice: row.nego_price,
    ...(row.item_id !== null && { itemId: row.item_id }),
    ...(row.label !== null && { label: row.label }),
    ...(row.qr_code !== null && { qrCode: row.qr_code }),
    codeMask: row.code_mask,
    storeId: row.store_id,
    machineId: row.machine_id,
    cashierId: row.cashier_id,
    cashierName: row.cashier_name,
    ...(row.gateway !== null && { gateway: row.gateway }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.result !== null && { result: payResult(row.result, row.sale_id) }),
    ...(row.error !== null && { error: gatewayError(row.error, row.sale_id) }),
    ...(row.reason !== null && { reason: row.reason }),
    attempts: row.attempts,
    printed: row.printed === 1,
    ...(row.offline !== null && { offline: row.offline === 1 }),
    ...(row.forwarded_at !== null && { forwardedAt: row.forwarded_at }),
    ...(row.flag !== null && { flag: row.flag }),
    ...(row.reprint !== null && { reprint: row.reprint === 1 }),
    ...(row.code_kind === 'member' || row.code_kind === 'payment' ? { codeKind: row.code_kind } : {}),
    ...(row.receipt_status !== null &&
      isSaleStatus(row.receipt_status) && { receiptStatus: row.receipt_status }),
    ...(row.print_started !== null && { printStarted: row.print_started }),
  };
}
