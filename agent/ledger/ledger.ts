/**
 * The durable sale store: one SQLite file on the SD card. better-sqlite3 is synchronous, which is
 * the promise the payment layer relies on: `create` and `update` return only once the change is
 * committed and (synchronous=FULL) fsynced to the WAL. Each change is one statement, hence one
 * transaction and one fsync.
 */
import type Database from 'better-sqlite3';
import { AgentError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { LedgerSummary, OfflineOpen, SalePatch, SaleStore, StatusTotals } from '../payment/store.js';
import { FINAL_STATUSES, type SaleRecord, type SaleStatus } from '../payment/sale.js';
import { SCHEMA_VERSION, migrate } from './migrations.js';
import { errorCode, ledgerError, openLedgerFile, type OnCorrupt } from './open-file.js';
import { SaleQueries } from './queries.js';
import { SALE_COLUMNS, toParams, toRecord, type SaleParams, type SaleRow } from './rows.js';

export interface LedgerOptions {
  /** The ledger file, or ':memory:' (unit tests only: nothing survives). */
  path: string;
  log: Logger;
  now?: () => number;
  /** What to do with a file that is not a sound database. It is never deleted either way. */
  onCorrupt?: OnCorrupt;
  /**
   * Runs on the configured, migrated connection before any statement is prepared. The daemon does
   * not use it; tests simulate a full disk (`PRAGMA max_page_count`) or a read-only medium
   * (`PRAGMA query_only`) with it, which chmod cannot do for root.
   */
  afterOpen?: (db: Database.Database) => void;
}

const BUSY_TIMEOUT_MS = 5000;
/** The WAL is reset after each checkpoint but keeps its size; this bounds what it keeps on the card. */
const JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024;
const SYNCHRONOUS_FULL = 2;
/** The page cache, in KiB (a negative cache_size is KiB, a positive one pages). */
const CACHE_KIB = 1024;

/** FINAL_STATUSES as an SQL list. They are our own lower-case constants; the check keeps it so. */
const FINAL_SQL = FINAL_STATUSES.map((s) => {
  if (!/^[a-z]+$/.test(s)) throw new Error(`unexpected status ${s}`);
  return `'${s}'`;
}).join(', ');

/** Columns an update may change: everything but the identity and the creation time. */
const UPDATABLE = SALE_COLUMNS.filter(
  (c) => !['out_biz_id', 'sale_id', 'request_id', 'created_at', 'qr_code', 'gateway'].includes(c),
);

/**
 * Pragmas for durability on an SD card, each read back: better-sqlite3 builds SQLite with
 * SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, so WAL alone would mean NORMAL, and a committed sale could
 * roll back after a power cut.
 */
function configure(db: Database.Database, path: string): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Both only take effect before the first table exists, which is why they come before migrations.
  // 1 KiB pages: a sale's commit rewrites a few pages (row + indexes) in the WAL, so smaller pages
  // write a quarter of the bytes to the SD card per sale (measured by `make bench`).
  db.pragma('page_size = 1024');
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  // Memory, not durability: better-sqlite3 builds SQLite with a 16 MB page cache per connection,
  // which the daemon's summaries fill as the ledger grows (+30 MB RSS over 10,000 sales in
  // `make bench`). 1 MB holds the indexes and recent rows; older pages come from the OS's cache
  // (2 MB cost 2.1 MB more RSS after 10,000 sales; a 1,000,000-row ledger commits at p99 ~2.3 ms).
  // No mmap (already this build's default; said here so a rebuilt SQLite cannot turn it on): the
  // file's pages would otherwise count in the daemon's resident set.
  db.pragma(`cache_size = -${CACHE_KIB}`);
  db.pragma('mmap_size = 0');
  const journalMode: unknown = db.pragma('journal_mode', { simple: true });
  const synchronous: unknown = db.pragma('synchronous', { simple: true });
  const wantMode = path === ':memory:' ? 'memory' : 'wal';
  if (journalMode !== wantMode || synchronous !== SYNCHRONOUS_FULL) {
    throw new AgentError(
      ErrorCode.LedgerUnwritable,
      `ledger ${path} cannot be made durable: journal_mode=${String(journalMode)} ` +
        `synchronous=${String(synchronous)} (need ${wantMode} and ${SYNCHRONOUS_FULL})`,
      { path, journalMode, synchronous },
    );
  }
}

export class Ledger implements SaleStore {
  readonly path: string;
  /** Set when a corrupt file was renamed aside at open: the daemon must say so loudly. */
  readonly movedAside: string | undefined;
  readonly #db: Database.Database;
  readonly #log: Logger;
  readonly #q: SaleQueries;
  readonly #insert: Database.Statement<[SaleParams]>;
  readonly #update: Database.Statement<[SaleParams], SaleRow>;
  readonly #prune: Database.Statement<[number]>;

  private constructor(db: Database.Database, path: string, movedAside: string | undefined, log: Logger) {
    this.#db = db;
    this.#log = log;
    this.path = path;
    this.movedAside = movedAside;
    this.#q = new SaleQueries(db);
    // A sale created final (never the case today) obeys the same rule as an update: no full code.
    const values = SALE_COLUMNS.map((c) =>
      c === 'qr_code' ? `CASE WHEN @status IN (${FINAL_SQL}) THEN NULL ELSE @qr_code END` : `@${c}`,
    );
    this.#insert = db.prepare<[SaleParams]>(
      `INSERT INTO sales (${SALE_COLUMNS.join(', ')}) VALUES (${values.join(', ')})`,
    );
    // NULL means "not in the patch": a patch can set a field but never clear one (its type allows
    // no `undefined`), so coalesce keeps everything the patch does not name. Right-hand sides see
    // the old row, hence the coalesce on status for the new one.
    const sets = UPDATABLE.map((c) => `${c} = coalesce(@${c}, ${c})`);
    sets.push(
      `qr_code = CASE WHEN coalesce(@status, status) IN (${FINAL_SQL}) THEN NULL ELSE coalesce(@qr_code, qr_code) END`,
    );
    this.#update = db.prepare<[SaleParams], SaleRow>(
      `UPDATE sales SET ${sets.join(', ')} WHERE sale_id = @sale_id RETURNING *`,
    );
    // Flagged sales wait for a person whatever their age: a flag is never cleared by the agent.
    this.#prune = db.prepare<[number]>(
      `DELETE FROM sales WHERE status IN (${FINAL_SQL}) AND updated_at < ? AND flag IS NULL`,
    );
  }

  static open(opts: LedgerOptions): Ledger {
    const log = opts.log.child({ module: 'ledger' });
    const now = opts.now ?? Date.now;
    const { db, movedAside } = openLedgerFile(opts.path, opts.onCorrupt ?? 'refuse', now(), log);
    try {
      configure(db, opts.path);
      migrate(db, opts.path, log);
      opts.afterOpen?.(db);
      const ledger = new Ledger(db, opts.path, movedAside, log);
      log.info({ path: opts.path, schema: SCHEMA_VERSION, movedAside }, 'ledger open');
      return ledger;
    } catch (e) {
      db.close();
      throw ledgerError(e, 'opening', opts.path);
    }
  }

  create(record: SaleRecord): void {
    this.#write('recording a sale', () => this.#insert.run(toParams(record)));
  }

  update(saleId: string, patch: SalePatch): SaleRecord {
    const params = { ...toParams(patch), sale_id: saleId };
    // all(), not get(): it steps to the end, so a failing commit is reported here, not lost in reset.
    const rows = this.#write('updating a sale', () => this.#update.all(params));
    const row = rows[0];
    if (!row) {
      throw new AgentError(ErrorCode.LedgerRejected, `ledger ${this.path}: sale ${saleId} is not recorded`, {
        saleId,
      });
    }
    return toRecord(row);
  }

  get(saleId: string): SaleRecord | undefined {
    return this.#read('reading a sale', () => this.#q.get(saleId));
  }

  find(ref: string): SaleRecord | undefined {
    return this.#read('finding a sale', () => this.#q.find(ref));
  }

  unresolved(): SaleRecord[] {
    return this.#read('listing unresolved sales', () => this.#q.unresolved());
  }

  queued(limit?: number, gateway?: string): SaleRecord[] {
    return this.#read('listing queued sales', () => this.#q.queued(limit, gateway));
  }

  queuedTotals(): StatusTotals {
    return this.#read('totalling queued sales', () => this.#q.queuedTotals());
  }

  offlineOpen(): OfflineOpen {
    return this.#read('totalling open offline sales', () => this.#q.offlineOpen());
  }

  unprinted(limit?: number): SaleRecord[] {
    return this.#read('listing unprinted sales', () => this.#q.unprinted(limit));
  }

  last(): SaleRecord | undefined {
    return this.#read('reading the last sale', () => this.#q.last());
  }

  list(filter?: { statuses?: readonly SaleStatus[]; flagged?: boolean; limit?: number }): SaleRecord[] {
    return this.#read('listing sales', () => this.#q.list(filter));
  }

  summary(): LedgerSummary {
    return this.#read('summarising', () => this.#q.summary());
  }

  /**
   * Deletes final, unflagged sales last changed before `before`, then gives the freed pages back to
   * the filesystem so the file stays bounded on a small card.
   */
  prune(before: number): number {
    const changes = this.#write('pruning', () => this.#prune.run(before).changes);
    if (changes > 0) {
      try {
        this.#db.pragma('incremental_vacuum');
      } catch (e) {
        // The deletion is committed; the pages are reused by the next sales and freed next time.
        this.#log.warn(
          { err: ledgerError(e, 'vacuuming', this.path) },
          'ledger pages not returned to the disk',
        );
      }
    }
    return changes;
  }

  close(): void {
    // Closing checkpoints the WAL into the main file and removes the -wal/-shm.
    if (this.#db.open) this.#db.close();
  }

  #write<T>(action: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      // A value of the wrong JS type (an object where a string belongs) fails binding, before SQLite.
      if (e instanceof TypeError && errorCode(e) === undefined && this.#db.open) {
        throw new AgentError(ErrorCode.LedgerRejected, `ledger ${this.path}: ${action}: ${e.message}`, {
          path: this.path,
          action,
        });
      }
      throw ledgerError(e, action, this.path);
    }
  }

  #read<T>(action: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw ledgerError(e, action, this.path);
    }
  }
}
