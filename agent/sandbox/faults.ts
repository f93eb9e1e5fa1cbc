/**
 * Fault injection: the network and gateway failures a kiosk meets in the field, on demand, so the
 * client's retry and money-safety rules are tested against a real socket rather than a mock.
 *
 * A fault applies to the next `times` matching requests (default 1), or to every one while
 * `persistent` is set (the default for `skew`, which is a state of the server's clock). `method`
 * limits it to xpos.pay or xpos.querystatus calls. Per request, at most one fault of each group
 * applies, the oldest first: one `skew`, one `delay`, and one disposition (every other kind).
 * `pending-then` is consumed only by a request that creates a new payment.
 *
 * | kind           | effect                                                                      |
 * |----------------|-----------------------------------------------------------------------------|
 * | `delay`        | wait `ms` before processing (the request is still processed if the client gave up) |
 * | `reset-before` | TCP reset after reading the request, before processing: nothing charged     |
 * | `reset-after`  | process (and charge), then TCP reset without answering                      |
 * | `http-502`     | HTTP 502 from a proxy; `after: true` processes (and charges) first          |
 * | `html`         | HTTP 200 with a captive-portal HTML page; not processed                     |
 * | `truncated`    | process, then send the first half of the real reply (a complete HTTP message) |
 * | `isp`          | code 15 `isp.top-remote-connection-timeout`; `after: true` charges first    |
 * | `rate-limit`   | code 7 `accesscontrol.limited-by-app-access-count`, ban of `banSeconds` (2) |
 * | `pending-then` | the next payment reports pending for `polls` queries/replays, then `outcome` |
 * | `skew`         | the server clock runs `ms` ahead (negative: behind): code 31 and `Date`     |
 */
import { z } from 'zod';

const common = {
  /** How many matching requests this fault hits (default 1). */
  times: z.number().int().positive().optional(),
  /** Hit every matching request until cleared. */
  persistent: z.boolean().optional(),
  /** Only xpos.pay (`pay`) or xpos.querystatus (`query`) requests; default any. */
  method: z.enum(['pay', 'query']).optional(),
};
const after = { after: z.boolean().optional() };

export const faultSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('delay'), ms: z.number().int().min(0).max(600_000), ...common }),
  z.strictObject({ kind: z.literal('reset-before'), ...common }),
  z.strictObject({ kind: z.literal('reset-after'), ...common }),
  z.strictObject({ kind: z.literal('http-502'), ...after, ...common }),
  z.strictObject({ kind: z.literal('html'), ...common }),
  z.strictObject({ kind: z.literal('truncated'), ...common }),
  z.strictObject({ kind: z.literal('isp'), ...after, ...common }),
  z.strictObject({
    kind: z.literal('rate-limit'),
    banSeconds: z.number().int().positive().optional(),
    ...common,
  }),
  z.strictObject({
    kind: z.literal('pending-then'),
    /** Queries/replays that still see PROCESSING; the next one sees the outcome. */
    polls: z.number().int().min(0).max(1000),
    outcome: z.enum(['success', 'fail']),
    ...common,
    // Only a payment can be held pending.
    method: z.literal('pay').optional(),
  }),
  z.strictObject({ kind: z.literal('skew'), ms: z.number().int(), ...common }),
]);

export type FaultSpec = z.input<typeof faultSpecSchema>;
export type FaultKind = FaultSpec['kind'];
export type FaultMethod = 'pay' | 'query';
type Parsed = z.output<typeof faultSpecSchema>;

const DISPOSITION_KINDS = [
  'reset-before',
  'reset-after',
  'http-502',
  'html',
  'truncated',
  'isp',
  'rate-limit',
] as const;
export type DispositionFault = Extract<Parsed, { kind: (typeof DISPOSITION_KINDS)[number] }>;
export type PendingThenFault = Extract<Parsed, { kind: 'pending-then' }>;

/** What the faults say about one request. */
export interface RequestFaults {
  skewMs: number;
  delayMs: number;
  disposition?: DispositionFault;
}

export interface ActiveFault {
  spec: Parsed;
  /** Requests still to hit; `null` while persistent (JSON has no Infinity). */
  remaining: number | null;
}

/** Check a fault given as JSON (the HTTP control route) or by a caller; the message lists every problem. */
export function parseFault(input: unknown): { ok: true; spec: Parsed } | { ok: false; message: string } {
  const result = faultSpecSchema.safeParse(input);
  return result.success
    ? { ok: true, spec: result.data }
    : { ok: false, message: z.prettifyError(result.error) };
}

export class FaultControl {
  readonly #active: ActiveFault[] = [];

  /** Queue a fault. Throws a TypeError naming the problem when the spec is invalid. */
  inject(spec: FaultSpec): void {
    const parsed = parseFault(spec);
    if (!parsed.ok) throw new TypeError(`invalid sandbox fault: ${parsed.message}`);
    const s = parsed.spec;
    const persistent = s.persistent ?? (s.kind === 'skew' && s.times === undefined);
    this.#active.push({ spec: s, remaining: persistent ? null : (s.times ?? 1) });
  }

  /** Remove every fault, including a clock skew. */
  clear(): void {
    this.#active.length = 0;
  }

  /** The faults still waiting, oldest first (a copy). */
  list(): ActiveFault[] {
    return this.#active.map((f) => ({ spec: { ...f.spec }, remaining: f.remaining }));
  }

  /** Consume the faults that hit a request for `method` (undefined when the method is not pay/query). */
  take(method: FaultMethod | undefined): RequestFaults {
    const out: RequestFaults = {
      skewMs: this.#consume(['skew'], method)?.ms ?? 0,
      delayMs: this.#consume(['delay'], method)?.ms ?? 0,
    };
    const disposition = this.#consume(DISPOSITION_KINDS, method);
    if (disposition !== undefined) out.disposition = disposition;
    return out;
  }

  /** The server clock offset right now, without consuming anything (for the `Date` of control replies). */
  peekSkewMs(): number {
    for (const f of this.#active) if (f.spec.kind === 'skew') return f.spec.ms;
    return 0;
  }

  /** Consume a `pending-then` for a payment being created now. */
  takePendingThen(): PendingThenFault | undefined {
    return this.#consume(['pending-then'], 'pay');
  }

  #consume<K extends FaultKind>(
    kinds: readonly K[],
    method: FaultMethod | undefined,
  ): Extract<Parsed, { kind: K }> | undefined {
    const hits = (s: Parsed): s is Extract<Parsed, { kind: K }> =>
      (kinds as readonly FaultKind[]).includes(s.kind) && (s.method === undefined || s.method === method);
    const index = this.#active.findIndex((f) => hits(f.spec));
    const fault = this.#active[index];
    if (fault === undefined || !hits(fault.spec)) return undefined;
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.#active.splice(index, 1);
    }
    return fault.spec;
  }
}
