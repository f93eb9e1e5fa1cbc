/**
 * Personalities: gateways that give the same demo-code outcomes (behaviour.ts) but differ in
 * idempotency and in how a pending payment completes. Every money test used to run against one
 * idea of the gateway, ours; a personality is another idea the real one may turn out to have, so
 * the daemon's exactly-once rules are proven against each of them rather than against our guess.
 *
 * | name                   | behaviour                                                  | params (default)       |
 * |------------------------|------------------------------------------------------------|------------------------|
 * | `today`                | dedup by request_id; …0000/…9999 pending for `pendingMs`,  | —                      |
 * |                        | then resolved by time                                      |                        |
 * | `replay-completes`     | every new payment answers pending; querystatus says        | —                      |
 * |                        | PROCESSING for ever; the identical pay sent again (same    |                        |
 * |                        | request_id and param0) completes it with the code's        |                        |
 * |                        | outcome and answers the final status                       |                        |
 * | `query-completes`      | every new payment answers pending; after `queryPolls`      | `queryPolls` (3)       |
 * |                        | queries saw PROCESSING the next query completes it;        |                        |
 * |                        | replays answer its current state and never count           |                        |
 * | `replay-declines-used` | like today, but an identical replay of a payment that      | —                      |
 * |                        | already SUCCEEDED answers a decline (result_status 2,      |                        |
 * |                        | PAY_CODE_USED, same checkout_id); querystatus still says   |                        |
 * |                        | SUCCEEDED; nothing is charged again                        |                        |
 * | `slow`                 | on the sandbox clock, a slow phase of `slowPhaseMs` then a | `slowPhaseMs` (4000)   |
 * |                        | normal phase of `normalPhaseMs`, repeating from when the   | `normalPhaseMs` (4000) |
 * |                        | personality was set; in the slow phase every TOP call is   | `slowReplyMs` (30000)  |
 * |                        | processed (and charged) at once but its reply is held      |                        |
 * |                        | `slowReplyMs`; otherwise like today                        |                        |
 * | `no-dedup`             | a pay whose request_id was first seen less than            | `dedupLagMs` (60000)   |
 * |                        | `dedupLagMs` ago makes a NEW payment (new checkout_id and  |                        |
 * |                        | biz_order_id): a replay of a paid one charges again; after |                        |
 * |                        | the lag a replay answers the latest payment                |                        |
 *
 * A payment keeps the personality it was created with (the idempotency and completion rules are
 * the service's, fixed when it took the order). `slow` is about the gateway in front of the
 * service, so its held replies follow the current personality, for every call.
 */
import { z } from 'zod';

export const PERSONALITY_NAMES = [
  'today',
  'replay-completes',
  'query-completes',
  'replay-declines-used',
  'slow',
  'no-dedup',
] as const;
export type PersonalityName = (typeof PERSONALITY_NAMES)[number];

const ms = z.number().int().min(0).max(3_600_000);
const phaseMs = z.number().int().min(1).max(3_600_000);

export const personalitySchema = z.discriminatedUnion('personality', [
  z.strictObject({ personality: z.literal('today') }),
  z.strictObject({ personality: z.literal('replay-completes') }),
  z.strictObject({
    personality: z.literal('query-completes'),
    queryPolls: z.number().int().min(0).max(1000).default(3),
  }),
  z.strictObject({ personality: z.literal('replay-declines-used') }),
  z.strictObject({
    personality: z.literal('slow'),
    slowPhaseMs: phaseMs.default(4000),
    normalPhaseMs: phaseMs.default(4000),
    slowReplyMs: ms.default(30_000),
  }),
  z.strictObject({ personality: z.literal('no-dedup'), dedupLagMs: ms.default(60_000) }),
]);

/** As given: a name and any of its params. */
export type PersonalitySpec = z.input<typeof personalitySchema>;
/** With every param filled in; also the body of `GET /_sandbox/personality`. */
export type Personality = z.output<typeof personalitySchema>;

export function isPersonalityName(name: string): name is PersonalityName {
  return (PERSONALITY_NAMES as readonly string[]).includes(name);
}

export function unknownPersonalityMessage(name: string): string {
  return `unknown personality "${name}"; one of: ${PERSONALITY_NAMES.join(', ')}`;
}

/** Check a personality given as JSON or by a caller; the message names the problem. */
export function parsePersonality(
  input: unknown,
): { ok: true; value: Personality } | { ok: false; message: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, message: 'expected a JSON object { "personality": NAME, ...params }' };
  }
  const name: unknown = (input as Record<string, unknown>)['personality'];
  if (typeof name !== 'string') return { ok: false, message: '"personality" (a string) is required' };
  if (!isPersonalityName(name)) return { ok: false, message: unknownPersonalityMessage(name) };
  const result = personalitySchema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, message: z.prettifyError(result.error) };
}

/** A name alone or a spec; throws a TypeError naming the problem (for in-process callers). */
export function toPersonality(input: PersonalityName | PersonalitySpec): Personality {
  const parsed = parsePersonality(typeof input === 'string' ? { personality: input } : input);
  if (!parsed.ok) throw new TypeError(`invalid sandbox personality: ${parsed.message}`);
  return parsed.value;
}

/**
 * How a new payment made under `p` waits for its outcome when the personality decides it: held
 * pending until `polls` calls of kind `on` have seen PROCESSING, completed by the next one.
 * Undefined: today's way (final at once, or pending for a time for the pending demo codes).
 */
export function completion(p: Personality): { on: 'query' | 'replay'; polls: number } | undefined {
  switch (p.personality) {
    case 'replay-completes':
      return { on: 'replay', polls: 0 };
    case 'query-completes':
      return { on: 'query', polls: p.queryPolls };
    case 'today':
    case 'replay-declines-used':
    case 'slow':
    case 'no-dedup':
      return undefined;
  }
}

/**
 * What an identical replay gets, by the personality its request_id was first seen under:
 * `same` the payment already made (today), `new-payment` another payment under the same ids,
 * `code-used` a decline that says the code was spent (by that very payment).
 */
export function replayAnswer(
  p: Personality,
  firstSeenMs: number,
  nowMs: number,
  succeeded: boolean,
): 'same' | 'new-payment' | 'code-used' {
  switch (p.personality) {
    case 'no-dedup':
      return nowMs - firstSeenMs < p.dedupLagMs ? 'new-payment' : 'same';
    case 'replay-declines-used':
      return succeeded ? 'code-used' : 'same';
    case 'today':
    case 'replay-completes':
    case 'query-completes':
    case 'slow':
      return 'same';
  }
}

/** The sandbox's current personality, and when it was set (the slow phases count from then). */
export class PersonalityControl {
  readonly #now: () => number;
  #current: Personality;
  #sinceMs: number;

  constructor(initial: Personality, now: () => number) {
    this.#now = now;
    this.#current = initial;
    this.#sinceMs = now();
  }

  get current(): Personality {
    return this.#current;
  }

  /** Applies to payments created from now on. Throws a TypeError naming the problem. */
  set(input: PersonalityName | PersonalitySpec): Personality {
    this.#current = toPersonality(input);
    this.#sinceMs = this.#now();
    return this.#current;
  }

  /** How long the reply of a call processed now is held before it is sent (0: at once). */
  replyHoldMs(): number {
    const p = this.#current;
    if (p.personality !== 'slow') return 0;
    const cycle = p.slowPhaseMs + p.normalPhaseMs;
    // An injected clock may step back; the phase still follows it.
    const intoCycle = (((this.#now() - this.#sinceMs) % cycle) + cycle) % cycle;
    return intoCycle < p.slowPhaseMs ? p.slowReplyMs : 0;
  }
}
