/**
 * The ledger's read queries, prepared once per connection. Shared by the daemon's `Ledger` and the
 * read-only `queue` CLI, so both see the same rows in the same order. Ties on `created_at` (two sales
 * in one millisecond) are broken by rowid, i.e. insertion order.
 */
import type Database from 'better-sqlite3';
import type { LedgerSummary, StatusTotals } from '../payment/store.js';
import type { SaleRecord, SaleStatus } from '../payment/sale.js';
import { SALE_STATUSES, toRecord, type SaleRow } from './rows.js';

export interface ListFilter {
  statuses?: readonly SaleStatus[];
  /** true: only flagged sales; false: only sales without a flag. */
  flagged?: boolean;
  limit?: number;
}

interface ListParams {
  statuses: string | null;
  flagged: number | null;
  limit: number;
}

interface TotalsRow {
  count: number;
  amount_fen: number;
}

interface StatusTotalsRow extends TotalsRow {
  status: string;
}

interface CountsRow {
  flagged: number;
  unprinted: number;
  oldest_open_at: number | null;
}

/** SQLite reads LIMIT -1 as "no limit". */
const NO_LIMIT = -1;

export class SaleQueries {
  readonly #bySaleId: Database.Statement<[string], SaleRow>;
  readonly #find: Database.Statement<[{ ref: string }], SaleRow>;
  readonly #unresolved: Database.Statement<[], SaleRow>;
  readonly #queued: Database.Statement<[number], SaleRow>;
  readonly #queuedTotals: Database.Statement<[], TotalsRow>;
  readonly #unprinted: Database.Statement<[number], SaleRow>;
  readonly #last: Database.Statement<[], SaleRow>;
  readonly #list: Database.Statement<[ListParams], SaleRow>;
  readonly #byStatus: Database.Statement<[], StatusTotalsRow>;
  readonly #counts: Database.Statement<[], CountsRow>;
  readonly #declinedAfterForwarding: Database.Statement<[number], SaleRow>;

  constructor(db: Database.Database) {
    this.#bySaleId = db.prepare<[string], SaleRow>('SELECT * FROM sales WHERE sale_id = ?');
    // Each arm uses its own unique index; a ref matches at most one sale per column, and a sale id
    // wins over the other two should two sales ever share a string across columns.
    this.#find = db.prepare<[{ ref: string }], SaleRow>(
      `SELECT * FROM (
         SELECT 1 AS pri, * FROM sales WHERE sale_id = @ref
         UNION ALL SELECT 2, * FROM sales WHERE out_biz_id = @ref
         UNION ALL SELECT 3, * FROM sales WHERE request_id = @ref)
       ORDER BY pri LIMIT 1`,
    );
    this.#unresolved = db.prepare<[], SaleRow>(
      `SELECT * FROM sales WHERE status IN ('created', 'sent', 'pending') ORDER BY created_at, rowid`,
    );
    this.#queued = db.prepare<[number], SaleRow>(
      `SELECT * FROM sales WHERE status = 'queued' ORDER BY created_at, rowid LIMIT ?`,
    );
    this.#queuedTotals = db.prepare<[], TotalsRow>(
      `SELECT count(*) AS count, coalesce(sum(amount_fen), 0) AS amount_fen FROM sales WHERE status = 'queued'`,
    );
    this.#unprinted = db.prepare<[number], SaleRow>(
      'SELECT * FROM sales WHERE printed = 0 ORDER BY created_at, rowid LIMIT ?',
    );
    this.#last = db.prepare<[], SaleRow>('SELECT * FROM sales ORDER BY created_at DESC, rowid DESC LIMIT 1');
    // One statement for every filter shape; the statuses come as a JSON array so no SQL is built at
    // run time. The ledger is pruned, so scanning it newest first is cheap.
    this.#list = db.prepare<[ListParams], SaleRow>(
      `SELECT * FROM sales
       WHERE (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
         AND (@flagged IS NULL OR (flag IS NOT NULL) = @flagged)
       ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
    );
    this.#byStatus = db.prepare<[], StatusTotalsRow>(
      `SELECT status, count(*) AS count, coalesce(sum(amount_fen), 0) AS amount_fen FROM sales GROUP BY status`,
    );
    this.#counts = db.prepare<[], CountsRow>(
      `SELECT
         (SELECT count(*) FROM sales WHERE flag IS NOT NULL) AS flagged,
         (SELECT count(*) FROM sales WHERE printed = 0) AS unprinted,
         (SELECT min(created_at) FROM sales WHERE status IN ('created', 'sent', 'pending', 'queued'))
           AS oldest_open_at`,
    );
    this.#declinedAfterForwarding = db.prepare<[number], SaleRow>(
      `SELECT * FROM sales WHERE status = 'failed' AND offline = 1 ORDER BY created_at DESC, rowid DESC LIMIT ?`,
    );
  }

  get(saleId: string): SaleRecord | undefined {
    return one(this.#bySaleId.get(saleId));
  }

  find(ref: string): SaleRecord | undefined {
    const row = this.#find.get({ ref });
    if (!row) return undefined;
    // `pri` only orders the arms; it is not a SaleRecord field.
    const { pri: _pri, ...sale } = row as SaleRow & { pri: number };
    return toRecord(sale);
  }

  unresolved(): SaleRecord[] {
    return this.#unresolved.all().map(toRecord);
  }

  /** Oldest first; `limit` keeps a forwarding pass over a long backlog linear. -1 = all. */
  queued(limit = -1): SaleRecord[] {
    return this.#queued.all(limit).map(toRecord);
  }

  queuedTotals(): StatusTotals {
    const row = this.#queuedTotals.get();
    return { count: row?.count ?? 0, amountFen: row?.amount_fen ?? 0 };
  }

  unprinted(limit?: number): SaleRecord[] {
    return this.#unprinted.all(limit ?? NO_LIMIT).map(toRecord);
  }

  last(): SaleRecord | undefined {
    return one(this.#last.get());
  }

  list(filter: ListFilter = {}): SaleRecord[] {
    return this.#list
      .all({
        statuses: filter.statuses === undefined ? null : JSON.stringify(filter.statuses),
        flagged: filter.flagged === undefined ? null : filter.flagged ? 1 : 0,
        limit: filter.limit ?? NO_LIMIT,
      })
      .map(toRecord);
  }

  /** Offline sales the payment service declined once forwarded: money the store did not get. */
  declinedAfterForwarding(limit?: number): SaleRecord[] {
    return this.#declinedAfterForwarding.all(limit ?? NO_LIMIT).map(toRecord);
  }

  summary(): LedgerSummary {
    const byStatus = Object.fromEntries(SALE_STATUSES.map((s) => [s, { count: 0, amountFen: 0 }])) as Record<
      SaleStatus,
      StatusTotals
    >;
    for (const row of this.#byStatus.all()) {
      const totals = byStatus[row.status as SaleStatus] as StatusTotals | undefined;
      // An unknown status cannot pass the table's CHECK; skip rather than invent a key.
      if (totals) Object.assign(totals, { count: row.count, amountFen: row.amount_fen });
    }
    const counts = this.#counts.get();
    return {
      byStatus,
      flagged: counts?.flagged ?? 0,
      unprinted: counts?.unprinted ?? 0,
      ...(counts && counts.oldest_open_at !== null && { oldestOpenAt: counts.oldest_open_at }),
    };
  }
}

function one(row: SaleRow | undefined): SaleRecord | undefined {
  return row ? toRecord(row) : undefined;
}
