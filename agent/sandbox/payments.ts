/**
 * The payment service behind the sandbox gateway: payments keyed by `param0.request_id`
 * (idempotency), their lifecycle (pending → succeeded/failed) and the charge ledger.
 *
 * A pending payment resolves either at a time (`pendingMs` after it was made, as a buyer
 * confirming on the phone would) or after a number of polls (the `pending-then` fault). Time-based
 * ones settle lazily, whenever anything looks at them, so an injected `now` drives them exactly.
 */
import { createHash } from 'node:crypto';
import { formatGmt8 } from '../pay/clock.js';
import { AMOUNT_LIMIT_FEN, FAIL_REASONS, decide, type FailReason } from './behaviour.js';
import { ChargeLedger } from './charges.js';
import type { PendingThenFault } from './faults.js';
import type { PayParams, QueryParams } from './param0.js';
import { invalidParameter, remoteError, type TopError } from './protocol.js';

export type PaymentStatus = 'PROCESSING' | 'SUCCEEDED' | 'FAILED';

interface Resolution {
  outcome: 'success' | 'fail';
  /** When it resolves: at a time, or after this many more polls report it still pending. */
  atMs?: number;
  pollsLeft?: number;
}

export interface Payment {
  readonly requestId: string;
  readonly outBizId: string;
  readonly amountFen: number;
  readonly checkoutId: string;
  /** 19 decimal digits: beyond 2^53 on purpose. */
  readonly bizOrderId: string;
  readonly paymentOrderId: string;
  /** Decimal digits, set once the payment succeeds. */
  buyerId?: string;
  readonly member: boolean;
  /** Digits derived from the code (never the code itself), so one member always has one buyer id. */
  readonly buyerDigits: string;
  status: PaymentStatus;
  failure?: FailReason;
  paidAtMs?: number;
  resolution?: Resolution;
}

interface Entry {
  canonical: string;
  payment?: Payment;
  /** A business refusal (e.g. over the amount limit) that a replay repeats. */
  error?: TopError;
}

export type PayResult =
  | { kind: 'payment'; payment: Payment; replay: boolean }
  | { kind: 'error'; error: TopError; replay: boolean };

export interface PaymentBookOptions {
  now: () => number;
  pendingMs: number;
  /** Asked for a `pending-then` fault when a new payment is created. */
  takePendingThen: () => PendingThenFault | undefined;
}

/** Twelve decimal digits from a hash of the text. */
function digitsOf(text: string): string {
  const n = BigInt(`0x${createHash('sha256').update(text).digest('hex').slice(0, 15)}`);
  return (n % 1_000_000_000_000n).toString().padStart(12, '0');
}

export class PaymentBook {
  readonly ledger: ChargeLedger;
  readonly #byRequestId = new Map<string, Entry>();
  readonly #byCheckoutId = new Map<string, Payment>();
  readonly #byBizOrderId = new Map<string, Payment>();
  readonly #pending = new Set<Payment>();
  readonly #opts: PaymentBookOptions;
  #seq = 0;

  constructor(opts: PaymentBookOptions) {
    this.#opts = opts;
    this.ledger = new ChargeLedger(() => {
      this.settleDue();
    });
  }

  /** Make a payment, or replay the one already made under this request_id. */
  pay(params: PayParams): PayResult {
    this.settleDue();
    const known = this.#byRequestId.get(params.requestId);
    if (known !== undefined) {
      if (known.canonical !== params.canonical) {
        return {
          kind: 'error',
          error: remoteError('isv.request-id-conflict', 'request_id 已用于参数不同的另一笔支付'),
          replay: false,
        };
      }
      if (known.payment !== undefined) {
        this.#poll(known.payment);
        return { kind: 'payment', payment: known.payment, replay: true };
      }
      if (known.error !== undefined) return { kind: 'error', error: known.error, replay: true };
    }

    const outcome = decide(params.qrCode, params.amountFen);
    if (outcome === 'over-limit') {
      const error = remoteError('isv.amount-over-limit', `单笔支付金额超过限额 ${AMOUNT_LIMIT_FEN} 分`);
      this.#byRequestId.set(params.requestId, { canonical: params.canonical, error });
      return { kind: 'error', error, replay: false };
    }
    const payment = this.#create(params, outcome === 'member');
    this.#byRequestId.set(params.requestId, { canonical: params.canonical, payment });

    const forced = this.#opts.takePendingThen();
    const nowMs = this.#opts.now();
    if (forced !== undefined) {
      this.#hold(payment, { outcome: forced.outcome, pollsLeft: forced.polls });
    } else if (outcome === 'pending-success' || outcome === 'pending-fail') {
      const atMs = nowMs + this.#opts.pendingMs;
      this.#hold(payment, { outcome: outcome === 'pending-success' ? 'success' : 'fail', atMs });
    } else if (outcome === 'invalid-code' || outcome === 'declined') {
      this.#fail(payment, outcome === 'declined' ? FAIL_REASONS.balance : FAIL_REASONS.invalidCode);
    } else {
      this.#succeed(payment, nowMs);
    }
    return { kind: 'payment', payment, replay: false };
  }

  /** Find a payment for xpos.querystatus; counts as a poll of a pending one. */
  query(q: QueryParams): Payment | TopError {
    this.settleDue();
    const byCheckout = q.checkoutId === undefined ? undefined : this.#byCheckoutId.get(q.checkoutId);
    const payment =
      byCheckout ?? (q.bizOrderId === undefined ? undefined : this.#byBizOrderId.get(q.bizOrderId));
    if (payment === undefined) return remoteError('isv.checkout-not-exist', '支付单不存在');
    if (q.checkoutId !== undefined && q.bizOrderId !== undefined && payment.bizOrderId !== q.bizOrderId) {
      return invalidParameter('biz_order_id', 'biz_order_id does not belong to checkout_id');
    }
    this.#poll(payment);
    return payment;
  }

  /** Resolve every time-based pending payment whose time has come. */
  settleDue(): void {
    const nowMs = this.#opts.now();
    for (const p of this.#pending) {
      const atMs = p.resolution?.atMs;
      if (atMs !== undefined && atMs <= nowMs) this.#resolve(p, atMs);
    }
  }

  #create(params: PayParams, member: boolean): Payment {
    this.#seq += 1;
    const nowMs = this.#opts.now();
    const stamp = formatGmt8(nowMs).replace(/\D/g, ''); // yyyyMMddHHmmss in GMT+8
    const seq = String(this.#seq).padStart(10, '0');
    const payment: Payment = {
      requestId: params.requestId,
      outBizId: params.outBizId,
      amountFen: params.amountFen,
      checkoutId: `SBX${stamp}${seq.slice(-6)}`,
      // 8 + 10 + 1 digits; the trailing 1 makes it odd, so no double can hold it exactly.
      bizOrderId: `${stamp.slice(0, 8)}${seq}1`,
      paymentOrderId: `PO${stamp.slice(0, 8)}${seq}`,
      member,
      buyerDigits: digitsOf(params.qrCode),
      status: 'PROCESSING',
    };
    this.#byCheckoutId.set(payment.checkoutId, payment);
    this.#byBizOrderId.set(payment.bizOrderId, payment);
    return payment;
  }

  #hold(p: Payment, resolution: Resolution): void {
    p.status = 'PROCESSING';
    p.resolution = resolution;
    this.#pending.add(p);
    this.ledger.track(p.outBizId, 'PROCESSING');
  }

  #succeed(p: Payment, atMs: number): void {
    p.status = 'SUCCEEDED';
    p.paidAtMs = atMs;
    p.buyerId = `${p.member ? '2208' : '2088'}${p.buyerDigits}`;
    this.ledger.charge(p.outBizId, p.amountFen);
  }

  #fail(p: Payment, reason: FailReason): void {
    p.status = 'FAILED';
    p.failure = reason;
    this.ledger.track(p.outBizId, 'FAILED');
  }

  /** A query or replay looked at the payment: a poll-based pending one counts down. */
  #poll(p: Payment): void {
    const left = p.resolution?.pollsLeft;
    if (left === undefined || p.status !== 'PROCESSING') return;
    if (left > 0 && p.resolution !== undefined) p.resolution.pollsLeft = left - 1;
    else this.#resolve(p, this.#opts.now());
  }

  #resolve(p: Payment, atMs: number): void {
    const outcome = p.resolution?.outcome;
    this.#pending.delete(p);
    delete p.resolution;
    if (outcome === 'success') this.#succeed(p, atMs);
    else this.#fail(p, FAIL_REASONS.unconfirmed);
  }
}
