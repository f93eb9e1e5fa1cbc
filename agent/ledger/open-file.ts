/**
 * Opening the ledger file safely. The file holds the only record of money that may have moved, so
 * nothing here ever deletes it: a file that is not a database, or fails its integrity check, is
 * either refused (the default: a person decides) or renamed aside with its -wal/-shm and a new
 * ledger started. A file written by a newer agent is inspected read-only and refused untouched.
 */
import { closeSync, existsSync, fsyncSync, openSync, readSync, renameSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AgentError, ErrorCode, asError, isAgentError } from '../errors.js';
import type { Logger } from '../log.js';
import { assertNotTooNew, schemaVersion } from './migrations.js';

export type OnCorrupt = 'refuse' | 'move-aside-and-start-new';

/** The sqlite (`SQLITE_FULL`, `SQLITE_IOERR_WRITE`…) or errno (`ENOSPC`…) code of a thrown value. */
export function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  return typeof e.code === 'string' ? e.code : undefined;
}

const CORRUPT = /^SQLITE_(NOTADB|CORRUPT)/;
const UNWRITABLE_SQLITE = /^SQLITE_(FULL|READONLY|CANTOPEN|IOERR|PERM|BUSY|LOCKED|NOMEM|AUTH)/;
const UNWRITABLE_ERRNO = new Set([
  'ENOSPC',
  'EROFS',
  'EACCES',
  'EPERM',
  'EIO',
  'EDQUOT',
  'ENOENT',
  'ENOTDIR',
]);

/**
 * One AgentError for whatever a ledger operation threw. The payment layer only needs to know that
 * nothing was recorded; the code and the sqlite code in `context` tell an operator why.
 */
export function ledgerError(e: unknown, action: string, path: string): AgentError {
  if (isAgentError(e)) return e;
  const err = asError(e);
  const code = errorCode(e);
  const context = { path, action, ...(code !== undefined && { sqliteCode: code }) };
  const say = `ledger ${path}: ${action} failed: ${err.message}`;
  if (code !== undefined && CORRUPT.test(code)) {
    return new AgentError(ErrorCode.LedgerCorrupt, say, context, { cause: err });
  }
  if (code?.startsWith('SQLITE_CONSTRAINT') === true) {
    return new AgentError(ErrorCode.LedgerRejected, say, context, { cause: err });
  }
  const hint =
    code === 'SQLITE_FULL' || code === 'ENOSPC'
      ? ' (disk full: free space on the SD card)'
      : code !== undefined && (UNWRITABLE_SQLITE.test(code) || UNWRITABLE_ERRNO.has(code))
        ? ' (check that the file and its directory exist and are writable by the agent)'
        : '';
  return new AgentError(ErrorCode.LedgerUnwritable, say + hint, context, { cause: err });
}

/** `yyyyMMddTHHmmss` in local time: what an operator reads in `ls`. */
export function stamp(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}` +
    `T${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`
  );
}

/** The names a moved-aside ledger gets: `<file>.corrupt-<stamp>` (and `-2`, `-3`… on a clash). */
export function corruptPrefix(path: string): string {
  return `${basename(path)}.corrupt-`;
}

type Inspection = { ok: true } | { ok: false; detail: string };

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 100;
/** Offset of `user_version` in the database header (big-endian u32). */
const USER_VERSION_OFFSET = 60;

/**
 * Looks at the header with plain file reads, so a file that is not a database or comes from a
 * newer agent is judged before SQLite opens it (even a read-only connection creates -wal/-shm).
 */
function inspectHeader(path: string): Inspection {
  const header = Buffer.alloc(HEADER_BYTES);
  let read: number;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, header, 0, HEADER_BYTES, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw ledgerError(e, 'reading', path);
  }
  if (read === 0) return { ok: true }; // SQLite treats an empty file as a new database
  if (read < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
    return { ok: false, detail: 'file is not a database (no SQLite header)' };
  }
  assertNotTooNew(header.readUInt32BE(USER_VERSION_OFFSET), path);
  return { ok: true };
}

/** `quick_check` on a connection; `{ ok: false }` for a file that is not a sound database. */
function quickCheck(db: Database.Database): Inspection {
  try {
    const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((s) => s !== 'ok');
    return problems.length === 0 ? { ok: true } : { ok: false, detail: problems.join('; ') };
  } catch (e) {
    const code = errorCode(e);
    if (code !== undefined && CORRUPT.test(code)) return { ok: false, detail: asError(e).message };
    throw e;
  }
}

/**
 * Header, then `quick_check` through a read-only connection, which never writes the main file (not
 * even a checkpoint). Returns undefined when a read-only look is not possible (e.g. no -shm and a
 * read-only directory); the caller then checks on its own connection.
 */
function inspectFile(path: string): Inspection | undefined {
  const header = inspectHeader(path);
  if (!header.ok) return header;
  let probe: Database.Database;
  try {
    probe = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    const code = errorCode(e);
    if (code !== undefined && CORRUPT.test(code)) return { ok: false, detail: asError(e).message };
    return undefined;
  }
  try {
    return quickCheck(probe);
  } catch {
    return undefined;
  } finally {
    probe.close();
  }
}

function fsyncDir(dir: string): void {
  // Makes the rename itself survive a power cut. Not every filesystem allows it; the rename stands anyway.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}

/** Renames the file and its companions; the -wal/-shm keep their suffix so SQLite still pairs them. */
export function moveAside(path: string, now: number): string {
  const base = `${path}.corrupt-${stamp(now)}`;
  let target = base;
  for (let n = 2; existsSync(target); n++) target = `${base}-${n}`;
  try {
    for (const suffix of ['-wal', '-shm', '-journal', '']) {
      if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
    }
  } catch (e) {
    throw ledgerError(e, 'moving the corrupt ledger aside', path);
  }
  fsyncDir(dirname(path));
  return target;
}

function refuse(path: string, detail: string): AgentError {
  return new AgentError(
    ErrorCode.LedgerCorrupt,
    `ledger ${path} is not a readable SQLite database (${detail}). It has not been changed. ` +
      `Keep a copy for reconciliation, then move it aside (mv '${path}' '${path}.corrupt') ` +
      `or start the agent with the ledger set to move a corrupt file aside and start a new one`,
    { path, detail },
  );
}

function openReadWrite(path: string): Database.Database {
  try {
    return new Database(path);
  } catch (e) {
    throw ledgerError(e, 'opening', path);
  }
}

export interface OpenedFile {
  db: Database.Database;
  /** Where a corrupt ledger was moved, when it was. */
  movedAside: string | undefined;
}

/**
 * Opens (or creates) the ledger file read-write after checking it. The connection is not yet
 * configured: the caller sets the pragmas and migrates.
 */
export function openLedgerFile(path: string, onCorrupt: OnCorrupt, now: number, log: Logger): OpenedFile {
  if (path === ':memory:') return { db: openReadWrite(path), movedAside: undefined };
  let verdict = existsSync(path) ? inspectFile(path) : { ok: true as const };
  if (verdict?.ok !== false) {
    const db = openReadWrite(path);
    try {
      // Again on this connection: a newer agent's version can sit in a WAL the header read missed.
      assertNotTooNew(schemaVersion(db), path);
      verdict ??= quickCheck(db);
    } catch (e) {
      db.close();
      const code = errorCode(e);
      if (code === undefined || !CORRUPT.test(code)) throw ledgerError(e, 'checking', path);
      verdict = { ok: false, detail: asError(e).message };
    }
    if (verdict.ok) return { db, movedAside: undefined };
    if (db.open) db.close();
  }
  if (onCorrupt === 'refuse') throw refuse(path, verdict.detail);
  const movedAside = moveAside(path, now);
  log.error(
    { path, movedAside, detail: verdict.detail },
    'LEDGER CORRUPT: moved aside and started a new ledger; reconcile the sales in the old file',
  );
  return { db: openReadWrite(path), movedAside };
}

/**
 * A read-only connection for tools (the `queue` CLI) while the daemon writes: WAL lets it read a
 * consistent snapshot without blocking the writer. No pragma that writes, no migration.
 */
export function openLedgerReadOnly(path: string): { db: Database.Database; version: number } {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw ledgerError(e, 'opening read-only', path);
  }
  try {
    db.pragma('busy_timeout = 5000');
    const version = schemaVersion(db);
    assertNotTooNew(version, path);
    return { db, version };
  } catch (e) {
    db.close();
    const code = errorCode(e);
    if (code !== undefined && CORRUPT.test(code)) throw refuse(path, asError(e).message);
    throw ledgerError(e, 'reading', path);
  }
}
