/**
 * `make bench` (cli): what a command costs beside starting Node at all. Runs `node -e 0`,
 * `xpos-agent config check` of the shipped example and a usage error side by side, alternating,
 * BENCH_CLI_RUNS (15) times each after one warm-up, and prints the median wall time, CPU time
 * (user + system) and peak RSS of each, their ratios to `node -e 0`, and the target:
 * `config check` ≤ 2.5× the wall time of `node -e 0`. Printed, never asserted (a loaded machine
 * would make a timed test flaky).
 *
 * CPU and peak RSS come from /usr/bin/time (GNU time: -f '%U %S %M' into a file); without it only
 * wall times are printed. Both sides pay the same wrapper, so the ratio stays fair.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const RUNS = Math.max(5, Number(process.env['BENCH_CLI_RUNS'] ?? 15));
const TARGET_RATIO = 2.5;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'dist/agent/main.js');
const EXAMPLE = join(ROOT, 'config/xpos-agent.example.yaml');
const TIME = '/usr/bin/time';

interface Sample {
  wallMs: number;
  cpuMs?: number;
  rssKiB?: number;
}

interface Side {
  label: string;
  args: string[];
  samples: Sample[];
}

function once(args: string[], dir: string): Promise<Sample> {
  const out = join(dir, 'time.txt');
  const timed = existsSync(TIME);
  const cmd = timed ? TIME : process.execPath;
  const rest = timed ? ['-o', out, '-f', '%U %S %M', process.execPath, ...args] : args;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, rest, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => {
      const wallMs = performance.now() - t0;
      if (!timed) {
        resolve({ wallMs });
        return;
      }
      // The last line: GNU time writes "Command exited with non-zero status N" before it.
      const [user = NaN, sys = NaN, rss = NaN] =
        readFileSync(out, 'utf8').trim().split('\n').at(-1)?.split(/\s+/).map(Number) ?? [];
      resolve({ wallMs, cpuMs: (user + sys) * 1000, rssKiB: rss });
    });
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

const med = (side: Side, pick: (s: Sample) => number | undefined): number =>
  median(side.samples.map(pick).filter((x): x is number => x !== undefined));

async function main(): Promise<void> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" first`);
  const dir = mkdtempSync(join(tmpdir(), 'xpos-bench-cli-'));
  const sides: Side[] = [
    { label: 'node -e 0', args: ['-e', '0'], samples: [] },
    { label: 'config check (example)', args: [MAIN, 'config', 'check', '--config', EXAMPLE], samples: [] },
    { label: 'usage error (xpos-agent frob)', args: [MAIN, 'frob'], samples: [] },
  ];
  try {
    for (const side of sides) await once(side.args, dir); // warm the page cache
    for (let i = 0; i < RUNS; i += 1) {
      // Alternating, so a burst of load elsewhere hits every side alike.
      for (const side of sides) side.samples.push(await once(side.args, dir));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const [floor, check] = sides;
  if (floor === undefined || check === undefined) return;
  const f = (x: number, unit: string, digits = 1): string =>
    Number.isNaN(x) ? 'n/a' : `${x.toFixed(digits)}${unit === 'x' ? '' : ' '}${unit}`;
  console.log(`cli: ${RUNS} runs each, alternating, medians (CPU = user + system)`);
  for (const side of sides) {
    console.log(
      `  ${side.label.padEnd(30)} wall ${f(
        med(side, (s) => s.wallMs),
        'ms',
      ).padStart(9)}  ` +
        `cpu ${f(
          med(side, (s) => s.cpuMs),
          'ms',
        ).padStart(9)}  ` +
        `peak RSS ${f(med(side, (s) => s.rssKiB) / 1024, 'MiB').padStart(9)}`,
    );
  }
  const ratio = (pick: (s: Sample) => number | undefined): number => med(check, pick) / med(floor, pick);
  const wall = ratio((s) => s.wallMs);
  console.log(
    `  config check / node -e 0: wall ${f(wall, 'x', 2)}, cpu ${f(
      ratio((s) => s.cpuMs),
      'x',
      2,
    )}, ` +
      `peak RSS ${f(
        ratio((s) => s.rssKiB),
        'x',
        2,
      )}`,
  );
  console.log(
    `  target: config check wall <= ${TARGET_RATIO}x node -e 0: ${wall <= TARGET_RATIO ? 'MET' : 'MISSED'} (${wall.toFixed(2)}x)`,
  );
}

await main();
