/**
 * Pure classification of one gateway reply into a CallOutcome. Every layer of the reply is
 * checked (docs §7, §8): the TOP envelope, `result`, and the business `model`. A reply whose
 * layers disagree is `malformed`, never guessed at: for money, an untrusted "success" is worse
 * than an honest "unknown".
 */
import { parseLossless } from './wire.js';
import {
  PAY_METHOD,
  QUERY_METHOD,
  type CallOutcome,
  type CheckoutStatus,
  type GatewayError,
  type PayOutcome,
  type PaySuccess,
  type QueryOutcome,
  type QueryResult,
  type RejectReason,
} from './types.js';

type Obj = Record<string, unknown>;
type Method = typeof PAY_METHOD | typeof QUERY_METHOD;

/**
 * Codes below 100 are the gateway's own refusals, except these, which come from the business side
 * (docs §8: 50 "Remote service error" carries business sub-codes in practice).
 */
const BUSINESS_CODES = new Set([15, 40, 41, 50]);
const CHECKOUT_STATUSES: readonly CheckoutStatus[] = [
  'INIT',
  'PROCESSING',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
];
const DEFAULT_BAN_MS = 1000;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string; numbers (safe ones, as parsed) are rendered exactly. */
function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function int(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
  return undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  return undefined;
}

/** Drop undefined members so the result satisfies exactOptionalPropertyTypes. */
function compact<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A wire value for a log line, without dumping whole objects. */
function show(v: unknown): string {
  const text =
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v;
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

export function wrapperKey(method: string): string {
  return `${method.replace(/\./g, '_')}_response`;
}

/** "This ban will last for 2 more seconds" → 2000. A ban of "0 more seconds" still has up to 999 ms left. */
export function banMs(text: string | undefined): number {
  const m = /ban will last for (\d+) more seconds?/i.exec(text ?? '');
  return m?.[1] === undefined ? DEFAULT_BAN_MS : Math.max(Number(m[1]), 1) * 1000;
}

function malformed(
  reason: string,
  httpStatus: number,
  envelope = true,
): { kind: 'malformed'; reason: string; httpStatus: number; envelope: boolean } {
  return { kind: 'malformed', reason, httpStatus, envelope };
}

function rejectReason(code: number): RejectReason {
  if (code === 7) return 'rate-limited';
  if (code === 30 || code === 31) return 'clock';
  if (code === 24 || code === 25) return 'signature';
  if (code === 28 || code === 29) return 'app-key';
  return 'platform';
}

/** `error_response`: decide by sub_code first, where it proves more than the code does. */
function classifyError(method: Method, e: Obj, httpStatus: number): CallOutcome<never> {
  const code = int(e['code']);
  const subCode = str(e['sub_code']);
  const error = compact<GatewayError>({
    code,
    subCode,
    msg: str(e['msg']),
    subMsg: str(e['sub_msg']),
    traceId: str(e['request_id']),
  });
  if (code === undefined && subCode === undefined)
    return malformed('error_response without a code', httpStatus);
  // isp.* is a backend failure, whatever the code: the backend may already have charged.
  if (subCode?.startsWith('isp.')) return { kind: 'ambiguous', reason: `service error ${subCode}`, error };
  // Code 10 "Service Currently Unavailable" is usually an unknown exception (docs §8: "cautious"),
  // so it is not proof that nothing was dispatched.
  if (code === 10) return { kind: 'ambiguous', reason: 'gateway: service currently unavailable', error };
  if (code !== undefined && code < 100 && !BUSINESS_CODES.has(code)) {
    const reason = rejectReason(code);
    if (reason !== 'rate-limited') return { kind: 'rejected', error, reason };
    return { kind: 'rejected', error, reason, retryAfterMs: banMs(error.subMsg ?? error.msg) };
  }
  if (subCode?.startsWith('isv.') || code === 40 || code === 41) {
    // A refused query says nothing about the payment it asked about; only a pay can be declined.
    if (method === PAY_METHOD) return { kind: 'declined', error };
    return { kind: 'ambiguous', reason: `status query refused: ${subCode ?? `code ${code}`}`, error };
  }
  return { kind: 'ambiguous', reason: `gateway error ${subCode ?? `code ${code}`}`, error };
}

/** The business layers of a TOP reply, checked for shape before any meaning is read from them. */
interface Layers {
  ok: boolean;
  httpCode: number | undefined;
  model: Obj | undefined;
  /** The service's own reason, for logs and receipts. */
  detail: GatewayError;
}

function layers(inner: Obj): Layers | string {
  const result = inner['result'];
  if (!isObj(result)) return 'reply has no result object';
  const ok = bool(result['success']);
  if (ok === undefined) return 'result.success is missing';
  const model = result['model'];
  if (model !== undefined && model !== null && !isObj(model)) return 'result.model is not an object';
  const httpCode = int(result['http_status_code']);
  if (ok && httpCode !== undefined && (httpCode < 200 || httpCode > 299)) {
    return `result.success with http_status_code ${httpCode}`;
  }
  const m = isObj(model) ? model : undefined;
  // msg_code/msg_info describe the call, not the payment ("0 访问成功"): a reason only when the call failed.
  const detail = compact<GatewayError>({
    subCode: str(m?.['result_code']) ?? (ok ? undefined : str(result['msg_code'])),
    subMsg: str(m?.['result_message']) ?? (ok ? undefined : str(result['msg_info'])),
    traceId: str(inner['request_id']),
  });
  return { ok, httpCode, model: m, detail };
}

function paySuccessOf(m: Obj | undefined): PaySuccess {
  return compact<PaySuccess>({
    checkoutId: str(m?.['checkout_id']),
    bizOrderId: str(m?.['biz_order_id']),
    paymentOrderId: str(m?.['payment_order_id']),
    currentPayFee: int(m?.['current_pay_fee']),
    buyerId: str(m?.['buyer_id']),
  });
}

function classifyPayLayers(l: Layers, httpStatus: number): PayOutcome {
  const status = l.model?.['result_status'];
  const resultStatus = int(status);
  const modelOk = bool(l.model?.['success']);
  const value = paySuccessOf(l.model);
  const error = l.detail;
  if (resultStatus === 1) {
    if (!l.ok || modelOk === false) return malformed('result_status 1 with a failure flag', httpStatus);
    return { kind: 'success', value, ...(error.traceId !== undefined && { traceId: error.traceId }) };
  }
  if (resultStatus === 2) {
    if (modelOk === true) return malformed('model.success with result_status 2', httpStatus);
    return { kind: 'declined', error: { msg: 'payment failed', ...error }, value };
  }
  // Still deciding is never a contradiction; the ids let the caller ask again.
  if (resultStatus === 3) return { kind: 'pending', value, error };
  if (status !== undefined && status !== null)
    return malformed(`unknown result_status ${show(status)}`, httpStatus);
  if (modelOk === true) return malformed('model.success without result_status', httpStatus);
  if (l.ok) return malformed('result.success without a payment status', httpStatus);
  // The service said the call failed. A 5xx inside it is a crash that may have come after the charge.
  if (l.httpCode !== undefined && l.httpCode >= 500) {
    return { kind: 'ambiguous', reason: `service answered http_status_code ${l.httpCode}`, error };
  }
  return { kind: 'declined', error: { msg: 'payment failed', ...error } };
}

function classifyQueryLayers(l: Layers, httpStatus: number): QueryOutcome {
  const raw = l.model?.['checkout_status'];
  if (raw === undefined || raw === null) {
    if (l.ok) return malformed('status query without checkout_status', httpStatus);
    return { kind: 'ambiguous', reason: 'status query failed', error: l.detail };
  }
  const checkoutStatus = CHECKOUT_STATUSES.find((s) => s === raw);
  if (checkoutStatus === undefined) return malformed(`unknown checkout_status ${show(raw)}`, httpStatus);
  const m = l.model;
  const value = compact<QueryResult>({
    checkoutStatus,
    checkoutId: str(m?.['checkout_id']),
    outBizId: str(m?.['out_biz_id']),
    paidFee: int(m?.['paid_fee']),
    paidTime: str(m?.['paid_time']),
    resultCode: str(m?.['result_code']),
    resultMessage: str(m?.['result_message']),
  });
  const failed = !l.ok || bool(m?.['success']) === false;
  switch (checkoutStatus) {
    case 'SUCCEEDED':
      if (failed) return malformed('checkout SUCCEEDED with a failure flag', httpStatus);
      return { kind: 'success', value, ...(l.detail.traceId !== undefined && { traceId: l.detail.traceId }) };
    case 'FAILED':
    case 'CANCELED':
      return { kind: 'declined', error: { msg: `checkout ${checkoutStatus}`, ...l.detail }, value };
    case 'INIT':
    case 'PROCESSING':
      return { kind: 'pending', value, error: l.detail };
  }
}

/** Find the method's payload: under its `<method>_response` wrapper, or at the root (simplify=true). */
function unwrap(method: Method, root: Obj): Obj | string {
  const key = wrapperKey(method);
  const others = Object.keys(root).filter((k) => k !== key && k.endsWith('_response'));
  if (others.length > 0) return `reply wrapped as ${others.join(', ')}`;
  if (key in root) {
    const inner = root[key];
    return isObj(inner) ? inner : `${key} is not an object`;
  }
  return 'result' in root ? root : 'no TOP envelope';
}

function classifyReply<T>(
  method: Method,
  httpStatus: number,
  body: string,
  interpret: (l: Layers, httpStatus: number) => CallOutcome<T>,
): CallOutcome<T> {
  let root: unknown;
  try {
    root = parseLossless(body);
  } catch {
    root = undefined;
  }
  // Whatever answered a 5xx without a TOP body (a proxy, a load balancer) may have forwarded us.
  const noTopBody = (reason: string): CallOutcome<never> =>
    httpStatus >= 500
      ? { kind: 'ambiguous', reason: `HTTP ${httpStatus} without a TOP reply (${reason})` }
      : malformed(reason, httpStatus, false);
  if (!isObj(root)) {
    if (root !== undefined) return noTopBody('reply is not a JSON object');
    return noTopBody(/^\s*</.test(body) ? 'HTML or XML instead of JSON' : 'reply is not valid JSON');
  }
  const error = root['error_response'];
  if (error !== undefined) {
    if (!isObj(error) || Object.keys(root).length !== 1)
      return malformed('unexpected error_response', httpStatus);
    return classifyError(method, error, httpStatus);
  }
  const inner = unwrap(method, root);
  if (typeof inner === 'string') return noTopBody(inner);
  if (httpStatus < 200 || httpStatus > 299) return malformed(`TOP reply with HTTP ${httpStatus}`, httpStatus);
  const l = layers(inner);
  if (typeof l === 'string') return malformed(l, httpStatus);
  return interpret(l, httpStatus);
}

/** Classify an xpos.pay reply (HTTP status and raw body text). */
export function classifyPay(httpStatus: number, body: string): PayOutcome {
  return classifyReply(PAY_METHOD, httpStatus, body, classifyPayLayers);
}

/** Classify an xpos.querystatus reply (HTTP status and raw body text). */
export function classifyQuery(httpStatus: number, body: string): QueryOutcome {
  return classifyReply(QUERY_METHOD, httpStatus, body, classifyQueryLayers);
}
