/**
 * A small seeded PRNG (mulberry32), so one seed replays the same plan of sales, faults and kill
 * points. Timing still varies from run to run (the daemon is a real process), so a replay hits the
 * same kinds of moments, not the same microseconds.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
}

export function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i -= 1) {
        const j = int(0, i);
        const [x, y] = [out[i], out[j]];
        if (x !== undefined && y !== undefined) [out[i], out[j]] = [y, x];
      }
      return out;
    },
  };
}

/** The seed from `CHAOS_SEED` when set (decimal), otherwise a fresh one; always printed by callers. */
export function chooseSeed(fromEnv: string | undefined): number {
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      throw new RangeError(`CHAOS_SEED=${fromEnv}: expected an integer 0..4294967295`);
    }
    return n;
  }
  return Math.floor(Math.random() * 0x100000000) >>> 0;
}
