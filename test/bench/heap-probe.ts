/**
 * A probe loaded into a bench's daemon (`--import`, with --expose-gc): on SIGUSR2 it runs a full
 * GC and appends the live heap to a file, so a bench can read the heap of a process it only
 * spawned. SIGUSR2 because the daemon itself handles neither it nor SIGUSR1 (the inspector's).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const PROBE = `import { appendFileSync } from 'node:fs';
process.on('SIGUSR2', () => {
  globalThis.gc();
  const m = process.memoryUsage();
  appendFileSync(process.env.XPOS_BENCH_PROBE_OUT, JSON.stringify({ heapUsed: m.heapUsed, external: m.external, heapTotal: m.heapTotal }) + '\\n');
});
`;

export interface Heap {
  /** KiB of live JS heap (heapUsed + external) after a full GC. */
  liveKb: number;
  /** KiB V8 holds for its heap (heapTotal) after that GC: the slack the process keeps. */
  totalKb: number;
}

export class HeapProbe {
  readonly script: string;
  readonly out: string;
  #asked = 0;

  /** Writes the probe into `dir`; `nodeOptions` and `env` go on the daemon. */
  constructor(dir: string) {
    this.script = join(dir, 'probe.mjs');
    this.out = join(dir, 'probe.jsonl');
    writeFileSync(this.script, PROBE);
  }

  get nodeOptions(): string[] {
    return ['--expose-gc', '--import', this.script];
  }

  get env(): Record<string, string> {
    return { XPOS_BENCH_PROBE_OUT: this.out };
  }

  /** Ask for the live heap and wait for the answer (the n-th line of the file). */
  async heap(pid: number): Promise<Heap> {
    this.#asked += 1;
    process.kill(pid, 'SIGUSR2');
    const deadline = Date.now() + 10_000;
    for (;;) {
      const lines = existsSync(this.out) ? readFileSync(this.out, 'utf8').trim().split('\n') : [];
      const line = lines[this.#asked - 1];
      if (line !== undefined && line !== '') {
        const m = JSON.parse(line) as { heapUsed: number; external: number; heapTotal: number };
        return { liveKb: (m.heapUsed + m.external) / 1024, totalKb: m.heapTotal / 1024 };
      }
      if (Date.now() > deadline) throw new Error('the heap probe did not answer');
      await sleep(10);
    }
  }
}
