/**
 * One step of the footprint breakdown (test/bench/breakdown.ts), in a fresh process: loads every
 * part up to and including step `argv[2]` in the order the daemon meets them, then prints one JSON
 * line of RSS and heap after two full GCs. Fresh processes, because memory a step touched is never
 * given back: measuring the steps one after another in one process would tell the same story only
 * by luck. Runs with the unit's environment and --expose-gc.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The steps, cumulative: step N loads 1..N. Their labels live in breakdown.ts. */
export const STEPS = [
  'node',
  'pino',
  'better-sqlite3',
  'zod+yaml',
  'config',
  'got',
  'device-libs',
  'runtime',
  'main',
] as const;
export type Step = (typeof STEPS)[number];

export interface StepFigures {
  step: Step;
  rssKb: number;
  anonKb: number;
  fileKb: number;
  heapUsedKb: number;
  heapTotalKb: number;
  externalKb: number;
}

async function load(step: Step, config: string): Promise<void> {
  switch (step) {
    case 'node':
      return;
    case 'pino': {
      const { pino } = await import('pino');
      pino({ level: 'info' }, process.stderr);
      return;
    }
    case 'better-sqlite3': {
      // The addon is only dlopen()ed by the first Database: open one, as the ledger will.
      const { default: Database } = await import('better-sqlite3');
      new Database(':memory:').close();
      return;
    }
    case 'zod+yaml':
      await Promise.all([import('zod'), import('yaml')]);
      return;
    case 'config': {
      const { loadConfig } = await import('../../config/load.js');
      loadConfig(config);
      return;
    }
    case 'got':
      // client.ts loads its HTTP side (got) on first use; the daemon does so right after READY.
      await Promise.all([import('../../agent/pay/client.js'), import('../../agent/pay/http-post.js')]);
      return;
    case 'device-libs':
      await Promise.all([import('serialport'), import('onoff'), import('iconv-lite')]);
      return;
    case 'runtime':
      await Promise.all([import('../../agent/runtime.js'), import('../../agent/app.js')]);
      return;
    case 'main':
      // main.js runs its command line on import: --help prints the usage and loads no command.
      process.argv = [process.argv[0] ?? 'node', 'main.js', '--help'];
      await import('../../agent/main.js');
      process.exitCode = 0;
      return;
  }
}

function status(): Record<string, number> {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1]);
  return { rssKb: kb('VmRSS'), anonKb: kb('RssAnon'), fileKb: kb('RssFile') };
}

async function main(): Promise<void> {
  const upTo = STEPS.indexOf(process.argv[2] as Step);
  const config = process.argv[3];
  if (upTo < 0 || config === undefined) throw new Error('usage: breakdown-child.js STEP CONFIG');
  for (const step of STEPS.slice(0, upTo + 1)) await load(step, config);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  // Let start-up work queued by the imports run before the figures are taken.
  await sleep(50);
  gc();
  gc();
  const m = process.memoryUsage();
  const s = status();
  const figures: StepFigures = {
    step: STEPS[upTo] ?? 'node',
    rssKb: s['rssKb'] ?? NaN,
    anonKb: s['anonKb'] ?? NaN,
    fileKb: s['fileKb'] ?? NaN,
    heapUsedKb: m.heapUsed / 1024,
    heapTotalKb: m.heapTotal / 1024,
    externalKb: m.external / 1024,
  };
  process.stdout.write(`\n${JSON.stringify(figures)}\n`);
}

// breakdown.ts imports STEPS from here: only a process started on this file measures.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
