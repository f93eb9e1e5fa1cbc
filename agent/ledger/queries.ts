/**
 * The ledger's read queries, prepared once per connection. Shared by the daemon's `Ledger` and the
 * read-only `queue` CLI, so both see the same rows in the same order. Ties on `created_at` (two sales
 * in one millisecond) are broken by rowid, i.e. insertion order.
 */
import type Database from 'better-sqlite3';
import { FLAG_KINDS, flagKinds, type FlagKind } from '../payment/flags.js';
import type { LedgerSummary, OfflineOpen, StatusTotals } from '../payment/store.js';
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
  oldest_pending_at: number | null;
  offline_oldest_at: number | null;
}

/** SQLite reads LIMIT -1 as "no limit". */
const NO_LIMIT = -1;

export class SaleQueries {
  readonly #bySaleId: Database.Statement<[string], SaleRow>;
  readonly #find: Database.Statement<[{ ref: string }], SaleRow>;
  readonly #unresolved: Database.Statement<[], SaleRow>;
  readonly #queued: Database.Statement<[{ limit: number; gateway: string | null }], SaleRow>;
  readonly #queuedTotals: Database.Statement<[], TotalsRow>;
  readonly #unprinted: Database.Statement<[number], SaleRow>;
  readonly #last: Database.Statement<[], SaleRow>;
  readonly #list: Database.Statement<[ListParams], SaleRow>;
  readonly #byStatus: Database.Statement<[], StatusTotalsRow>;
  readonly #counts: Database.Statement<[], CountsRow>;
  readonly #servedUnpaid: Database.Statement<[number], SaleRow>;
  readonly #servedUnpaidTotals: Database.Statement<[], TotalsRow>;
  readonly #offlineOpenTotals: Database.Statement<[], TotalsRow>;
  readonly #offlineOpenOldest: Database.Statement<[], SaleRow>;
  readonly #flags: Database.Statement<[], { flag: string }>;
  readonly #createdBetween: Database.Statement<[{ from: number; to: number }], SaleRow>;

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
    // A sale without a gateway was recorded before the column existed: it counts as this gateway's.
    this.#queued = db.prepare<[{ limit: number; gateway: string | null }], SaleRow>(
      `SELECT * FROM sales WHERE status = 'queued'
         AND (@gateway IS NULL OR gateway IS NULL OR gateway = @gateway)
       ORDER BY created_at, rowid LIMIT @limit`,
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
    // Refused offline sales come from agents before the decision table: a served sale is never refused now.
    const servedUnpaid = `offline = 1 AND status IN ('failed', 'refused')`;
    // The same condition as the sales_offline_open index, so the queries on it use it.
    const offlineOpen = `offline = 1 AND status IN ('created', 'sent', 'pending', 'queued')`;
    this.#counts = db.prepare<[], CountsRow>(
      `SELECT
         (SELECT count(*) FROM sales WHERE flag IS NOT NULL) AS flagged,
         (SELECT count(*) FROM sales WHERE printed = 0) AS unprinted,
         (SELECT min(created_at) FROM sales WHERE status IN ('created', 'sent', 'pending', 'queued'))
           AS oldest_open_at,
         (SELECT min(created_at) FROM sales WHERE status IN ('created', 'sent', 'pending'))
           AS oldest_pending_at,
         (SELECT min(created_at) FROM sales WHERE ${offlineOpen}) AS offline_oldest_at`,
    );
    this.#servedUnpaid = db.prepare<[number], SaleRow>(
      `SELECT * FROM sales WHERE ${servedUnpaid} ORDER BY created_at DESC, rowid DESC LIMIT ?`,
    );
    this.#servedUnpaidTotals = db.prepare<[], TotalsRow>(
      `SELECT count(*) AS count, coalesce(sum(amount_fen), 0) AS amount_fen FROM sales WHERE ${servedUnpaid}`,
    );
    this.#offlineOpenTotals = db.prepare<[], TotalsRow>(
      `SELECT count(*) AS count, coalesce(sum(amount_fen), 0) AS amount_fen FROM sales WHERE ${offlineOpen}`,
    );
    this.#offlineOpenOldest = db.prepare<[], SaleRow>(
      `SELECT * FROM sales WHERE ${offlineOpen} ORDER BY created_at, rowid LIMIT 1`,
    );
    this.#flags = db.prepare<[], { flag: string }>('SELECT flag FROM sales WHERE flag IS NOT NULL');
    this.#createdBetween = db.prepare<[{ from: number; to: number }], SaleRow>(
      'SELECT * FROM sales WHERE created_at >= @from AND created_at < @to ORDER BY created_at, rowid',
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
  queued(limit = -1, gateway?: string): SaleRecord[] {
    return this.#queued.all({ limit, gateway: gateway ?? null }).map(toRecord);
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

  /** Sales created in [from, to) (epoch ms), oldest first: the reconciliation export. */
  createdBetween(from: number, to: number): SaleRecord[] {
    return this.#createdBetween.all({ from, to }).map(toRecord);
  }

  /** Accepted offline (the member was served), then declined once forwarded: money the gym did not get. */
  servedUnpaid(limit?: number): SaleRecord[] {
    return this.#servedUnpaid.all(limit ?? NO_LIMIT).map(toRecord);
  }

  offlineOpen(): OfflineOpen {
    const totals = this.#offlineOpenTotals.get();
    const oldest = one(this.#offlineOpenOldest.get());
    return {
      count: totals?.count ?? 0,
      amountFen: totals?.amount_fen ?? 0,
      ...(oldest !== undefined && { oldest }),
    };
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
    // Flagged sales are few (a person clears them by reconciling): counting kinds in JS is cheap.
    const kinds: Partial<Record<FlagKind, number>> = {};
    for (const { flag } of this.#flags.all()) {
      for (const kind of flagKinds(flag)) kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
    const unpaid = this.#servedUnpaidTotals.get();
    const offline = this.#offlineOpenTotals.get();
    return {
      byStatus,
      flagged: counts?.flagged ?? 0,
      flagKinds: Object.fromEntries(
        FLAG_KINDS.filter((k) => kinds[k] !== undefined).map((k) => [k, kinds[k]]),
      ),
      servedUnpaid: { count: unpaid?.count ?? 0, amountFen: unpaid?.amount_fen ?? 0 },
      unprinted: counts?.unprinted ?? 0,
      ...(counts && counts.oldest_open_at !== null && { oldestOpenAt: counts.oldest_open_at }),
      ...(counts && counts.oldest_pending_at !== null && { oldestPendingAt: counts.oldest_pending_at }),
      offlineOpen: {
        count: offline?.count ?? 0,
        amountFen: offline?.amount_fen ?? 0,
        ...(counts && counts.offline_oldest_at !== null && { oldestAt: counts.offline_oldest_at }),
      },
    };
  }
}

function one(row: SaleRow | undefined): SaleRecord | undefined {
  return row ? toRecord(row) : undefined;
}
