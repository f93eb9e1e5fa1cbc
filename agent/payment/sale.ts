/**
 * One sale as the payment layer records it, and as the ledger (SQLite) stores it. `qrCode` is kept
 * in full only while the sale is unresolved.
 */
import type { GatewayError, PaySuccess } from '../pay/types.js';

export type SaleStatus = 'created' | 'sent' | 'succeeded' | 'failed' | 'pending' | 'queued' | 'refused';

export const FINAL_STATUSES: readonly SaleStatus[] = ['succeeded', 'failed', 'refused'];

export interface SaleRecord {
  /** The kiosk's id for the sale: `<boot prefix>-<n>`, unique across restarts. */
  saleId: string;
  /** Idempotency key of xpos.pay: the same on every retry. */
  requestId: string;
  /** Our order reference, printed on the receipt. */
  outBizId: string;
  status: SaleStatus;
  amountFen: number;
  /** The `nego_price` string exactly as signed and sent. */
  negoPrice: string;
  itemId?: number;
  label?: string;
  /** Full code while unresolved; replaced by `codeMask` once final. */
  qrCode?: string;
  codeMask: string;
  storeId: string;
  machineId: string;
  cashierId: string;
  cashierName: string;
  /**
   * The gateway the sale belongs to (`gatewayId`: a fingerprint of the URL and app key). A sale is
   * only ever resolved against its own gateway; absent on sales recorded before it was kept.
   */
  gateway?: string;
  createdAt: number;
  updatedAt: number;
  /** What the gateway answered last. */
  result?: PaySuccess;
  error?: GatewayError;
  /** Words for the member and the operator ("declined by the payment service: isv.balance-not-enough"). */
  reason?: string;
  attempts: number;
  printed: boolean;
  /** Accepted offline (a member code while the gateway was unreachable) and forwarded later. */
  offline?: boolean;
  /** When a queued sale was first sent to the gateway. */
  forwardedAt?: number;
  /**
   * Set when a person must look at the sale: unresolved past the maximum age, a contradictory or
   * foreign reply, or declined after it was accepted offline. Never cleared by the agent itself.
   */
  flag?: string;
  /** An operator asked for the receipt again; printed marked REPRINT, then cleared. */
  reprint?: boolean;
  /** Labels the code on paper: 会员码 / Member code or 付款码 / Payment code. */
  codeKind?: 'member' | 'payment';
  /** The status the last printed receipt stated; a final status it does not match owes a result receipt. */
  receiptStatus?: SaleStatus;
  /**
   * `<boot id> <status>`: the process that began printing the receipt for that status. Found from
   * another boot with the receipt still owed, the print was cut by a crash: the next one is a copy.
   */
  printStarted?: string;
}

/**
 * Whether the sale's `reason` still describes it. An open sale's is the last answer's; a failed or
 * refused sale's is written with that status (why); a success writes 'paid…'. Ledgers written before
 * successes wrote theirs keep an earlier attempt's on a succeeded sale ("still PROCESSING",
 * "accepted offline, to be confirmed"): stale, never shown.
 */
export function reasonHolds(r: SaleRecord): boolean {
  return r.status !== 'succeeded' || r.reason?.startsWith('paid') === true;
}
