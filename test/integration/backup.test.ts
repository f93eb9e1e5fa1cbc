/**
 * Backups taken while a real daemon (dist/, sandbox child as gateway) takes sales and is SIGKILLed
 * mid-sale: every copy passes integrity_check and agrees with the ledger it came from; a copy
 * restored into a fresh state directory starts a daemon that resolves what was open exactly as the
 * original did; and a copy of an idle kiosk restores to the same `queue report`.
 */
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { writeDaemonConfig, type DaemonFiles } from '../chaos/daemon.js';
import { LineProcess } from '../chaos/procs.js';
import { startSandbox } from '../chaos/sandbox.js';

const MAIN = new URL('../../dist/agent/main.js', import.meta.url).pathname;
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);

const run = promisify(execFile);
// Four daemon runs and waits for pending payments to settle: more than the suite's 120 s on a busy CI.
t.setTimeout(300_000);
const READY_MS = 15_000;

interface Totals {
  count: number;
  amountFen: number;
}
interface Report {
  byStatus: Record<string, Totals>;
  flaggedCount: number;
  unprintedCount: number;
}

async function xpos(files: DaemonFiles, ...args: string[]): Promise<string> {
  return (await run(process.execPath, [MAIN, ...args, '--config', files.configFile])).stdout;
}

async function report(files: DaemonFiles): Promise<Report> {
  return JSON.parse(await xpos(files, 'queue', 'report', '--json')) as Report;
}

const open = (r: Report): number =>
  ['created', 'sent', 'pending', 'queued'].reduce((n, s) => n + (r.byStatus[s]?.count ?? 0), 0);

/** Polls `queue report` until no sale is open; the bound only stops a hung test. */
async function settled(files: DaemonFiles, boundMs = 60_000): Promise<Report> {
  const started = Date.now();
  for (;;) {
    const r = await report(files);
    if (open(r) === 0 || Date.now() - started > boundMs) return r;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A kiosk in `dir/name` talking to the one sandbox (its secret file copied, 0600 as required). */
function kiosk(dir: string, name: string, url: string): DaemonFiles {
  copyFileSync(join(dir, 'app-secret'), join(dir, name, 'app-secret'));
  chmodSync(join(dir, name, 'app-secret'), 0o600);
  return writeDaemonConfig(join(dir, name), url);
}

function startDaemon(files: DaemonFiles): LineProcess {
  return new LineProcess(process.execPath, [MAIN, 'run', '--config', files.configFile]);
}

async function ready(t: Test, proc: LineProcess): Promise<void> {
  t.teardown(() => proc.kill('SIGKILL'));
  const ok = await proc.waitFor((l) => (l.includes('"msg":"agent ready"') ? true : undefined), READY_MS);
  if (ok !== true) throw new Error(`daemon not ready: ${proc.stderrTail}`);
}

/** Sales by out_biz_id from a ledger file, read-only. */
function sales(file: string): Map<string, { status: string; amountFen: number }> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT out_biz_id, status, amount_fen FROM sales').all() as {
      out_biz_id: string;
      status: string;
      amount_fen: number;
    }[];
    return new Map(rows.map((r) => [r.out_biz_id, { status: r.status, amountFen: r.amount_fen }]));
  } finally {
    db.close();
  }
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('; ');
  } finally {
    db.close();
  }
}

/** Demo codes: mostly paid at once, some declined, some pending for a while then paid. */
function code(n: number): string {
  const serial = String(n).padStart(8, '0');
  if (n % 5 === 0) return `F${serial}77`;
  if (n % 9 === 0) return `2811${serial}0000`;
  return `2811${serial}${String(1000 + n).slice(-4)}`;
}

/** Feeds the next sale each time the kiosk shows a result, until `stop()`. */
function feed(proc: LineProcess, from: number): { stop: () => void; finished: () => number } {
  let n = from;
  let done = 0;
  let stopped = false;
  const next = (): void => {
    if (stopped) return;
    n += 1;
    proc.write(`key ${['A', 'B', 'C', 'D'][n % 4]}\nscan ${code(n)}\n`);
  };
  const off = proc.onLine((l) => {
    if (l.includes('"msg":"sale finished"')) {
      done += 1;
      next();
    }
  });
  next();
  return {
    stop: () => {
      stopped = true;
      off();
    },
    finished: () => done,
  };
}

async function until(cond: () => boolean, boundMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!cond() && Date.now() - started < boundMs) await new Promise((r) => setTimeout(r, 50));
}

t.test('backups during sales and a SIGKILL restore to a ledger the daemon runs on', async (t) => {
  const dir = t.testdir({ a: {}, b: {}, c: {} });
  const sandbox = await startSandbox(MAIN, dir);
  t.teardown(() => sandbox.process.kill('SIGKILL'));
  const files = kiosk(dir, 'a', sandbox.url);
  const copies = join(dir, 'backups');
  const backup = async (): Promise<string> => {
    const out = await xpos(files, 'ledger', 'backup', copies, '--keep', '50');
    const m = /^(\S+\.db): (\d+) sales, \d+ bytes, integrity ok/.exec(out);
    t.ok(m, `backup: ${out.trim()}`);
    return m?.[1] ?? '';
  };

  // --- a daemon taking sales; backups while it does; a SIGKILL mid-sale; more sales and backups.
  const first = startDaemon(files);
  await ready(t, first);
  let sales1 = feed(first, 0);
  const taken: string[] = [];
  await until(() => sales1.finished() >= 4);
  taken.push(await backup());
  await until(() => sales1.finished() >= 8);
  taken.push(await backup());
  sales1.stop();
  // Killed right behind an intent commit: that sale is recorded, its outcome unknown.
  first.write(`key A\nscan ${code(900)}\n`);
  await first.waitFor((l) => (l.includes('"msg":"sale recorded"') ? true : undefined), 10_000);
  first.kill('SIGKILL');
  await first.exited;

  const second = startDaemon(files);
  await ready(t, second);
  // Recovery of the killed sale and new sales run while this backup is taken.
  sales1 = feed(second, 100);
  taken.push(await backup());
  await until(() => sales1.finished() >= 6);
  taken.push(await backup());
  sales1.stop();

  // --- idle: every sale closed, then one more online backup and the report it must restore to.
  const idle = await settled(files);
  t.equal(open(idle), 0, 'every sale closed');
  const quiet = await backup();
  const quietReport = await report(files);
  second.kill('SIGTERM');
  t.equal((await second.exited).code, 0);
  const original = sales(join(files.stateDir, 'ledger.db'));
  // 8 sales before the kill, the one killed mid-sale, 6 after the restart: at least 15.
  t.ok(original.size >= 15, `${original.size} sales in the original ledger`);

  // --- every copy is sound and agrees with the ledger it came from.
  t.equal(readdirSync(copies).filter((f) => f.endsWith('.db')).length, taken.length + 1);
  for (const file of [...taken, quiet]) {
    t.equal(integrity(file), 'ok', `${file}: integrity_check`);
    for (const [id, s] of sales(file)) {
      const now = original.get(id);
      t.ok(now, `${id} is still in the ledger`);
      if (['succeeded', 'failed', 'refused'].includes(s.status)) {
        t.same(now, s, `${id}: a final sale never changes`);
      }
    }
  }

  // --- the copy taken while the restarted daemon recovered and sold, restored and run.
  const chaos = taken[2] ?? '';
  const heldOpen = [...sales(chaos).values()].filter(
    (s) => !['succeeded', 'failed', 'refused'].includes(s.status),
  );
  t.comment(`the copy taken during recovery held ${heldOpen.length} open sale(s)`);
  const restoredFiles = kiosk(dir, 'b', sandbox.url);
  const restored = await xpos(restoredFiles, 'ledger', 'restore', chaos);
  t.match(restored, /restored \d+ sales from .* integrity ok/);
  const third = startDaemon(restoredFiles);
  await ready(t, third);
  const after = await settled(restoredFiles);
  third.kill('SIGTERM');
  t.equal((await third.exited).code, 0, 'the daemon ran on the restored ledger and stopped cleanly');
  t.equal(open(after), 0, 'it resolved every sale the copy held open');
  const restoredLedger = join(restoredFiles.stateDir, 'ledger.db');
  t.equal(integrity(restoredLedger), 'ok');
  // Same gateway, same request ids: each sale ends as it did in the original ledger.
  const expected: Record<string, Totals> = {};
  for (const id of sales(chaos).keys()) {
    const s = original.get(id);
    if (!s) continue;
    expected[s.status] = {
      count: (expected[s.status]?.count ?? 0) + 1,
      amountFen: (expected[s.status]?.amountFen ?? 0) + s.amountFen,
    };
  }
  for (const [status, totals] of Object.entries(after.byStatus)) {
    t.same(totals, expected[status] ?? { count: 0, amountFen: 0 }, `restored ${status}`);
  }

  // --- the idle kiosk's copy: restore, start, stop: the same report.
  const quietFiles = kiosk(dir, 'c', sandbox.url);
  await xpos(quietFiles, 'ledger', 'restore', quiet);
  const fourth = startDaemon(quietFiles);
  await ready(t, fourth);
  fourth.kill('SIGTERM');
  t.equal((await fourth.exited).code, 0);
  const again = await report(quietFiles);
  t.same(again.byStatus, quietReport.byStatus, 'queue report totals the same');
  t.equal(again.flaggedCount, quietReport.flaggedCount);
  t.equal(again.unprintedCount, quietReport.unprintedCount);
  t.equal(integrity(join(quietFiles.stateDir, 'ledger.db')), 'ok');
  const charges = await sandbox.control.charges();
  t.same(charges.duplicates, [], 'nothing charged twice, restores included');
});
