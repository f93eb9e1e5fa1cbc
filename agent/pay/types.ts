/**
 * The typed outcomes of the TOP client. The payment layer branches on `kind` alone; messages are
 * for logs and receipts only.
 */

export const PAY_METHOD = 'alibaba.alisports.lianbei.xpos.pay';
export const QUERY_METHOD = 'alibaba.alisports.lianbei.xpos.querystatus';

/** `param0` of xpos.pay, in our own camelCase; the client maps it to the wire's snake_case. */
export interface PayRequest {
  /** In the unit configured by `price.unit` (fen by default), already formatted. */
  negoPrice: string;
  /** Full payment or member code. Never logged unmasked. */
  qrCode: string;
  /** Idempotency key: the same for every retry of one sale. */
  requestId: string;
  outBizId: string;
  storeId: string;
  cashierId: string;
  cashierName: string;
  machineId?: string;
  itemId?: number;
}

/** What a successful xpos.pay reports. Ids that can exceed 2^53 stay strings. */
export interface PaySuccess {
  checkoutId?: string;
  bizOrderId?: string;
  paymentOrderId?: string;
  /** Fen actually charged (`current_pay_fee`). */
  currentPayFee?: number;
  buyerId?: string;
}

export interface QueryRequest {
  checkoutId?: string;
  bizOrderId?: string;
}

export type CheckoutStatus = 'INIT' | 'PROCESSING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

export interface QueryResult {
  checkoutStatus: CheckoutStatus;
  checkoutId?: string;
  outBizId?: string;
  paidFee?: number;
  paidTime?: string;
  resultCode?: string;
  resultMessage?: string;
}

/** The reference of the gateway's error, kept for logs, receipts and the ledger. */
export interface GatewayError {
  code?: number;
  subCode?: string;
  msg?: string;
  subMsg?: string;
  /** The gateway trace id (envelope `request_id`), not our idempotency key. */
  traceId?: string;
}

/**
 * How a call ended. Every call ends in exactly one of these.
 *
 * - `success`:  the business layer confirmed (result_status 1 / SUCCEEDED).
 * - `declined`: definitive failure (result_status 2, `isv.*`, codes 40/41): the customer was not charged.
 * - `pending`:  the service is still deciding (result_status 3 / INIT / PROCESSING).
 * - `rejected`: the gateway refused before dispatch (codes < 100 except 15/40/41): nothing reached the
 *               payment service; safe to retry once the cause is fixed. `retryAfterMs` set for code 7.
 * - `ambiguous`: the request may have reached the service (timeout, reset after send, HTTP 5xx, `isp.*`).
 * - `not-sent`: provably never left (DNS failure, connection refused): safe to retry at once.
 * - `malformed`: a reply we cannot trust (HTML, truncated JSON, wrong envelope, contradictory layers).
 *                The request did reach something, so for money it is as unknown as `ambiguous`.
 */
export type CallOutcome<T> =
  | { kind: 'success'; value: T; traceId?: string }
  | { kind: 'declined'; error: GatewayError; value?: T }
  | { kind: 'pending'; value?: T; error?: GatewayError }
  | { kind: 'rejected'; error: GatewayError; reason: RejectReason; retryAfterMs?: number }
  | { kind: 'ambiguous'; reason: string; error?: GatewayError }
  | { kind: 'not-sent'; reason: string }
  /**
   * `envelope` is true when the body parsed as a JSON object, i.e. something answered in TOP's shape
   * and contradicted itself (or named another order); false for HTML, truncated or non-JSON bodies,
   * which a broken network produces. Only the former is flagged for a person to reconcile.
   */
  | { kind: 'malformed'; reason: string; httpStatus?: number; envelope: boolean };

export type RejectReason = 'rate-limited' | 'clock' | 'signature' | 'app-key' | 'platform';

export type PayOutcome = CallOutcome<PaySuccess>;
export type QueryOutcome = CallOutcome<QueryResult>;

/** What the payment layer needs from a TOP client; the sandbox-backed and real clients are the same class. */
export interface XposApi {
  pay(req: PayRequest, signal?: AbortSignal): Promise<PayOutcome>;
  queryStatus(req: QueryRequest, signal?: AbortSignal): Promise<QueryOutcome>;
}
