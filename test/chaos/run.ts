/**
 * `make chaos`: the crash-and-fault harness at full length, once per sandbox personality
 * (personalities.ts). Runs the built daemon (dist/), prints detail lines, the settle time, then
 * exactly one line per personality and a total:
 *
 *   personality=NAME kills=N sales=N charged=N duplicates=N lost=N wrong_status=N flagged=N
 *   …
 *   total kills=N sales=N charged=N duplicates=N lost=N wrong_status=N flagged=N
 *
 * `no-dedup`'s line ends in " UNSAFE (reported, not in total)". Exit 0 when the total has nothing
 * charged twice, lost or with a wrong status, 1 otherwise, 2 when the harness itself could not run.
 * CHAOS_KILLS (default 40 per personality: 200 over the five safe ones), CHAOS_PERSONALITIES (a,b: a subset), CHAOS_SEED
 * (replay a run), CHAOS_SETTLE_MS (default 240000: the final wait, per personality, for every sale
 * to close), CHAOS_KEEP=1 (keep the temporary state).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { report, runPersonalities, selectPersonalities } from './personalities.js';
import { chooseSeed } from './prng.js';

// Compiled to dist-bench/test/chaos/run.js; the daemon is the one `make build` put in dist/.
const MAIN = fileURLToPath(new URL('../../../dist/agent/main.js', import.meta.url));

/**
 * Long enough for the slowest personality: query-completes needs four queries of a pending sale,
 * and after the last restart the daemon asks with a backoff that doubles from a few seconds.
 */
const DEFAULT_SETTLE_MS = 240_000;

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
  const chosen = selectPersonalities(process.env['CHAOS_PERSONALITIES']);
  const kills = positive('CHAOS_KILLS', 40);
  const settleMs = positive('CHAOS_SETTLE_MS', DEFAULT_SETTLE_MS);
  const seed = chooseSeed(process.env['CHAOS_SEED']);
  const names = chosen.map((p) => p.spec.personality).join(',');
  process.stderr.write(
    `chaos: seed=${seed} kills=${kills} per personality, personalities=${names} (replay with CHAOS_SEED=${seed})\n`,
  );
  const started = Date.now();
  const runs = await runPersonalities(chosen, {
    main: MAIN,
    kills,
    seed,
    settleMs,
    parallel: false,
    keepDir: process.env['CHAOS_KEEP'] === '1',
    out: (line) => process.stderr.write(`chaos: ${line}\n`),
  });
  for (const { personality, spec, result } of runs) {
    process.stdout.write(`[${personality}] sandbox: ${JSON.stringify(spec)}\n`);
    for (const line of result.details) process.stdout.write(`[${personality}] ${line}\n`);
    process.stdout.write(`[${personality}] time: ${(result.durationMs / 1000).toFixed(1)} s\n`);
  }
  process.stdout.write(`time: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`settle: up to ${settleMs / 1000} s per personality (CHAOS_SETTLE_MS)\n`);
  const r = report(runs);
  for (const line of r.lines) process.stdout.write(`${line}\n`);
  return r.ok ? 0 : 1;
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
