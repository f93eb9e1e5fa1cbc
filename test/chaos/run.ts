/**
 * `make chaos`: the crash-and-fault harness at full length. Runs the built daemon (dist/), prints
 * detail lines, then exactly one summary line:
 *
 *   kills=N sales=N charged=N duplicates=N lost=N
 *
 * Exit 0 when nothing was charged twice or lost, 1 when something was, 2 when the harness itself
 * could not run. CHAOS_KILLS (default 200), CHAOS_SEED (replay a run), CHAOS_SETTLE_MS (default
 * 90000: the final wait for every sale to close), CHAOS_KEEP=1 (keep the temporary state).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runChaos } from './harness.js';
import { chooseSeed } from './prng.js';
import { summaryLine } from './verify.js';

// Compiled to dist-bench/test/chaos/run.js; the daemon is the one `make build` put in dist/.
const MAIN = fileURLToPath(new URL('../../../dist/agent/main.js', import.meta.url));

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`${name}=${raw ?? ''}: expected a positive integer`);
  return n;
}

async function main(): Promise<number> {
  if (process.env['TAP_CHILD_ID'] !== undefined) {
    // Picked up by tap's file glob: never start a full-length run inside `make test`.
    process.stdout.write('# test/chaos/run.ts is the `make chaos` entry; the test is chaos.test.ts\n');
    return 0;
  }
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" ("make chaos" does it first)`);
  const kills = positive('CHAOS_KILLS', 200);
  const seed = chooseSeed(process.env['CHAOS_SEED']);
  process.stderr.write(`chaos: seed=${seed} kills=${kills} (replay with CHAOS_SEED=${seed})\n`);
  const r = await runChaos({
    main: MAIN,
    kills,
    seed,
    settleMs: positive('CHAOS_SETTLE_MS', 90_000),
    keepDir: process.env['CHAOS_KEEP'] === '1',
    out: (line) => process.stderr.write(`chaos: ${line}\n`),
  });
  for (const line of r.details) process.stdout.write(`${line}\n`);
  process.stdout.write(`time: ${(r.durationMs / 1000).toFixed(1)} s\n`);
  process.stdout.write(`${summaryLine(r)}\n`);
  return r.duplicates > 0 || r.lost > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(
      `chaos: harness failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exitCode = 2;
  },
);
