/**
 * One agent per state directory. Two agents on one ledger would both recover and replay the same
 * pending sales, print the same receipts and race on the same devices, so the second one to start
 * is refused at once, naming the directory and, when known, the holder's pid.
 *
 * The lock is SQLite's own: `<state_dir>/agent.lock` opened by better-sqlite3 in EXCLUSIVE locking
 * mode with an exclusive transaction held for the process's lifetime. SQLite takes it with fcntl()
 * record locks, which the kernel drops when the process ends however it ends (SIGKILL, OOM kill,
 * power cut), so there is never a stale lock to clean up; and SQLite keeps two connections of one
 * process apart, which bare fcntl() locks would not. One rule follows from fcntl(): nothing in this
process may open and close `agent.lock` through node:fs, because closing any descriptor of the file
drops the process's lock (SQLite's own connections are safe). Node has no flock(), and an addon for
 * it was not worth a dependency when better-sqlite3 is already here. Lock files judged by pid or age
 * (lockfile, proper-lockfile) go stale when their holder is killed.
 *
 * `<state_dir>/agent.pid` is written once the lock is held, for the refusal message only: the
 * lock decides, the pid file merely names the holder. The ledger and the operators' read-only
 * tools (`queue`, `doctor`) never touch either file, so they work while an agent runs.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { asError } from './errors.js';

export const LOCK_FILE = 'agent.lock';
export const PID_FILE = 'agent.pid';

/**
 * sysexits EX_TEMPFAIL: not this agent's fault, and it goes away once the other one stops. systemd
 * restarts on it (Restart=always, 10 s apart) so the service takes over when the other agent ends;
 * its start-limit guard stops trying after 10 refusals in 5 minutes.
 */
export { EXIT_STATE_LOCKED } from './exit-codes.js';

/** Another agent holds the state directory. */
export class StateDirLocked extends Error {
  readonly dir: string;
  readonly pid: number | undefined;

  constructor(dir: string, pid: number | undefined) {
    const who = pid === undefined ? 'another xpos-agent' : `another xpos-agent (pid ${pid})`;
    super(`${who} is using the state directory ${dir}; stop it first`);
    this.name = 'StateDirLocked';
    this.dir = dir;
    this.pid = pid;
  }
}

export interface StateLock {
  readonly dir: string;
  /** Gives the directory up. Idempotent. */
  release(): void;
}

/** Takes the state directory for this process; throws StateDirLocked when another agent has it. */
export function lockStateDir(dir: string): StateLock {
  const path = join(dir, LOCK_FILE);
  let db: Database.Database | undefined;
  try {
    // timeout 0: a held lock is an answer, not something to wait for.
    db = new Database(path, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db?.close();
    if ((e as { code?: unknown }).code === 'SQLITE_BUSY') throw new StateDirLocked(dir, holderPid(dir));
    throw new Error(`cannot lock the state directory ${dir} (${path}): ${asError(e).message}`, { cause: e });
  }
  const held = db;
  writePid(dir);
  let released = false;
  return {
    dir,
    release: () => {
      if (released) return;
      released = true;
      // The pid file goes first, while the lock is still ours: after it, the next holder writes its own.
      try {
        rmSync(join(dir, PID_FILE), { force: true });
      } finally {
        held.close();
      }
    },
  };
}

function writePid(dir: string): void {
  const tmp = join(dir, `${PID_FILE}.${process.pid}`);
  try {
    writeFileSync(tmp, `${process.pid}\n`);
    renameSync(tmp, join(dir, PID_FILE));
  } catch {
    // Only the refusal message of another agent would miss the pid; the lock is what counts.
    rmSync(tmp, { force: true });
  }
}

/**
 * The pid of the agent holding `dir`, judged from its pid file alone (never the lock: a tool that
 * took the lock to look would refuse a daemon starting at that moment). Undefined: none runs.
 */
export function stateHolder(dir: string): number | undefined {
  return holderPid(dir);
}

/** The holder's pid when the pid file names a live process (it may be a killed holder's, or absent). */
function holderPid(dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, PID_FILE), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    // EPERM: alive, run by another user (the service user, while an operator runs sim as root).
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}
