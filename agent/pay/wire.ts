/**
 * What goes on the wire and what comes back, byte for byte. The rules come from the TOP protocol
 * reference (docs §3, §6, §7): `param0` is one JSON string that is serialised once and then both
 * signed and sent; empty params are neither signed nor sent; long ids are parsed losslessly.
 */
import { isInteger, isSafeNumber, parse } from 'lossless-json';
import { AgentError, ErrorCode } from '../errors.js';
import { isSendable } from './sign.js';
import type { PayRequest, QueryRequest } from './types.js';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

function invalid(field: string, why: string): AgentError {
  // The field name only: values may be a payment code.
  return new AgentError(ErrorCode.RequestInvalid, `${field} ${why}`, { field });
}

function required(field: string, value: string): string {
  if (!isSendable(value)) throw invalid(field, 'is required');
  return value;
}

/**
 * The `param0` JSON of xpos.pay. Keys are snake_case in the API doc's order, `item_id` is a
 * JSON number, and optional fields are left out rather than sent as null (Java omits nulls).
 * Call it once per attempt and sign and send the very string it returns.
 */
export function serializeParam0(req: PayRequest): string {
  if (!/^\d+(\.\d+)?$/.test(req.negoPrice)) throw invalid('nego_price', 'must be a non-negative decimal');
  if (req.itemId !== undefined && !(Number.isSafeInteger(req.itemId) && req.itemId >= 0)) {
    throw invalid('item_id', 'must be a non-negative integer');
  }
  // Insertion order fixes the key order, so the same request always serialises the same way.
  const wire: Record<string, string | number> = {
    nego_price: req.negoPrice,
    qr_code: required('qr_code', req.qrCode),
    request_id: required('request_id', req.requestId),
  };
  if (isSendable(req.machineId)) wire['machine_id'] = req.machineId;
  wire['out_biz_id'] = required('out_biz_id', req.outBizId);
  if (req.itemId !== undefined) wire['item_id'] = req.itemId;
  wire['cashier_name'] = required('cashier_name', req.cashierName);
  wire['cashier_id'] = required('cashier_id', req.cashierId);
  wire['store_id'] = required('store_id', req.storeId);
  return JSON.stringify(wire);
}

/** The app params of xpos.querystatus. `biz_order_id` goes as its decimal string (it may exceed 2^53). */
export function queryParams(req: QueryRequest): Record<string, string> {
  const params: Record<string, string> = {};
  if (isSendable(req.checkoutId)) params['checkout_id'] = req.checkoutId;
  if (isSendable(req.bizOrderId)) {
    if (!/^\d{1,20}$/.test(req.bizOrderId)) throw invalid('biz_order_id', 'must be a decimal integer');
    params['biz_order_id'] = req.bizOrderId;
  }
  if (Object.keys(params).length === 0) throw invalid('checkout_id or biz_order_id', 'is required');
  return params;
}

/**
 * The params that will be both signed and sent. Filtering once, here, is what guarantees the
 * two sets are identical (Java TaobaoHashMap drops the same values from both).
 */
export function sendableParams(params: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (isSendable(value)) out[key] = value;
  }
  return out;
}

/** `application/x-www-form-urlencoded` body; values are UTF-8 percent-encoded, empty params dropped. */
export function buildForm(params: Readonly<Record<string, string | undefined>>): string {
  const sendable = sendableParams(params);
  return Object.keys(sendable)
    .sort()
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(sendable[key] ?? '')}`)
    .join('&');
}

/**
 * Numbers that survive a round trip through a double become numbers; anything else (order and
 * buyer ids of 18–19 digits, absurd floats) stays the exact digit string it was on the wire.
 */
function parseNumber(text: string): number | string {
  if (isInteger(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  return isSafeNumber(text) ? Number(text) : text;
}

/**
 * JSON.parse without precision loss. Throws SyntaxError on anything that is not exactly one
 * JSON value, including truncated bodies and duplicate keys with different values.
 */
export function parseLossless(text: string): unknown {
  return parse(text, null, parseNumber);
}
