/**
 * The payment service behind the sandbox gateway: payments keyed by `param0.request_id`
 * (idempotency), their lifecycle (pending → succeeded/failed) and the charge ledger.
 *
 * A pending payment resolves either at a time (`pendingMs` after it was made, as a buyer
 * confirming on the phone would) or after a number of polls (the `pending-then` fault, and the
 * personalities that complete on a query or on a replay only). Time-based ones settle lazily,
 * whenever anything looks at them, so an injected `now` drives them exactly. Which rules a payment
 * follows is its request's personality (personality.ts), fixed when the request_id was first seen.
 */
import { createHash } from 'node:crypto';
import { formatGmt8 } from '../pay/clock.js';
import { AMOUNT_LIMIT_FEN, FAIL_REASONS, decide, type FailReason } from './behaviour.js';
import { ChargeLedger } from './charges.js';
import type { PendingThenFault } from './faults.js';
import type { PayParams, QueryParams } from './param0.js';
import { completion, replayAnswer, type Personality } from './personality.js';
import { invalidParameter, remoteError, type TopError } from './protocol.js';
import type { BookSnapshot, Entry, Payment, Resolution } from './book-types.js';

export type { BookSnapshot, Payment, PaymentStatus } from './book-types.js';

export type PayResult =
  /** `codeUsed`: the replay is answered with a PAY_CODE_USED decline instead of the payment. */
  | { kind: 'payment'; payment: Payment; replay: boolean; codeUsed?: true }
  | { kind: 'error'; error: TopError; replay: boolean };

export interface PaymentBookOptions {
  now: () => number;
  pendingMs: number;
  /** Asked for a `pending-then` fault when a new payment is created. */
  takePendingThen: () => PendingThenFault | undefined;
  /** The gateway's personality now, for request_ids seen from now on. */
  personality: () => Personality;
  /** A book saved before (book-file.ts): its payments, pending ones and numbering go on. */
  initial?: BookSnapshot;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Twelve decimal digits from a hash of the text. */
function digitsOf(text: string): string {
  const n = BigInt(`0x${createHash('sha256').update(text).digest('hex').slice(0, 15)}`);
  return (n % 1_000_000_000_000n).toString().padStart(12, '0');
}

/** An entry as the book file keeps it: its payment by checkout id. */
function entryJson(id: string, { payment, ...rest }: Entry): BookSnapshot['entries'][number] {
  return [id, { ...rest, ...(payment !== undefined && { payment: payment.checkoutId }) }];
}

export class PaymentBook {
  readonly ledger: ChargeLedger;
  readonly #byRequestId = new Map<string, Entry>();
  readonly #byCheckoutId = new Map<string, Payment>();
  readonly #byBizOrderId = new Map<string, Payment>();
  readonly #pending = new Set<Payment>();
  /** Records changed since takeChanges() was last asked: the book file appends only these. */
  readonly #changedPayments = new Set<Payment>();
  readonly #changedRequests = new Set<string>();
  readonly #opts: PaymentBookOptions;
  #seq = 0;

  constructor(opts: PaymentBookOptions) {
    this.#opts = opts;
    this.ledger = new ChargeLedger(() => {
      this.settleDue();
    });
    if (opts.initial !== undefined) this.#restore(opts.initial);
  }

  snapshot(): BookSnapshot {
    const entries = [...this.#byRequestId].map(([id, e]) => entryJson(id, e));
    const payments = [...this.#byCheckoutId.values()].map((p) => ({ ...p }));
    return { version: 1, seq: this.#seq, payments, entries, charges: this.ledger.entries() };
  }

  /** The records changed since the last call; none when nothing changed. */
  takeChanges(): BookSnapshot | undefined {
    const charges = this.ledger.takeChanged();
    if (this.#changedPayments.size === 0 && this.#changedRequests.size === 0 && charges.length === 0) {
      return undefined;
    }
    const entries: BookSnapshot['entries'] = [];
    for (const id of this.#changedRequests) {
      const e = this.#byRequestId.get(id);
      if (e !== undefined) entries.push(entryJson(id, e));
    }
    const payments = [...this.#changedPayments].map((p) => ({ ...p }));
    this.#changedPayments.clear();
    this.#changedRequests.clear();
    return { version: 1, seq: this.#seq, payments, entries, charges };
  }

  #setEntry(requestId: string, entry: Entry): void {
    this.#byRequestId.set(requestId, entry);
    this.#changedRequests.add(requestId);
  }

  #restore(b: BookSnapshot): void {
    this.#seq = b.seq;
    for (const p of b.payments) {
      this.#byCheckoutId.set(p.checkoutId, p);
      this.#byBizOrderId.set(p.bizOrderId, p);
      if (p.status === 'PROCESSING' && p.resolution !== undefined) this.#pending.add(p);
    }
    for (const [id, { payment, ...rest }] of b.entries) {
      const p = payment === undefined ? undefined : this.#byCheckoutId.get(payment);
      this.#byRequestId.set(id, { ...rest, ...(p !== undefined && { payment: p }) });
    }
    this.ledger.load(b.charges);
  }

  /** Make a payment, or replay the one already made under this request_id. */
  pay(params: PayParams): PayResult {
    this.settleDue();
    const nowMs = this.#opts.now();
    const known = this.#byRequestId.get(params.requestId);
    if (known !== undefined) {
      if (known.canonical !== sha256(params.canonical)) {
        return {
          kind: 'error',
          error: remoteError('isv.request-id-conflict', 'request_id 已用于参数不同的另一笔支付'),
          replay: false,
        };
      }
      const p = known.payment;
      if (p !== undefined) {
        const answer = replayAnswer(known.personality, known.firstSeenMs, nowMs, p.status === 'SUCCEEDED');
        if (answer === 'code-used') return { kind: 'payment', payment: p, replay: true, codeUsed: true };
        if (answer === 'same') {
          this.#poll(p, 'replay');
          return { kind: 'payment', payment: p, replay: true };
        }
        // 'new-payment': a gateway that does not dedup takes the same order again, below.
      } else if (known.error !== undefined) {
        return { kind: 'error', error: known.error, replay: true };
      }
    }

    const entry = {
      canonical: sha256(params.canonical),
      personality: known?.personality ?? this.#opts.personality(),
      firstSeenMs: known?.firstSeenMs ?? nowMs,
    };
    const outcome = decide(params.qrCode, params.amountFen);
    if (outcome === 'over-limit') {
      const error = remoteError('isv.amount-over-limit', `单笔支付金额超过限额 ${AMOUNT_LIMIT_FEN} 分`);
      this.#setEntry(params.requestId, { ...entry, error });
      return { kind: 'error', error, replay: false };
    }
    const payment = this.#create(params, outcome === 'member');
    this.#setEntry(params.requestId, { ...entry, payment });

    const forced = this.#opts.takePendingThen();
    const held = completion(entry.personality);
    const ends: Pick<Resolution, 'outcome' | 'failure'> =
      outcome === 'declined' || outcome === 'invalid-code'
        ? {
            outcome: 'fail',
            failure: outcome === 'declined' ? FAIL_REASONS.balance : FAIL_REASONS.invalidCode,
          }
        : { outcome: outcome === 'pending-fail' ? 'fail' : 'success' };
    if (forced !== undefined) {
      // The fault picks the outcome and the count; the personality still picks what counts.
      this.#hold(payment, { outcome: forced.outcome, pollsLeft: forced.polls, ...(held && { on: held.on }) });
    } else if (held !== undefined) {
      this.#hold(payment, { ...ends, pollsLeft: held.polls, on: held.on });
    } else if (outcome === 'pending-success' || outcome === 'pending-fail') {
      this.#hold(payment, { ...ends, atMs: nowMs + this.#opts.pendingMs });
    } else if (ends.outcome === 'fail') {
      this.#fail(payment, ends.failure ?? FAIL_REASONS.unconfirmed);
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
    this.#poll(payment, 'query');
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
    this.#changedPayments.add(payment);
    return payment;
  }

  #hold(p: Payment, resolution: Resolution): void {
    p.status = 'PROCESSING';
    p.resolution = resolution;
    this.#pending.add(p);
    this.#changedPayments.add(p);
    this.ledger.track(p.outBizId, 'PROCESSING');
  }

  #succeed(p: Payment, atMs: number): void {
    p.status = 'SUCCEEDED';
    p.paidAtMs = atMs;
    p.buyerId = `${p.member ? '2208' : '2088'}${p.buyerDigits}`;
    this.#changedPayments.add(p);
    this.ledger.charge(p.outBizId, p.amountFen);
  }

  #fail(p: Payment, reason: FailReason): void {
    p.status = 'FAILED';
    p.failure = reason;
    this.#changedPayments.add(p);
    this.ledger.track(p.outBizId, 'FAILED');
  }

  /** A query or replay looked at the payment: a poll-based pending one counts down. */
  #poll(p: Payment, via: 'query' | 'replay'): void {
    const r = p.resolution;
    const left = r?.pollsLeft;
    if (r === undefined || left === undefined || p.status !== 'PROCESSING') return;
    if (r.on !== undefined && r.on !== via) return;
    if (left > 0) {
      r.pollsLeft = left - 1;
      this.#changedPayments.add(p);
    } else this.#resolve(p, this.#opts.now());
  }

  #resolve(p: Payment, atMs: number): void {
    const r = p.resolution;
    this.#pending.delete(p);
    delete p.resolution;
    if (r?.outcome === 'success') this.#succeed(p, atMs);
    else this.#fail(p, r?.failure ?? FAIL_REASONS.unconfirmed);
  }
}
