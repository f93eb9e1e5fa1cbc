/**
 * Where sales are recorded. The payment layer writes every state change here and relies on one
 * promise: `create` and `update` have returned only once the change is committed (fsync'd): the
 * SQLite ledger (`agent/ledger/`) keeps it across power cuts.
 */
import type { SaleRecord, SaleStatus } from './sale.js';

export type SalePatch = Partial<Omit<SaleRecord, 'saleId' | 'requestId' | 'outBizId' | 'createdAt'>>;

export interface StatusTotals {
  count: number;
  amountFen: number;
}

export interface LedgerSummary {
  byStatus: Record<SaleStatus, StatusTotals>;
  flagged: number;
  unprinted: number;
  /** Oldest unresolved or queued sale, for "how long has this been waiting". */
  oldestOpenAt?: number;
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
  queued(limit?: number): SaleRecord[];
  queuedTotals(): StatusTotals;
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
