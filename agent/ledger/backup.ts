/**
 * Online backups of the ledger while the daemon writes it. `VACUUM INTO` copies one consistent
 * snapshot (a WAL read transaction: the daemon is never blocked and the copy never restarts, as the
 * page-by-page backup API would each time the daemon commits) into a temporary file. That copy is
 * checked (`PRAGMA integrity_check`, the schema version, its sales counted), fsynced (SQLite does not
 * sync a VACUUM INTO target), and only then renamed into place, so a name in the backup folder is
 * always a whole, sound ledger. Old copies beyond `keep` are deleted, only ever by our own names.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  chmodSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { AgentError, ErrorCode, asError } from '../errors.js';
import { schemaVersion } from './migrations.js';
import { openLedgerReadOnly } from './open-file.js';

export interface BackupOptions {
  ledgerPath: string;
  /** A folder (named copies, `keep` of them), or a file ending in `.db` (exactly that file). */
  dest: string;
  machineId: string;
  /** Copies kept in a folder (the newest); undefined keeps all. */
  keep?: number;
  now?: number;
}

export interface BackupResult {
  path: string;
  bytes: number;
  sales: number;
  /** Older copies deleted to keep `keep`. */
  pruned: string[];
}

export interface Verified {
  sales: number;
  version: number;
}

/** `ledger-K01-20261204T134157Z.db`: UTC, so names sort by time whatever the zone. */
export function backupName(machineId: string, now: number, n = 1): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `ledger-${machineId}-${stamp}${n > 1 ? `-${n}` : ''}.db`;
}

function ownCopies(machineId: string): RegExp {
  const id = machineId.replace(/[^A-Za-z0-9_-]/g, '');
  return new RegExp(`^ledger-${id}-\\d{8}T\\d{6}Z(-\\d+)?\\.db$`);
}

function fail(message: string, context: Record<string, unknown>, cause?: unknown): AgentError {
  return new AgentError(ErrorCode.LedgerUnwritable, message, context, cause === undefined ? {} : { cause });
}

/** fsync a file or a directory (a rename survives a power cut only once its directory is synced). */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A ledger file is a sound copy: `integrity_check` (every page, not the quick check) says ok, and it
 * holds the sales table. Opened read-only; a rollback-journal file gets no -wal/-shm from this.
 */
export function verifyLedgerFile(path: string): Verified {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw fail(`${path}: cannot be opened as a database: ${asError(e).message}`, { path }, e);
  }
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const problems = rows.map((r) => r.integrity_check).filter((s) => s !== 'ok');
    if (problems.length > 0 || rows.length === 0) {
      throw new AgentError(
        ErrorCode.LedgerCorrupt,
        `${path}: integrity check failed: ${problems.slice(0, 5).join('; ')}`,
        { path },
      );
    }
    const version = schemaVersion(db);
    const sales = (db.prepare('SELECT count(*) AS n FROM sales').get() as { n: number }).n;
    return { sales, version };
  } catch (e) {
    if (e instanceof AgentError) throw e;
    throw fail(`${path}: not a ledger: ${asError(e).message}`, { path }, e);
  } finally {
    db.close();
  }
}

function target(o: BackupOptions, now: number): { dir: string; name: string; folder: boolean } {
  if (o.dest.endsWith('.db')) {
    if (existsSync(o.dest)) {
      throw fail(
        `${o.dest} already exists: a backup never overwrites a file (choose a new name or a folder)`,
        {
          path: o.dest,
        },
      );
    }
    return { dir: dirname(o.dest), name: basename(o.dest), folder: false };
  }
  let n = 1;
  while (existsSync(join(o.dest, backupName(o.machineId, now, n)))) n += 1;
  return { dir: o.dest, name: backupName(o.machineId, now, n), folder: true };
}

/** Temporary copies a crashed run left behind (their process is gone). */
function staleTemps(dir: string): string[] {
  return readdirSync(dir).filter((f) => {
    const m = /^\.ledger-.*\.tmp-(\d+)$/.exec(f);
    if (!m) return false;
    try {
      process.kill(Number(m[1]), 0);
      return false;
    } catch {
      return true;
    }
  });
}

function prune(dir: string, machineId: string, keep: number, made: string): string[] {
  const mine = ownCopies(machineId);
  const copies = readdirSync(dir)
    .filter((f) => mine.test(f) && f !== made)
    .sort()
    .reverse();
  // The copy just made counts as one of `keep`.
  const old = copies.slice(Math.max(0, keep - 1));
  for (const f of old) rmSync(join(dir, f), { force: true });
  for (const f of staleTemps(dir)) rmSync(join(dir, f), { force: true });
  return old.map((f) => join(dir, f));
}

export function backupLedger(o: BackupOptions): BackupResult {
  const now = o.now ?? Date.now();
  if (!existsSync(o.ledgerPath)) {
    throw fail(`no ledger at ${o.ledgerPath}: nothing to back up (is paths.state_dir right?)`, {
      path: o.ledgerPath,
    });
  }
  const { dir, name, folder } = target(o, now);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const final = join(dir, name);
  const tmp = join(dir, `.${name}.tmp-${process.pid}`);
  rmSync(tmp, { force: true });
  try {
    const { db, version } = openLedgerReadOnly(o.ledgerPath);
    try {
      if (version === 0) throw fail(`ledger ${o.ledgerPath} is empty: nothing to back up`, {});
      db.prepare('VACUUM INTO ?').run(tmp);
    } finally {
      db.close();
    }
    // The copy holds full codes of unresolved sales, like the ledger: the service user only.
    chmodSync(tmp, 0o600);
    const checked = verifyLedgerFile(tmp);
    if (checked.version !== version) {
      throw fail(`${tmp}: schema version ${checked.version}, the ledger's is ${version}`, { path: tmp });
    }
    fsyncPath(tmp);
    renameSync(tmp, final);
    try {
      fsyncPath(dir);
    } catch {
      // Not every filesystem syncs a directory; the rename stands anyway.
    }
    const pruned = folder && o.keep !== undefined ? prune(dir, o.machineId, o.keep, name) : [];
    return { path: final, bytes: statSync(final).size, sales: checked.sales, pruned };
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof AgentError) throw e;
    const code = (e as { code?: unknown }).code;
    const hint = code === 'SQLITE_FULL' || code === 'ENOSPC' ? ' (the backup folder is full)' : '';
    throw fail(
      `backup of ${o.ledgerPath} to ${final} failed: ${asError(e).message}${hint}`,
      { path: final },
      e,
    );
  }
}
