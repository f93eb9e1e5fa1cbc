/**
 * The business parameters of xpos.pay (`param0`, the QingchengPayReqDTO of the API page) and of
 * xpos.querystatus, checked the way the service checks them: codes 40/41 with a sub_code naming
 * the field, so a client bug is reported as precisely as the real gateway would.
 */
import { isLosslessNumber, parse, stringify } from 'lossless-json';
import { invalidParameter, missingParameter, type Params, type TopError } from './protocol.js';

export interface PayParams {
  /** Fen, as sent: a positive whole number. */
  negoPrice: string;
  amountFen: number;
  /** The full code. Never logged: see maskCode. */
  qrCode: string;
  requestId: string;
  outBizId: string;
  cashierName: string;
  cashierId: string;
  storeId: string;
  machineId?: string;
  /** The JSON number's exact text. */
  itemId?: string;
  /** Key-sorted JSON of every field sent: equal meaning ⇔ equal text. Idempotency compares this. */
  canonical: string;
}

/** Required string fields, in the API page's order (the first missing one is reported). */
const REQUIRED = [
  'nego_price',
  'qr_code',
  'request_id',
  'out_biz_id',
  'cashier_name',
  'cashier_id',
  'store_id',
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isLosslessNumber(v);
}

/** Sort keys at every level, so key order and whitespace never make two equal bodies differ. */
function canonicalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonicalise);
  if (!isRecord(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, canonicalise(v[k])]),
  );
}

export function parsePayParams(params: Params): PayParams | TopError {
  const raw = params['param0'];
  if (raw === undefined || raw.trim() === '') return missingParameter('param0', 'param0 is required');
  let body: unknown;
  try {
    // Lossless, so a long item_id is compared and echoed exactly.
    body = parse(raw);
  } catch {
    return invalidParameter('param0', 'param0 must be a JSON object');
  }
  if (!isRecord(body)) return invalidParameter('param0', 'param0 must be a JSON object');

  const fields: Record<string, string> = {};
  for (const field of REQUIRED) {
    const value = body[field];
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
      return missingParameter(field, `${field} is required`);
    }
    if (typeof value !== 'string') return invalidParameter(field, `${field} must be a JSON string`);
    fields[field] = value;
  }
  const negoPrice = fields['nego_price'] ?? '';
  if (!/^[1-9]\d*$/.test(negoPrice)) {
    return invalidParameter('nego_price', 'nego_price must be a positive whole number of fen');
  }

  const machineId = body['machine_id'];
  if (machineId !== undefined && machineId !== null && typeof machineId !== 'string') {
    return invalidParameter('machine_id', 'machine_id must be a JSON string');
  }
  const itemId = body['item_id'];
  if (itemId !== undefined && itemId !== null && !isLosslessNumber(itemId)) {
    return invalidParameter('item_id', 'item_id must be a JSON number');
  }

  const out: PayParams = {
    negoPrice,
    amountFen: Number(negoPrice),
    qrCode: fields['qr_code'] ?? '',
    requestId: fields['request_id'] ?? '',
    outBizId: fields['out_biz_id'] ?? '',
    cashierName: fields['cashier_name'] ?? '',
    cashierId: fields['cashier_id'] ?? '',
    storeId: fields['store_id'] ?? '',
    canonical: stringify(canonicalise(body)) ?? '',
  };
  if (typeof machineId === 'string' && machineId !== '') out.machineId = machineId;
  if (isLosslessNumber(itemId)) out.itemId = itemId.toString();
  return out;
}

export interface QueryParams {
  checkoutId?: string;
  bizOrderId?: string;
}

/** xpos.querystatus: `checkout_id` (string) or `biz_order_id` (decimal, possibly beyond 2^53). */
export function parseQueryParams(params: Params): QueryParams | TopError {
  const checkoutId = params['checkout_id']?.trim();
  const bizOrderId = params['biz_order_id']?.trim();
  const out: QueryParams = {};
  if (checkoutId !== undefined && checkoutId !== '') out.checkoutId = checkoutId;
  if (bizOrderId !== undefined && bizOrderId !== '') {
    if (!/^\d{1,19}$/.test(bizOrderId)) {
      return invalidParameter('biz_order_id', 'biz_order_id must be a whole number');
    }
    out.bizOrderId = bizOrderId;
  }
  if (out.checkoutId === undefined && out.bizOrderId === undefined) {
    return missingParameter('checkout_id', 'checkout_id or biz_order_id is required');
  }
  return out;
}

export function isTopError(v: object): v is TopError {
  return 'code' in v && 'msg' in v;
}
