/**
 * What one gateway answer means for a sale. The TOP client's outcomes are about the call; these
 * steps are about the money: did it move, did it not, or do we not know yet.
 */
import type { GatewayError, PayOutcome, PaySuccess, QueryOutcome } from '../pay/types.js';

export type Step =
  | { kind: 'succeeded'; result: PaySuccess }
  | { kind: 'failed'; error: GatewayError; reason: string }
  /** The service may have charged: keep asking. `flag` asks a person to look as well. */
  | { kind: 'unknown'; reason: string; result?: PaySuccess; error?: GatewayError; flag?: string }
  /** Rejected before dispatch, try again after `afterMs` (rate limit). */
  | { kind: 'retry'; afterMs: number; reason: string }
  /** Provably never left the kiosk. */
  | { kind: 'not-sent'; reason: string }
  /** Rejected before dispatch for a reason a retry will not fix (signature, app key, clock). */
  | { kind: 'refused'; reason: string };

export function describe(error: GatewayError | undefined): string {
  if (!error) return 'no detail';
  const parts = [
    error.subMsg ?? error.msg,
    error.subCode ?? (error.code !== undefined ? `code ${error.code}` : undefined),
  ];
  return parts.filter((p) => p !== undefined && p !== '').join(' · ') || 'no detail';
}

/**
 * A reply we cannot trust is never success. One in TOP's shape that contradicts itself is flagged
 * for a person; garbage from a broken network (HTML, truncated JSON) is just asked again.
 */
function untrusted(reason: string, envelope: boolean): Step {
  const text = `untrusted reply: ${reason}`;
  return envelope ? { kind: 'unknown', reason: text, flag: text } : { kind: 'unknown', reason: text };
}

export function toStep(o: PayOutcome): Step {
  switch (o.kind) {
    case 'success':
      return { kind: 'succeeded', result: o.value };
    case 'declined':
      return { kind: 'failed', error: o.error, reason: describe(o.error) };
    case 'pending':
      return {
        kind: 'unknown',
        reason: 'payment pending at the service',
        ...(o.value && { result: o.value }),
        ...(o.error && { error: o.error }),
      };
    case 'ambiguous':
      return { kind: 'unknown', reason: o.reason, ...(o.error && { error: o.error }) };
    case 'malformed':
      return untrusted(o.reason, o.envelope);
    case 'not-sent':
      return { kind: 'not-sent', reason: `payment service unreachable: ${o.reason}` };
    case 'rejected':
      if (o.reason === 'rate-limited') {
        return {
          kind: 'retry',
          afterMs: o.retryAfterMs ?? 1000,
          reason: `rate limited: ${describe(o.error)}`,
        };
      }
      return { kind: 'refused', reason: `gateway refused the request (${o.reason}): ${describe(o.error)}` };
  }
}

/** A query answer; one that is about another order is not trusted. */
export function fromQuery(o: QueryOutcome, outBizId: string): Step {
  if (o.kind === 'success' || o.kind === 'declined' || o.kind === 'pending') {
    const other = o.value?.outBizId;
    if (other !== undefined && other !== outBizId) {
      const reason = `query answered for another order (${other})`;
      return { kind: 'unknown', reason, flag: reason };
    }
  }
  switch (o.kind) {
    case 'success': {
      const v = o.value;
      return {
        kind: 'succeeded',
        result: {
          ...(v.checkoutId !== undefined && { checkoutId: v.checkoutId }),
          ...(v.paidFee !== undefined && { currentPayFee: v.paidFee }),
        },
      };
    }
    case 'declined':
      return { kind: 'failed', error: o.error, reason: o.value?.resultMessage ?? describe(o.error) };
    case 'pending':
      return { kind: 'unknown', reason: `still ${o.value?.checkoutStatus ?? 'pending'}` };
    case 'ambiguous':
      return { kind: 'unknown', reason: o.reason };
    case 'malformed':
      return untrusted(o.reason, o.envelope);
    case 'not-sent':
      return { kind: 'unknown', reason: `query not sent: ${o.reason}` };
    case 'rejected':
      return o.reason === 'rate-limited'
        ? { kind: 'retry', afterMs: o.retryAfterMs ?? 1000, reason: 'rate limited' }
        : { kind: 'unknown', reason: `query refused: ${describe(o.error)}` };
  }
}
