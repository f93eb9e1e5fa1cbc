/**
 * The records of the sandbox's payment book (payments.ts) and their plain-JSON form on disk
 * (book-file.ts).
 */
import type { FailReason } from './behaviour.js';
import type { OutBizIdCharges } from './charges.js';
import type { Personality } from './personality.js';
import type { TopError } from './protocol.js';

export type PaymentStatus = 'PROCESSING' | 'SUCCEEDED' | 'FAILED';

export interface Resolution {
  outcome: 'success' | 'fail';
  /** Why it fails, when it does (default: the buyer never confirmed). */
  failure?: FailReason;
  /** When it resolves: at a time, or after this many more polls report it still pending. */
  atMs?: number;
  pollsLeft?: number;
  /** Only this kind of call counts as a poll (and completes it); both when unset. */
  on?: 'query' | 'replay';
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

export interface Entry {
  /** sha256 of the request's canonical params: they hold the payment code, which is never kept. */
  canonical: string;
  personality: Personality;
  firstSeenMs: number;
  /** The latest payment made under this request_id (one, unless the personality does not dedup). */
  payment?: Payment;
  /** A business refusal (e.g. over the amount limit) that a replay repeats. */
  error?: TopError;
}

/**
 * The book as plain JSON: what book-file.ts writes to disk. The whole book (snapshot()), or only
 * the records changed since the last takeChanges(), keyed as in the whole book so later ones
 * replace earlier ones.
 */
export interface BookSnapshot {
  version: 1;
  seq: number;
  payments: Payment[];
  /** Entries by request_id; `payment` is the checkout id of the entry's latest payment. */
  entries: [string, Omit<Entry, 'payment'> & { payment?: string }][];
  charges: [string, OutBizIdCharges][];
}
