/**
 * Putting a backup back as the ledger, with the daemon stopped. The backup is checked first; the
 * ledger it replaces (with its -wal, which may hold the newest sales) is renamed aside, never
 * deleted: sales made after the backup exist only there and must be reconciled. The copy is
 * written beside the ledger, fsynced, owned like the state directory (the daemon's user, when run as
 * root), and renamed into place.
 */
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AgentError, ErrorCode } from '../errors.js';
import { fsyncPath, verifyLedgerFile } from './backup.js';
import { assertNotTooNew } from './migrations.js';
import { stamp } from './open-file.js';

export interface RestoreResult {
  sales: number;
  /** Where the replaced ledger went, when there was one. */
  replaced?: string;
}

const COMPANIONS = ['-wal', '-shm', '-journal'];

/** Processes that hold the ledger (or its WAL) open, from /proc; empty where /proc says nothing. */
export function holders(ledgerPath: string): number[] {
  const wanted = new Set([ledgerPath, ...COMPANIONS.map((s) => ledgerPath + s)].map((p) => resolve(p)));
  const found: number[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or another user's process we may not look into
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) {
          found.push(Number(pid));
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return found;
}

function refuse(message: string, context: Record<string, unknown> = {}): AgentError {
  return new AgentError(ErrorCode.LedgerUnwritable, message, context);
}

export function restoreLedger(o: { backup: string; ledgerPath: string; now?: number }): RestoreResult {
  const now = o.now ?? Date.now();
  if (!existsSync(o.backup)) throw refuse(`no backup at ${o.backup}`, { path: o.backup });
  const checked = verifyLedgerFile(o.backup);
  assertNotTooNew(checked.version, o.backup);
  if (checked.version === 0) throw refuse(`${o.backup} is an empty database, not a ledger backup`);
  const using = holders(o.ledgerPath);
  if (using.length > 0) {
    throw refuse(
      `the ledger ${o.ledgerPath} is open in process ${using.join(', ')}: stop the daemon first ` +
        '(systemctl stop xpos-agent), then restore',
      { pids: using },
    );
  }
  const dir = dirname(o.ledgerPath);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.restore-${process.pid}.db`);
  rmSync(tmp, { force: true });
  try {
    copyFileSync(o.backup, tmp);
    chmodSync(tmp, 0o600);
    // As root, the file must still belong to the daemon's user, who owns the state directory.
    if (process.getuid?.() === 0) {
      const owner = statSync(dir);
      chownSync(tmp, owner.uid, owner.gid);
    }
    fsyncPath(tmp);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  let replaced: string | undefined;
  if (existsSync(o.ledgerPath)) {
    const base = `${o.ledgerPath}.replaced-${stamp(now)}`;
    replaced = base;
    for (let n = 2; existsSync(replaced); n++) replaced = `${base}-${n}`;
    for (const suffix of ['', ...COMPANIONS]) {
      if (existsSync(o.ledgerPath + suffix)) renameSync(o.ledgerPath + suffix, replaced + suffix);
    }
  } else {
    // A -wal or -shm without its ledger would be paired with the restored file: move it aside too.
    for (const suffix of COMPANIONS) {
      if (existsSync(o.ledgerPath + suffix))
        renameSync(o.ledgerPath + suffix, `${o.ledgerPath}.orphan-${stamp(now)}${suffix}`);
    }
  }
  renameSync(tmp, o.ledgerPath);
  try {
    fsyncPath(dir);
  } catch {
    // best effort, as for every rename of the ledger
  }
  return { sales: checked.sales, ...(replaced !== undefined && { replaced }) };
}
