/**
 * Where sales are recorded. The payment layer writes every state change here and relies on one
 * promise: `create` and `update` have returned only once the change is committed (fsync'd): the
 * SQLite ledger (`agent/ledger/`) keeps it across power cuts.
 */
import type { FlagKind } from './flags.js';
import type { SaleRecord, SaleStatus } from './sale.js';

export type SalePatch = Partial<
  Omit<SaleRecord, 'saleId' | 'requestId' | 'outBizId' | 'createdAt' | 'gateway'>
>;

export interface StatusTotals {
  count: number;
  amountFen: number;
}

export interface OfflineOpen extends StatusTotals {
  oldest?: SaleRecord;
}

export interface LedgerSummary {
  byStatus: Record<SaleStatus, StatusTotals>;
  flagged: number;
  /** Flagged sales by kind of flag; a sale flagged twice counts under both kinds. */
  flagKinds: Partial<Record<FlagKind, number>>;
  /** Accepted offline (the member was served), then declined: money the gym did not get. */
  servedUnpaid: StatusTotals;
  unprinted: number;
  /** Oldest unresolved or queued sale, for "how long has this been waiting". */
  oldestOpenAt?: number;
  /** Oldest unresolved sale (created, sent, pending): a stuck payment, apart from the offline queue. */
  oldestPendingAt?: number;
  /**
   * What the offline limits count (offline sales the service has not confirmed), with the oldest's
   * time; absent where the store cannot tell (an unavailable ledger).
   */
  offlineOpen?: StatusTotals & { oldestAt?: number };
}

export interface SaleStore {
  /** Records a new sale; throws (nothing recorded) when the store cannot write. */
  create(record: SaleRecord): void;
  /** One transaction per change. Final statuses drop the full code in the same transaction. */
  update(saleId: string, patch: SalePatch): SaleRecord;
  get(saleId: string): SaleRecord | undefined;
  /** By sale id, out_biz_id or request_id (what an operator reads off a receipt). */
  find(ref: string): SaleRecord | undefined;
  /** created, sent and pending sales, oldest first (queued ones are not included). */
  unresolved(): SaleRecord[];
  /** Offline sales waiting to be forwarded, oldest first (at most `limit`). */
  /** With `gateway`: only that gateway's (and those recorded before sales carried one). */
  queued(limit?: number, gateway?: string): SaleRecord[];
  queuedTotals(): StatusTotals;
  /**
   * Offline sales the service has not confirmed (queued, being forwarded, or forwarded with the
   * answer unknown): what the offline limits count, with the oldest of them.
   */
  offlineOpen(): OfflineOpen;
  /** Sales whose receipt has not been printed, oldest first. */
  unprinted(limit?: number): SaleRecord[];
  /** The newest sale, for "reprint the last receipt". */
  last(): SaleRecord | undefined;
  /** Newest first, optionally only some statuses or only flagged sales. */
  list(filter?: { statuses?: readonly SaleStatus[]; flagged?: boolean; limit?: number }): SaleRecord[];
  summary(): LedgerSummary;
  /** Deletes final sales last updated before `before` (epoch ms); returns how many. */
  prune(before: number): number;
  close(): void;
}
