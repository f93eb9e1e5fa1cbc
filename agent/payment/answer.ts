/**
 * What one gateway answer says about the money of one sale. The TOP client's `CallOutcome` is about
 * the call (did it come back, in what shape); an `Answer` is about the money: charged, declined,
 * still deciding, or not known. The decision table (`table.ts`) turns an answer and the sale's
 * history into the next ledger status; nothing else reads a `CallOutcome`.
 */
import type { GatewayError, PayOutcome, PaySuccess, QueryOutcome } from '../pay/types.js';
import type { SaleRecord } from './sale.js';

/** How the sale was asked about: a pay call (the first send or an identical replay) or querystatus. */
export type Tool = 'pay' | 'query';

export const ANSWER_KINDS = [
  /** Paid: pay result_status 1, or querystatus SUCCEEDED. */
  'charged',
  /** pay said no: result_status 2, an `isv.*` business error, codes 40/41. */
  'declined',
  /** querystatus said FAILED or CANCELED for this sale's checkout. */
  'declined-confirmed',
  /** Still deciding: result_status 3, INIT, PROCESSING. */
  'pending',
  /** The request may have reached the service and no answer came back: timeout, reset, 5xx, `isp.*`, garbage. */
  'unknown',
  /** An answer in TOP's shape that contradicts itself or names another order or checkout. */
  'contradictory',
  /** Provably never left the kiosk (DNS, connection refused, TLS handshake). */
  'not-sent',
  /** Refused before dispatch for a while (call limits, frequency): the same request later. */
  'busy',
  /** Refused before dispatch by the platform (signature, app key, IP whitelist, clock, permissions). */
  'rejected',
] as const;

export type AnswerKind = (typeof ANSWER_KINDS)[number];

export interface Answer {
  kind: AnswerKind;
  via: Tool;
  /** Words for the log and the ledger. */
  reason: string;
  /** Ids and fee the answer carried, merged into the sale's `result`. */
  result?: PaySuccess;
  error?: GatewayError;
  /** `busy`: how long the ban lasts. */
  retryAfterMs?: number;
  /** `contradictory`: what a person should look at. */
  problem?: string;
}

export function describe(error: GatewayError | undefined): string {
  if (!error) return 'no detail';
  const parts = [
    error.subMsg ?? error.msg,
    error.subCode ?? (error.code !== undefined ? `code ${error.code}` : undefined),
  ];
  return parts.filter((p) => p !== undefined && p !== '').join(' · ') || 'no detail';
}

function contradictory(via: Tool, problem: string): Answer {
  return { kind: 'contradictory', via, reason: `untrusted reply: ${problem}`, problem };
}

/**
 * A pay answer naming a checkout other than the one an earlier answer gave for the same request_id
 * means the gateway made a second payment for it. It is recorded (the ids are evidence) but read as
 * contradictory, except a charge: that money moved, whatever else happened (table.ts flags it).
 */
function otherCheckout(sale: SaleRecord, value: PaySuccess | undefined): string | undefined {
  const held = sale.result?.checkoutId;
  const got = value?.checkoutId;
  return held !== undefined && got !== undefined && held !== got ? got : undefined;
}

export function payAnswer(o: PayOutcome, sale: SaleRecord): Answer {
  const via = 'pay';
  switch (o.kind) {
    case 'success':
      return { kind: 'charged', via, reason: 'paid', result: o.value };
    case 'declined': {
      const other = otherCheckout(sale, o.value);
      if (other !== undefined) {
        return contradictory(via, `a replay was declined under another checkout (${other})`);
      }
      return {
        kind: 'declined',
        via,
        reason: `declined: ${describe(o.error)}`,
        error: o.error,
        ...(o.value && { result: o.value }),
      };
    }
    case 'pending': {
      const other = otherCheckout(sale, o.value);
      if (other !== undefined) {
        return contradictory(via, `a replay is pending under another checkout (${other})`);
      }
      return {
        kind: 'pending',
        via,
        reason: 'payment pending at the service',
        ...(o.value && { result: o.value }),
        ...(o.error && { error: o.error }),
      };
    }
    case 'ambiguous':
    case 'malformed':
    case 'not-sent':
    case 'rejected':
      return noAnswer(o, via);
  }
}

/** The outcomes that say nothing about the money: the call itself did not get a business answer. */
type NoAnswer = Extract<
  PayOutcome | QueryOutcome,
  { kind: 'ambiguous' | 'malformed' | 'not-sent' | 'rejected' }
>;

function noAnswer(o: NoAnswer, via: Tool): Answer {
  const what = via === 'pay' ? 'the request' : 'the status query';
  switch (o.kind) {
    case 'ambiguous':
      return { kind: 'unknown', via, reason: o.reason, ...(o.error && { error: o.error }) };
    case 'malformed':
      // Garbage from a broken network (HTML, truncated JSON) is asked again; a TOP-shaped reply
      // that contradicts itself needs a person as well.
      return o.envelope
        ? contradictory(via, o.reason)
        : { kind: 'unknown', via, reason: `untrusted reply: ${o.reason}` };
    case 'not-sent':
      return { kind: 'not-sent', via, reason: `payment service unreachable: ${o.reason}` };
    case 'rejected':
      return o.reason === 'rate-limited'
        ? {
            kind: 'busy',
            via,
            reason: `rate limited: ${describe(o.error)}`,
            error: o.error,
            retryAfterMs: o.retryAfterMs ?? 1000,
          }
        : {
            kind: 'rejected',
            via,
            reason: `gateway refused ${what} (${o.reason}): ${describe(o.error)}`,
            error: o.error,
          };
  }
}

/** A querystatus answer for `checkoutId`, which an earlier answer to this sale's own request gave. */
export function queryAnswer(o: QueryOutcome, sale: SaleRecord, checkoutId: string): Answer {
  const via = 'query';
  if (o.kind === 'success' || o.kind === 'declined' || o.kind === 'pending') {
    const order = o.value?.outBizId;
    if (order !== undefined && order !== sale.outBizId) {
      return contradictory(via, `query answered for another order (${order})`);
    }
    const checkout = o.value?.checkoutId;
    if (checkout !== undefined && checkout !== checkoutId) {
      return contradictory(via, `query for ${checkoutId} answered about ${checkout}`);
    }
  }
  switch (o.kind) {
    case 'success': {
      const v = o.value;
      return {
        kind: 'charged',
        via,
        reason: 'paid (querystatus)',
        result: { checkoutId, ...(v.paidFee !== undefined && { currentPayFee: v.paidFee }) },
      };
    }
    case 'declined':
      return {
        kind: 'declined-confirmed',
        via,
        reason: `declined (querystatus ${o.value?.checkoutStatus ?? 'FAILED'}): ${o.value?.resultMessage ?? describe(o.error)}`,
        error: o.error,
      };
    case 'pending':
      return { kind: 'pending', via, reason: `still ${o.value?.checkoutStatus ?? 'pending'}` };
    case 'ambiguous':
    case 'malformed':
    case 'not-sent':
    case 'rejected':
      return noAnswer(o, via);
  }
}
