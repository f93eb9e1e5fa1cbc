/**
 * `make bench` (memory): the built daemon's resident set after BENCH_MEMORY_SALES (10,000) sales,
 * and whether it still grows. The real process (`run`, sim devices driven through stdin, the
 * ledger in SQLite on disk in a temporary directory, logs at info to a pipe the bench reads) sells
 * preset A to a fresh code the sandbox pays at once, back to back. The gateway is `xpos-agent
 * sandbox` in a process of its own, as the real gateway is remote: the sandbox remembers every
 * payment, and that memory is the gateway's, not the kiosk's. The sim printer keeps its last 50
 * receipts in memory and writes each one as a small file under the state directory.
 *
 * Every BENCH_MEMORY_EVERY (1,000) sales: VmRSS as the kiosk runs (split into the process's own
 * memory and mapped files, mostly the node binary), then the live JS heap and V8's heap size after
 * a full GC, which a probe loaded into the daemon (--expose-gc, --import) reports on SIGUSR2. RSS
 * follows V8's heap sizing, which grows with the host's memory; a leak would show in the live heap.
 * "Not growing": its least-squares slope over the second half stays under GROWTH_LIMIT_KB per
 * 1,000 sales (200 bytes a sale: 10 % of the live heap over 10,000 sales; between samples the
 * live heap wanders by about 0.3 MB). The RSS slope is printed beside it. The daemon gets the systemd
 * unit's Environment= lines (test/bench/unit-env.ts); BENCH_DAEMON_NODE_OPTIONS tries other Node
 * flags instead of the unit's (e.g. "--max-semi-space-size=2").
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DaemonChild,
  mb,
  requireBuilt,
  rssOf,
  startSandbox,
  writeSimConfig,
  type Rss,
  type SandboxChild,
} from './daemon-child.js';
import { HeapProbe, type Heap } from './heap-probe.js';
import { daemonEnv, describeEnv } from './unit-env.js';

const SALES = Number(process.env['BENCH_MEMORY_SALES'] ?? 10_000);
const EVERY = Number(process.env['BENCH_MEMORY_EVERY'] ?? 1_000);
const TARGET_KB = 75 * 1024;
const GROWTH_LIMIT_KB = 200;
/** One sale that has not finished in this long means the kiosk is stuck, not slow. */
const STALL_MS = 30_000;

interface Sample {
  sales: number;
  rss: Rss;
  heap: Heap;
}

/** Least-squares slope of `y` against sales, in KiB per 1,000 sales. */
function slopePer1000(samples: readonly Sample[], y: (s: Sample) => number): number {
  const n = samples.length;
  if (n < 2) return Number.NaN;
  const mx = samples.reduce((a, s) => a + s.sales, 0) / n;
  const my = samples.reduce((a, s) => a + y(s), 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.sales - mx) * (y(s) - my);
    den += (s.sales - mx) ** 2;
  }
  return (num / den) * 1000;
}

/** RSS of a bare Node process that is alive and idle: the floor under any daemon. */
async function nodeFloor(): Promise<Rss> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  try {
    await sleep(500);
    if (child.pid === undefined) throw new Error('node did not start');
    return rssOf(child.pid);
  } finally {
    child.kill('SIGKILL');
  }
}

function row(label: string, rss: Rss, heap?: Heap, extra = ''): string {
  const live =
    heap === undefined
      ? ''
      : `   live heap ${mb(heap.liveKb).padStart(7)} of V8 heap ${mb(heap.totalKb).padStart(7)}`;
  return `${label.padStart(12)}   RSS ${mb(rss.total).padStart(8)} (own ${mb(rss.anon).padStart(8)}, files ${mb(rss.file).padStart(7)})${live}${extra}`;
}

async function main(): Promise<void> {
  requireBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'xpos-bench-memory-'));
  const probe = new HeapProbe(dir);
  let sandbox: SandboxChild | undefined;
  let daemon: DaemonChild | undefined;
  try {
    const floor = await nodeFloor();
    sandbox = await startSandbox(dir);
    daemon = new DaemonChild(writeSimConfig(dir, sandbox), {
      env: { ...daemonEnv(probe.nodeOptions), ...probe.env },
    });
    await daemon.waitFor('agent ready', 20_000);
    console.log(
      `memory: ${SALES} sales through the built daemon (sim devices, SQLite ledger; sandbox gateway in its own process)`,
    );
    console.log(describeEnv(daemonEnv()));
    console.log(row('node floor', floor));
    console.log(row('at ready', rssOf(daemon.pid)));
    const samples: Sample[] = [];
    let succeeded = 0;
    const t0 = performance.now();
    for (let done = 0; done < SALES;) {
      const finished = daemon.waitFor('sale finished', STALL_MS);
      // A fresh payment code each time, never ending in 0000 or 9999 (the sandbox's pending codes).
      daemon.send(`key A\nscan 28${String(1e12 + done)}1234\n`);
      const line = await finished;
      done += 1;
      if (line.fields['status'] === 'succeeded') succeeded += 1;
      if (done % EVERY !== 0) continue;
      const rss = rssOf(daemon.pid);
      const heap = await probe.heap(daemon.pid);
      samples.push({ sales: done, rss, heap });
      const rate = (done / ((performance.now() - t0) / 1000)).toFixed(0);
      console.log(row(`${done} sales`, rss, heap, `  ${rate}/s`));
    }
    const seconds = (performance.now() - t0) / 1000;
    const last = samples.at(-1);
    if (last === undefined) throw new Error(`fewer than ${EVERY} sales: nothing sampled`);
    const secondHalf = samples.filter((s) => s.sales >= SALES / 2);
    const rssSlope = slopePer1000(secondHalf, (s) => s.rss.total);
    const liveSlope = slopePer1000(secondHalf, (s) => s.heap.liveKb);
    console.log(`${succeeded} of ${SALES} succeeded in ${seconds.toFixed(1)} s`);
    if (succeeded !== SALES) console.log(`warning: ${SALES - succeeded} sales did not end succeeded`);
    const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(0)} KB`;
    console.log(
      `slope over the second half, per 1000 sales: RSS ${signed(rssSlope)}, live heap ${signed(liveSlope)}`,
    );
    const small = last.rss.total <= TARGET_KB;
    const flat = liveSlope < GROWTH_LIMIT_KB;
    console.log(
      `memory: RSS after ${SALES} sales ${mb(last.rss.total)} (${small ? '≤' : '>'} 75 MB; own ${mb(last.rss.anon)}, ` +
        `node floor ${mb(floor.total)}), live heap ${mb(last.heap.liveKb)} ${flat ? 'not growing' : 'GROWING'} ` +
        `(${signed(liveSlope)}/1000 sales, limit ${GROWTH_LIMIT_KB}) target ≤ 75 MB and not growing: ` +
        (small && flat ? 'MET' : 'MISSED'),
    );
  } finally {
    await daemon?.stop();
    await sandbox?.process.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
