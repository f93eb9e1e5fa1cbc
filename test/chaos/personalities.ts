/**
 * The crash harness once per sandbox personality: a fresh sandbox child and a fresh daemon state
 * directory each, then one line per personality and a total over the safe ones.
 *
 * `no-dedup` charges again whatever the daemon does (a replay within the lag is a new payment), so
 * it is run and its figures are always printed, but it is left out of the total that decides.
 */
import {
  PERSONALITY_NAMES,
  isPersonalityName,
  type Personality,
  type PersonalityName,
} from '../../agent/sandbox/personality.js';
import { runChaos, type ChaosOptions, type ChaosResult } from './harness.js';
import { summaryLine, sumSummaries, type Summary } from './verify.js';

export interface ChaosPersonality {
  spec: Personality;
  /** A gateway no client can be safe against: reported, never in the total. */
  unsafe: boolean;
}

/**
 * Every param spelled out, so the run says exactly what it met. The daemon's request timeout in
 * the harness is 3 s (daemon.ts): `slowReplyMs` is far beyond it, so every call of a slow phase is
 * processed (and charged) and then lost to the daemon; phases of 4 s cut through a kill cycle.
 */
export const CHAOS_PERSONALITIES: readonly ChaosPersonality[] = [
  { spec: { personality: 'today' }, unsafe: false },
  { spec: { personality: 'replay-completes' }, unsafe: false },
  { spec: { personality: 'query-completes', queryPolls: 3 }, unsafe: false },
  { spec: { personality: 'replay-declines-used' }, unsafe: false },
  {
    spec: { personality: 'slow', slowPhaseMs: 4000, normalPhaseMs: 4000, slowReplyMs: 30_000 },
    unsafe: false,
  },
  { spec: { personality: 'no-dedup', dedupLagMs: 60_000 }, unsafe: true },
];

/**
 * For short runs (`make test`): as `make chaos` runs them, with two changes for a short settle: query-completes answers
 * PROCESSING once before the query that completes it, and slow phases are 2 s in every 7 s, a cycle
 * that a backoff of 5, 10, 20, 40 s does not keep hitting in the same phase (4 s in 8 s can: a sale
 * whose every check lands in a slow phase stays open past any short settle).
 */
export const SHORT_RUN_PERSONALITIES: readonly ChaosPersonality[] = CHAOS_PERSONALITIES.map(
  (p): ChaosPersonality => {
    switch (p.spec.personality) {
      case 'query-completes':
        return { ...p, spec: { ...p.spec, queryPolls: 1 } };
      case 'slow':
        return { ...p, spec: { ...p.spec, slowPhaseMs: 2000, normalPhaseMs: 5000 } };
      case 'today':
      case 'replay-completes':
      case 'replay-declines-used':
      case 'no-dedup':
        return p;
    }
  },
);

/** `CHAOS_PERSONALITIES=a,b` (empty or unset: all), in the table's order. */
export function selectPersonalities(list: string | undefined): ChaosPersonality[] {
  if (list === undefined || list.trim() === '') return [...CHAOS_PERSONALITIES];
  const names = list.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !isPersonalityName(n));
  if (unknown.length > 0) {
    throw new RangeError(
      `CHAOS_PERSONALITIES: unknown ${unknown.join(', ')}; one of: ${PERSONALITY_NAMES.join(', ')}`,
    );
  }
  return CHAOS_PERSONALITIES.filter((p) => names.includes(p.spec.personality));
}

export interface PersonalityRun {
  personality: PersonalityName;
  spec: Personality;
  unsafe: boolean;
  result: ChaosResult;
}

/**
 * Run each personality; one after another, or all at once (`parallel`, for the short run in
 * `make test`: each has its own sandbox and state, so they cannot meet).
 */
export async function runPersonalities(
  chosen: readonly ChaosPersonality[],
  o: Omit<ChaosOptions, 'personality' | 'out'> & { parallel: boolean; out: (line: string) => void },
): Promise<PersonalityRun[]> {
  const one = async (p: ChaosPersonality): Promise<PersonalityRun> => {
    const name = p.spec.personality;
    const result = await runChaos({ ...o, personality: p.spec, out: (line) => o.out(`${name}: ${line}`) });
    return { personality: name, spec: p.spec, unsafe: p.unsafe, result };
  };
  if (o.parallel) return Promise.all(chosen.map(one));
  const runs: PersonalityRun[] = [];
  for (const p of chosen) runs.push(await one(p));
  return runs;
}

export const UNSAFE_SUFFIX = ' UNSAFE (reported, not in total)';

export interface Report {
  /** One per personality, in order, then the total: the lines `make chaos` ends with. */
  lines: string[];
  total: Summary;
  /** Nothing charged twice, lost, or with a wrong status in the total. */
  ok: boolean;
}

export function report(runs: readonly PersonalityRun[]): Report {
  const lines = runs.map(
    (r) => `personality=${r.personality} ${summaryLine(r.result)}${r.unsafe ? UNSAFE_SUFFIX : ''}`,
  );
  const total = sumSummaries(runs.filter((r) => !r.unsafe).map((r) => r.result));
  lines.push(`total ${summaryLine(total)}`);
  return { lines, total, ok: total.duplicates === 0 && total.lost === 0 && total.wrongStatus === 0 };
}
