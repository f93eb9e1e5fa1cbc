/**
 * `make bench` (breakdown): what each part of the daemon costs in resident set and JS heap, beside
 * the target of ≤ 75 MB RSS after 10,000 sales (issue 12). Each import step runs in a fresh
 * process (breakdown-child.ts, BENCH_BREAKDOWN_RUNS (3) times, median) loading everything before it
 * too; then the built daemon itself at READY and after BENCH_MEMORY_SALES (10,000) sales through
 * the sandbox in its own process. Every process gets the systemd unit's Environment= lines
 * (NODE_OPTIONS, MALLOC_ARENA_MAX…) read from the unit file, plus --expose-gc for the heap figures.
 * Heap is heapUsed after two full GCs (at READY and after the sales: heapUsed + external).
 * The steps load tsc's per-file modules (dist-bench/) to tell the parts apart; the daemon rows run
 * the real dist/agent/main.js, which is one bundle (scripts/bundle.mjs), so they may differ a little
 * from the last step.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { STEPS, type Step, type StepFigures } from './breakdown-child.js';
import {
  DaemonChild,
  NotifyListener,
  isReady,
  median,
  requireBuilt,
  rssOf,
  startSandbox,
  writeSimConfig,
  type SandboxChild,
} from './daemon-child.js';
import { HeapProbe } from './heap-probe.js';
import { daemonEnv, describeEnv } from './unit-env.js';

/** 0: only the daemon at READY and after the sales (quicker, to try flags). */
const RUNS = Math.max(0, Number(process.env['BENCH_BREAKDOWN_RUNS'] ?? 3));
const SALES = Number(process.env['BENCH_MEMORY_SALES'] ?? 10_000);
const TARGET_KB = 75 * 1024;
const CHILD = fileURLToPath(new URL('./breakdown-child.js', import.meta.url));

const LABELS: Record<Step, string> = {
  node: 'bare node',
  pino: '+ pino',
  'better-sqlite3': '+ better-sqlite3 (addon loaded)',
  'zod+yaml': '+ zod + yaml',
  config: '+ config load (this config)',
  got: '+ gateway client (got)',
  'device-libs': '+ serialport, onoff, iconv-lite',
  runtime: '+ runtime module (runtime, app)',
  main: '+ the rest of main.js (--help)',
};

interface Figures {
  rssKb: number;
  /** The mapped-file part of RSS: mostly the node binary's code and ICU data as they are touched. */
  fileKb: number;
  heapKb: number;
}

async function step(step: Step, config: string): Promise<Figures> {
  const env = { ...process.env, ...daemonEnv(['--expose-gc']) };
  const runs: StepFigures[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const { stdout } = await promisify(execFile)(process.execPath, [CHILD, step, config], { env });
    const last = stdout.trim().split('\n').at(-1) ?? '';
    runs.push(JSON.parse(last) as StepFigures);
  }
  return {
    rssKb: median(runs.map((r) => r.rssKb)),
    fileKb: median(runs.map((r) => r.fileKb)),
    heapKb: median(runs.map((r) => r.heapUsedKb)),
  };
}

async function daemonFigures(pid: number, probe: HeapProbe): Promise<Figures> {
  const rss = rssOf(pid);
  return { rssKb: rss.total, fileKb: rss.file, heapKb: (await probe.heap(pid)).liveKb };
}

const f = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`.padStart(8);
const d = (kb: number): string => `${kb >= 0 ? '+' : '−'}${(Math.abs(kb) / 1024).toFixed(1)} MB`.padStart(9);

function row(label: string, now: Figures, before: Figures | undefined): string {
  const delta = before === undefined ? ' '.repeat(9) : d(now.rssKb - before.rssKb);
  const heapDelta = before === undefined ? '' : ` ${d(now.heapKb - before.heapKb)}`;
  const left = TARGET_KB - now.rssKb;
  return (
    `${label.padEnd(36)} RSS ${f(now.rssKb)} ${delta} (files ${f(now.fileKb)})   heap ${f(now.heapKb)}${heapDelta.padEnd(10)}` +
    `   ${left >= 0 ? `${f(left)} under` : `${f(-left)} OVER`} 75 MB`
  );
}

async function main(): Promise<void> {
  requireBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'xpos-bench-breakdown-'));
  const notify = new NotifyListener(join(dir, 'notify.sock'));
  const probe = new HeapProbe(dir);
  let sandbox: SandboxChild | undefined;
  let daemon: DaemonChild | undefined;
  try {
    sandbox = await startSandbox(dir);
    const config = writeSimConfig(dir, sandbox);
    console.log(`breakdown: RSS and heap after each part, fresh processes, median of ${RUNS}`);
    console.log(describeEnv(daemonEnv()));
    let before: Figures | undefined;
    for (const s of RUNS > 0 ? STEPS : []) {
      const now = await step(s, config);
      console.log(row(LABELS[s], now, before));
      before = now;
    }

    let ready: (() => void) | undefined;
    const readyCame = new Promise<void>((r) => (ready = r));
    notify.onMessage((m) => {
      if (isReady(m)) ready?.();
    });
    daemon = new DaemonChild(config, {
      env: { ...daemonEnv(probe.nodeOptions), ...probe.env, NOTIFY_SOCKET: notify.path },
    });
    await Promise.race([readyCame, daemon.exited.then((how) => Promise.reject(new Error(`exited ${how}`)))]);
    const atReady = await daemonFigures(daemon.pid, probe);
    console.log(row('the daemon at READY (sim devices)', atReady, before));

    for (let done = 0; done < SALES; done += 1) {
      const finished = daemon.waitFor('sale finished', 30_000);
      // A fresh payment code each time, never ending in 0000 or 9999 (the sandbox's pending codes).
      daemon.send(`key A\nscan 28${String(1e12 + done)}1234\n`);
      await finished;
    }
    const after = await daemonFigures(daemon.pid, probe);
    console.log(row(`the daemon after ${SALES} sales`, after, atReady));
    console.log(
      `breakdown: RSS after ${SALES} sales ${f(after.rssKb).trim()} target ≤ 75 MB: ` +
        (after.rssKb <= TARGET_KB ? 'MET' : 'MISSED'),
    );
  } finally {
    await daemon?.stop();
    await sandbox?.process.stop();
    notify.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
