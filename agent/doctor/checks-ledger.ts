/**
 * The ledger, read-only the way `queue` reads it (safe while the daemon writes): integrity, schema,
 * size, the free space under it, and what is still waiting for the kiosk or a person.
 */
import { existsSync, statSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { movedAsideFiles } from '../cli/queue.js';
import { ErrorCode, asError, isAgentError } from '../errors.js';
import { SCHEMA_VERSION } from '../ledger/migrations.js';
import { errorCode, openLedgerReadOnly } from '../ledger/open-file.js';
import { SaleQueries } from '../ledger/queries.js';
import { formatAge } from '../ledger/report.js';
import { yuan } from '../receipt/build.js';
import { ledgerPath } from '../store-open.js';
import type { DoctorContext } from './context.js';
import { fail, ok, warn, type CheckResult } from './report.js';

const MB = 1024 * 1024;
export const DISK_WARN_BYTES = 100 * MB;
export const DISK_FAIL_BYTES = 10 * MB;

export function formatBytes(n: number): string {
  if (n >= 1024 * MB) return `${(n / 1024 / MB).toFixed(1)} GB`;
  if (n >= MB) return `${(n / MB).toFixed(1)} MB`;
  return `${Math.ceil(n / 1024)} kB`;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Free space for the ledger: the state dir, or the nearest parent that exists yet. */
export function checkDisk(stateDir: string): CheckResult {
  let dir = stateDir;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  let free: number;
  try {
    const fs = statfsSync(dir);
    free = fs.bavail * fs.bsize;
  } catch (e) {
    return warn('disk space', `${dir}: ${asError(e).message}`, 'check the state directory (paths.state_dir)');
  }
  const detail = `${formatBytes(free)} free in ${dir}`;
  const fix =
    'free space on the SD card (journalctl --vacuum-size=50M; apt clean), or lower ledger.retention_days';
  const data = { freeBytes: free };
  if (free < DISK_FAIL_BYTES)
    return fail('disk space', `${detail}: the ledger may not be able to record a sale`, fix, data);
  if (free < DISK_WARN_BYTES) return warn('disk space', detail, fix, data);
  return ok('disk space', detail, data);
}

function queueSummary(db: Database.Database, now: number): CheckResult {
  const s = new SaleQueries(db).summary();
  const b = s.byStatus;
  const pending = [b.created, b.sent, b.pending].reduce(
    (t, x) => ({ count: t.count + x.count, amountFen: t.amountFen + x.amountFen }),
    { count: 0, amountFen: 0 },
  );
  const oldest = s.oldestOpenAt === undefined ? '' : `, oldest open ${formatAge(now - s.oldestOpenAt)}`;
  const detail =
    `unresolved ${pending.count} (${yuan(pending.amountFen)}), queued ${b.queued.count} (${yuan(b.queued.amountFen)}), ` +
    `flagged ${s.flagged}, unprinted ${s.unprinted}${oldest}`;
  const data = {
    unresolved: pending,
    queued: b.queued,
    flagged: s.flagged,
    unprinted: s.unprinted,
    ...(s.oldestOpenAt !== undefined && { oldestOpenAgeMs: now - s.oldestOpenAt }),
  };
  if (s.flagged > 0) {
    return warn(
      'queue',
      detail,
      'xpos-agent queue list shows the flagged sales: reconcile each with the payment service by its out_biz_id',
      data,
    );
  }
  return ok('queue', detail, data);
}

function openFailure(path: string, e: unknown): CheckResult {
  const message = asError(e).message;
  const corrupt = /^SQLITE_(NOTADB|CORRUPT)/.test(errorCode(e) ?? '');
  if (corrupt || isAgentError(e, ErrorCode.LedgerCorrupt)) {
    return fail(
      'ledger',
      `${path}: not a readable SQLite database; the agent takes no sales with it`,
      `keep a copy for reconciliation, then mv '${path}' '${path}.corrupt' and restart the agent`,
    );
  }
  if (isAgentError(e, ErrorCode.LedgerTooNew)) {
    return fail(
      'ledger',
      message.replace(/ \[E\d+\]$/, ''),
      'run the agent version that wrote it, or a newer one',
    );
  }
  const code = errorCode(asError(e).cause) ?? errorCode(e);
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code === 'EACCES') {
    return warn(
      'ledger',
      `${path}: cannot read it as this user (${code})`,
      'run as root: sudo xpos-agent doctor',
    );
  }
  return fail('ledger', message, 'see the error; the file is left untouched');
}

export function checkLedger(ctx: DoctorContext, now: number = Date.now()): CheckResult[] {
  const { config } = ctx;
  const path = ledgerPath(config);
  const disk = checkDisk(config.paths.state_dir);
  const aside = movedAsideFiles(path);
  const asideFix =
    'reconcile the sales in it (xpos-agent queue report names it), then move it out of the state directory';
  if (!existsSync(path)) {
    const refused = aside.length > 0 && config.ledger.on_corrupt === 'refuse';
    const ledger = refused
      ? fail(
          'ledger',
          `no ledger: a corrupt one was moved aside (${aside.join(', ')}); no sales until a person looks`,
          asideFix,
        )
      : ok('ledger', `${path} not created yet (the agent creates it at its first start)`);
    return [ledger, disk, ok('queue', 'empty (no ledger yet)')];
  }
  let db: Database.Database | undefined;
  try {
    let version: number;
    try {
      ({ db, version } = openLedgerReadOnly(path));
    } catch (e) {
      return [
        openFailure(path, e),
        disk,
        warn('queue', 'not read: the ledger cannot be opened', 'fix "ledger" first'),
      ];
    }
    const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((q) => q !== 'ok');
    const size = `${formatBytes(sizeOf(path))} (+ wal ${formatBytes(sizeOf(`${path}-wal`))})`;
    const schema =
      version === SCHEMA_VERSION
        ? `schema v${version}`
        : version === 0
          ? 'empty (not set up yet)'
          : `schema v${version} (this agent migrates it to v${SCHEMA_VERSION} at start)`;
    const data = { path, schemaVersion: version, bytes: sizeOf(path), walBytes: sizeOf(`${path}-wal`) };
    let ledger: CheckResult;
    if (problems.length > 0) {
      ledger = fail(
        'ledger',
        `${path}: integrity check failed: ${problems.join('; ')}`,
        `keep a copy for reconciliation, then mv '${path}' '${path}.corrupt' and restart the agent`,
        data,
      );
    } else if (aside.length > 0) {
      ledger = warn(
        'ledger',
        `${path}: integrity ok, ${schema}, ${size}; moved aside beside it: ${aside.join(', ')}`,
        asideFix,
        data,
      );
    } else {
      ledger = ok('ledger', `${path}: integrity ok, ${schema}, ${size}`, data);
    }
    let queue: CheckResult;
    if (problems.length > 0)
      queue = warn('queue', 'not read: the ledger failed its check', 'fix "ledger" first');
    else if (version === SCHEMA_VERSION) queue = queueSummary(db, now);
    else if (version === 0) queue = ok('queue', 'empty');
    else queue = ok('queue', `not read: schema v${version} is older than this agent's`);
    return [ledger, disk, queue];
  } catch (e) {
    return [
      openFailure(path, e),
      disk,
      warn('queue', 'not read: the ledger cannot be read', 'fix "ledger" first'),
    ];
  } finally {
    db?.close();
  }
}
