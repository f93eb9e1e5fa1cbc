/**
 * Schema versions, tracked in `PRAGMA user_version`. Each migration is literal SQL frozen at the
 * version it ships in: it must never be derived from live constants, or v1 would mean different
 * things to different builds. A new version appends to MIGRATIONS; an old one is never edited.
 */
import type Database from 'better-sqlite3';
import { AgentError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';

interface Migration {
  version: number;
  why: string;
  sql: string;
}

const V1 = `
-- STRICT: a TEXT id can never be stored as a number, and a fractional amount is refused
-- (SQLITE_CONSTRAINT_DATATYPE) instead of being kept as a float.
CREATE TABLE sales (
  out_biz_id   TEXT    NOT NULL PRIMARY KEY,
  sale_id      TEXT    NOT NULL UNIQUE,
  request_id   TEXT    NOT NULL UNIQUE,
  status       TEXT    NOT NULL
               CHECK (status IN ('created', 'sent', 'succeeded', 'failed', 'pending', 'queued', 'refused')),
  amount_fen   INTEGER NOT NULL CHECK (amount_fen >= 0),
  nego_price   TEXT    NOT NULL,
  item_id      INTEGER,
  label        TEXT,
  qr_code      TEXT,
  code_mask    TEXT    NOT NULL,
  store_id     TEXT    NOT NULL,
  machine_id   TEXT    NOT NULL,
  cashier_id   TEXT    NOT NULL,
  cashier_name TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  result       TEXT    CHECK (result IS NULL OR json_type(result) = 'object'),
  error        TEXT    CHECK (error IS NULL OR json_type(error) = 'object'),
  reason       TEXT,
  attempts     INTEGER NOT NULL CHECK (attempts >= 0),
  printed      INTEGER NOT NULL CHECK (printed IN (0, 1)),
  offline      INTEGER CHECK (offline IN (0, 1)),
  forwarded_at INTEGER,
  flag         TEXT,
  -- A final sale keeps only the mask of the member's code: the storage enforces what the code promises.
  CHECK (qr_code IS NULL OR status NOT IN ('succeeded', 'failed', 'refused'))
) STRICT;

-- unresolved(), queued(), list({ statuses }), summary(): by status, in age order.
CREATE INDEX sales_status_created ON sales (status, created_at);
-- last() and list() without a status filter: newest first.
CREATE INDEX sales_created ON sales (created_at);
-- unprinted(): the few receipts still owed, without scanning every printed sale.
CREATE INDEX sales_unprinted ON sales (created_at) WHERE printed = 0;
-- list({ flagged: true }) and the flagged count.
CREATE INDEX sales_flagged ON sales (created_at) WHERE flag IS NOT NULL;
-- prune(): final sales by last change (status IN final AND updated_at < cutoff).
CREATE INDEX sales_status_updated ON sales (status, updated_at);
`;

const V2 = `
-- An operator asked (xpos-agent reprint) for this receipt again; the daemon prints it marked REPRINT.
ALTER TABLE sales ADD COLUMN reprint INTEGER CHECK (reprint IN (0, 1));
`;

const V3 = `
-- The gateway (fingerprint of URL and app key) a sale belongs to: never resolved against another.
ALTER TABLE sales ADD COLUMN gateway TEXT;
-- offlineOpen(): offline sales the service has not confirmed, oldest first.
CREATE INDEX sales_offline_open ON sales (created_at)
  WHERE offline = 1 AND status IN ('created', 'sent', 'pending', 'queued');
`;

const V4 = `
-- What the member's paper says: whether the code was a member or a payment code, the status the last
-- printed receipt stated, and which process began printing the receipt still owed (a crash between
-- print and "printed" makes the next print a marked copy, never a second original).
ALTER TABLE sales ADD COLUMN code_kind TEXT CHECK (code_kind IN ('member', 'payment'));
ALTER TABLE sales ADD COLUMN receipt_status TEXT;
ALTER TABLE sales ADD COLUMN print_started TEXT;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, why: 'sales table', sql: V1 },
  { version: 2, why: 'reprint requests', sql: V2 },
  { version: 3, why: 'gateway per sale, offline open sales', sql: V3 },
  { version: 4, why: 'code kind, printed status, print started', sql: V4 },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database.Database): number {
  const v: unknown = db.pragma('user_version', { simple: true });
  if (typeof v !== 'number') throw new Error(`PRAGMA user_version returned ${String(v)}`);
  return v;
}

/** Refuses a ledger written by a newer agent before anything touches it. */
export function assertNotTooNew(version: number, path: string): void {
  if (version > SCHEMA_VERSION) {
    throw new AgentError(
      ErrorCode.LedgerTooNew,
      `ledger ${path} has schema version ${version}, newer than this agent knows (${SCHEMA_VERSION}); ` +
        'it was left untouched: run the agent version that wrote it, or a newer one',
      { path, fileVersion: version, knownVersion: SCHEMA_VERSION },
    );
  }
}

/**
 * Brings the schema to SCHEMA_VERSION. Each step and its version bump commit together, so a power
 * cut leaves the ledger at the old version or the new one, never between.
 */
export function migrate(db: Database.Database, path: string, log: Logger): void {
  const from = schemaVersion(db);
  assertNotTooNew(from, path);
  for (const m of MIGRATIONS) {
    if (m.version <= from) continue;
    db.transaction(() => {
      db.exec(m.sql);
      // user_version is a header field written inside this transaction; a number from our own list.
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    log.info({ path, version: m.version, why: m.why }, 'ledger schema migrated');
  }
}
