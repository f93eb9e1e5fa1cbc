/**
 * The crash-and-fault harness: one sandbox child for the whole run (its charge ledger is the truth
 * about money), and a daemon that is started, fed sales, and SIGKILLed at a planned moment under
 * a planned gateway fault, again and again; then one last start without kills that must close every
 * sale. See plan.ts for the moments and faults, verify.ts for the checks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PersonalitySpec } from '../../agent/sandbox/personality.js';
import { Daemon, Observed, writeDaemonConfig, type DaemonLine } from './daemon.js';
import { readLedger, type LedgerView } from './ledger.js';
import { CodeMaker, planCycles, saleLines, type CyclePlan, type KillOn } from './plan.js';
import { makeRng, type Rng } from './prng.js';
import { startSandbox, type Charges, type SandboxControl, type SandboxProcess } from './sandbox.js';
import {
  checkCharges,
  checkFinal,
  chargedIds,
  flaggedCount,
  openSales,
  Verdict,
  type Summary,
} from './verify.js';

export interface ChaosOptions {
  /** dist/agent/main.js */
  main: string;
  kills: number;
  seed: number;
  /** Longest wait, at the end, for the ledger to close every sale. */
  settleMs: number;
  /** Detail and progress lines. */
  out: (line: string) => void;
  /** Keep the temporary directory (config, state, ledger) for a post-mortem. */
  keepDir?: boolean;
  /** The sandbox's personality for the whole run (default `today`). */
  personality?: PersonalitySpec;
}

export interface ChaosResult extends Summary {
  seed: number;
  ledgerSource: LedgerView['source'];
  /** Problem lines, then coverage; printed before the summary line. */
  details: string[];
  durationMs: number;
}

// Generous: in `make test` several daemons and test files start at once on a small machine.
const READY_TIMEOUT_MS = 30_000;

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'xpos-chaos-'));
  // The plan has its own stream; the sales' stream depends on timing, so it must not shift the plan.
  const plans = planCycles(o.kills, makeRng(o.seed));
  const salesRng = makeRng((o.seed ^ 0x9e3779b9) >>> 0);
  const codes = new CodeMaker(salesRng);
  let sandbox: SandboxProcess | undefined;
  let daemon: Daemon | undefined;
  try {
    sandbox = await startSandbox(o.main, dir, o.personality);
    const files = writeDaemonConfig(dir, sandbox.url);
    const observed = new Observed();
    // For a post-mortem with CHAOS_KEEP=1: the plan, and one daemon log per cycle.
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plans, null, 1));
    const daemonLog = (name: string): string => join(dir, `daemon-${name}.log`);
    const verdict = new Verdict();
    const faults = new Map<string, number>();
    const points = new Map<string, number>();
    const count = (m: Map<string, number>, key: string): void => void m.set(key, (m.get(key) ?? 0) + 1);
    let kills = 0;
    const incidents: string[] = [];

    for (const [i, plan] of plans.entries()) {
      await sandbox.control.clear();
      const logName = String(i + 1).padStart(3, '0');
      daemon = await Daemon.start(o.main, files, observed, READY_TIMEOUT_MS, daemonLog(logName));
      await sandbox.control.inject(plan.faults);
      // The state the previous kill left, read while this daemon recovers and takes new sales.
      // Its failure is held (not left unhandled while the cycle runs) and thrown after the cycle.
      const check = snapshot(sandbox.control, files.stateDir).then(
        ({ charges, ledger }): undefined => {
          checkCharges(charges, ledger, verdict);
          return undefined;
        },
        (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
      );
      const how = await killCycle(daemon, plan, salesRng, codes);
      const exit = await daemon.process.stop(5_000);
      if (how === 'exited')
        incidents.push(`cycle ${i + 1}: the daemon exited by itself (${exit.code ?? exit.signal ?? '?'})`);
      else kills += 1;
      count(faults, plan.variant);
      count(points, how === 'aimed' ? plan.kill.on : how);
      const checkFailed = await check;
      if (checkFailed) throw checkFailed;
      if ((i + 1) % 10 === 0 || i + 1 === plans.length) {
        o.out(
          `cycle ${i + 1}/${plans.length}: sales=${observed.sales.size} problems=${verdict.lost.size + verdict.duplicates.size}`,
        );
      }
    }

    // The last start: no kills, no faults, no new sales; wait for recovery to close everything.
    await sandbox.control.clear();
    daemon = await Daemon.start(o.main, files, observed, READY_TIMEOUT_MS, daemonLog('final'));
    const settleStarted = Date.now();
    const deadline = settleStarted + o.settleMs;
    let open = openSales((await snapshot(sandbox.control, files.stateDir)).ledger);
    while (open.length > 0 && Date.now() < deadline) {
      await sleep(1_000);
      open = openSales((await snapshot(sandbox.control, files.stateDir)).ledger);
    }
    const settled = `${((Date.now() - settleStarted) / 1000).toFixed(0)} s of ${o.settleMs / 1000} s`;
    daemon.process.kill('SIGTERM');
    await daemon.process.stop(15_000);
    const { charges, ledger } = await snapshot(sandbox.control, files.stateDir);
    checkFinal(charges, ledger, observed.sales, verdict);

    const sales = new Set([...observed.sales.keys(), ...ledger.sales.keys()]);
    const details = [
      ...verdict.details(20),
      ...incidents,
      `ledger read from: ${ledger.source}${ledger.note !== undefined ? ` (${ledger.note})` : ''}`,
      `faults: ${tallyLine(faults)}`,
      `kill points: ${tallyLine(points)}`,
      open.length === 0
        ? `settle: every sale closed after ${settled}`
        : `settle: ${open.length} open after ${settled}`,
      `charged out_biz_ids: ${chargedIds(charges).length}, ${charges.totalFen} fen; seed=${o.seed}`,
    ];
    if (o.keepDir === true) details.push(`state kept in ${dir}`);
    return {
      seed: o.seed,
      kills,
      sales: sales.size,
      charged: charges.charges,
      duplicates: verdict.duplicates.size,
      lost: verdict.lost.size,
      wrongStatus: verdict.wrongStatus.size,
      flagged: flaggedCount(ledger),
      ledgerSource: ledger.source,
      details,
      durationMs: Date.now() - started,
    };
  } finally {
    daemon?.process.kill('SIGKILL');
    await daemon?.process.exited;
    sandbox?.process.kill('SIGTERM');
    await sandbox?.process.stop(5_000);
    if (o.keepDir !== true) rmSync(dir, { recursive: true, force: true });
  }
}

function tallyLine(m: ReadonlyMap<string, number>): string {
  return [...m.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
}

async function snapshot(
  control: SandboxControl,
  stateDir: string,
): Promise<{ charges: Charges; ledger: LedgerView }> {
  // Charges first: whatever they show was committed to the ledger before its request left.
  const charges = await control.charges();
  return { charges, ledger: readLedger(stateDir) };
}

function aimedAt(on: KillOn, line: DaemonLine): boolean {
  switch (on) {
    case 'ready':
      return false;
    case 'recorded':
      return line.msg === 'sale recorded';
    case 'any-step':
      return line.msg === 'payment step';
    case 'unknown':
      // The answer left the outcome unknown: the sale is now pending.
      return line.msg === 'payment step' && line.status === 'pending';
    case 'succeeded':
      return line.msg === 'payment step' && line.status === 'succeeded';
  }
}

/**
 * Feed sales (the next one as soon as the kiosk shows a result) until the planned moment, then
 * SIGKILL. `fallback` when the moment did not come in time, `exited` when the daemon died first.
 */
function killCycle(
  daemon: Daemon,
  plan: CyclePlan,
  rng: Rng,
  codes: CodeMaker,
): Promise<'aimed' | 'fallback' | 'exited'> {
  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    let armed = false;
    let done = false;
    const finish = (how: 'aimed' | 'fallback' | 'exited'): void => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      off();
      if (how !== 'exited') daemon.process.kill('SIGKILL');
      resolve(how);
    };
    const after = (ms: number, fn: () => void): void => void timers.push(setTimeout(fn, ms));
    const nextSale = (): void => daemon.send(saleLines(rng, codes.next(rng)));
    const off = daemon.onLine((line) => {
      if (line.msg === 'sale finished') after(rng.int(0, 200), nextSale);
      if (!armed && aimedAt(plan.kill.on, line)) {
        armed = true;
        // Zero means now, inside this handler: the kill lands right behind the log line.
        if (plan.kill.afterMs === 0) finish('aimed');
        else after(plan.kill.afterMs, () => finish('aimed'));
      }
    });
    if (plan.kill.on === 'ready') after(plan.kill.afterMs, () => finish('aimed'));
    after(plan.fallbackMs, () => finish('fallback'));
    void daemon.process.exited.then(() => finish('exited'));
    nextSale();
  });
}
