/**
 * What each kill cycle does: which gateway fault is queued, which moment the SIGKILL aims at, and
 * which codes the scripted member scans. Everything is drawn from the seeded PRNG up front, so a
 * seed names a plan.
 *
 * Faults go round-robin over a seeded permutation of every variant, so every fault kind is used at
 * least once in any run of `FAULT_VARIANTS.length` cycles or more, and about evenly after that.
 */
import type { FaultSpec } from '../../agent/sandbox/faults.js';
import type { Rng } from './prng.js';

/**
 * The log line a kill waits for, then `afterMs`:
 * - `ready`: `agent ready` (a pure random delay from start-up, recovery included);
 * - `recorded`: `sale recorded`, the intent commit, just before the request leaves;
 * - `unknown`: a `payment step` with an unknown outcome: the reply was lost or untrusted, and the
 *   sandbox may already have charged (reset-after, 502/isp after, truncated, pending);
 * - `any-step`: any `payment step` (not-sent, retry after a rate limit, …);
 * - `succeeded`: a `payment step` that succeeded: the outcome commit and the receipt print.
 */
export type KillOn = 'ready' | 'recorded' | 'unknown' | 'any-step' | 'succeeded';

export interface KillPoint {
  on: KillOn;
  afterMs: number;
}

export interface FaultVariant {
  name: string;
  spec: (rng: Rng) => FaultSpec;
  /** Kill moments this fault makes interesting; `ready` (random) is always possible besides. */
  aim: (rng: Rng, spec: FaultSpec) => KillPoint;
}

const soon = (rng: Rng, on: KillOn, max = 10): KillPoint => ({ on, afterMs: rng.int(0, max) });

export const FAULT_VARIANTS: readonly FaultVariant[] = [
  {
    name: 'delay',
    // The request is held at the sandbox and still processed after the daemon dies.
    spec: (rng) => ({ kind: 'delay', ms: rng.int(400, 3_000), method: 'pay' }),
    aim: (rng, spec) => ({ on: 'recorded', afterMs: rng.int(20, spec.kind === 'delay' ? spec.ms : 400) }),
  },
  {
    name: 'reset-before',
    spec: () => ({ kind: 'reset-before', method: 'pay' }),
    aim: (r) => soon(r, 'any-step'),
  },
  {
    name: 'reset-after',
    spec: () => ({ kind: 'reset-after', method: 'pay' }),
    aim: (r) => soon(r, 'unknown'),
  },
  { name: 'http-502', spec: () => ({ kind: 'http-502', method: 'pay' }), aim: (r) => soon(r, 'any-step') },
  {
    name: 'http-502-after',
    spec: () => ({ kind: 'http-502', after: true, method: 'pay' }),
    aim: (r) => soon(r, 'unknown'),
  },
  { name: 'html', spec: () => ({ kind: 'html', method: 'pay' }), aim: (r) => soon(r, 'unknown', 300) },
  { name: 'truncated', spec: () => ({ kind: 'truncated', method: 'pay' }), aim: (r) => soon(r, 'unknown') },
  { name: 'isp', spec: () => ({ kind: 'isp', method: 'pay' }), aim: (r) => soon(r, 'any-step', 300) },
  {
    name: 'isp-after',
    spec: () => ({ kind: 'isp', after: true, method: 'pay' }),
    aim: (r) => soon(r, 'unknown'),
  },
  {
    name: 'rate-limit',
    spec: (rng) => ({ kind: 'rate-limit', banSeconds: rng.int(1, 2), method: 'pay' }),
    // Killed while waiting out the ban, or just as the retried request goes.
    aim: (r) => soon(r, 'any-step', 2_000),
  },
  {
    name: 'pending-then',
    spec: (rng) => ({
      kind: 'pending-then',
      // Few polls: after a restart each one waits out the daemon's background backoff (5, 10, 20 s).
      polls: rng.int(0, 2),
      outcome: rng.chance(0.7) ? 'success' : 'fail',
    }),
    aim: (r) => soon(r, 'unknown', 1_500),
  },
];

export interface CyclePlan {
  variant: string;
  faults: FaultSpec[];
  kill: KillPoint;
  /** Killed anyway this long after `agent ready` when the aimed moment never comes. */
  fallbackMs: number;
}

export function planCycles(count: number, rng: Rng): CyclePlan[] {
  const order = rng.shuffle(FAULT_VARIANTS);
  return Array.from({ length: count }, (_, i) => {
    const variant = order[i % order.length];
    if (variant === undefined) throw new Error('no fault variants');
    const spec = variant.spec(rng);
    const roll = rng.next();
    // A quarter pure random, a few right after the intent commit, the rest aimed by the fault;
    // receipts are hit by `succeeded` kills, which only the clean sales of a cycle reach.
    const kill: KillPoint =
      roll < 0.25
        ? { on: 'ready', afterMs: rng.int(0, 4_000) }
        : roll < 0.35
          ? soon(rng, 'recorded', 5)
          : roll < 0.5
            ? { on: 'succeeded', afterMs: rng.int(0, 25) }
            : variant.aim(rng, spec);
    return { variant: variant.name, faults: [spec], kill, fallbackMs: 5_000 };
  });
}

/**
 * Demo-table codes, dealt from a shuffled deck of every kind (paid at once, declined, pending then
 * paid, pending then failed; paid at once three times over), so any six sales in a row hold each
 * kind once at least: a short run, or a personality where every sale is slow, still meets them all.
 */
const DECK = ['paid', 'paid', 'paid', 'declined', 'pending-paid', 'pending-failed'] as const;

export class CodeMaker {
  #n = 0;
  readonly #prefix: string;
  #deck: (typeof DECK)[number][] = [];

  constructor(rng: Rng) {
    // Per-run digits keep codes unique even when two runs share a sandbox.
    this.#prefix = String(rng.int(100, 999));
  }

  next(rng: Rng): string {
    this.#n += 1;
    const serial = `${this.#prefix}${String(this.#n).padStart(7, '0')}`;
    if (this.#deck.length === 0) this.#deck = rng.shuffle(DECK);
    switch (this.#deck.pop() ?? 'paid') {
      case 'declined':
        return `F${serial}${rng.int(10, 99)}`;
      case 'pending-paid':
        return `28${serial}0000`;
      case 'pending-failed':
        return `28${serial}9999`;
      case 'paid':
        // 28 + 16 digits, never ending in 0000 or 9999 (those rows come first in the sandbox table).
        return `28${serial}${rng.int(1000, 9999)}${rng.int(11, 98)}`;
    }
  }
}

/** Script lines for one sale: a preset (39, 299, 5 or 6.50 yuan), then the scan. */
export function saleLines(rng: Rng, code: string): string {
  return `key ${rng.pick(['A', 'B', 'C', 'D'])}\nscan ${code}\n`;
}
