/**
 * A per-test XposApi that answers from a script, for driving the payment lifecycle through every
 * outcome deterministically. Integration tests use the real client against the sandbox instead.
 */
import type { Clocks } from '../../agent/clocks.js';
import type { PayOutcome, PayRequest, QueryOutcome, QueryRequest, XposApi } from '../../agent/pay/types.js';

export type Answer = PayOutcome | ((req: PayRequest) => PayOutcome);

export class ScriptedApi implements XposApi {
  readonly payCalls: PayRequest[] = [];
  readonly queryCalls: QueryRequest[] = [];
  /** Every call in order, by tool: `pay` (a send or replay) or `query`. */
  readonly calls: ('pay' | 'query')[] = [];
  readonly #pay: Answer[];
  readonly #query: QueryOutcome[];
  onPay: ((req: PayRequest) => void) | undefined;

  constructor(pay: Answer[], query: QueryOutcome[] = []) {
    this.#pay = pay;
    this.#query = query;
  }

  /** For a test that replaces `pay` or `queryStatus`: keeps the call lists true. */
  record(tool: 'pay', req: PayRequest): void;
  record(tool: 'query', req: QueryRequest): void;
  record(tool: 'pay' | 'query', req: PayRequest | QueryRequest): void {
    this.calls.push(tool);
    if (tool === 'pay') this.payCalls.push(structuredClone(req as PayRequest));
    else this.queryCalls.push({ ...(req as QueryRequest) });
  }

  pay(req: PayRequest): Promise<PayOutcome> {
    this.record('pay', req);
    this.onPay?.(req);
    const next = this.#pay.length > 1 ? this.#pay.shift() : this.#pay[0];
    if (next === undefined) throw new Error('script has no pay answer');
    return Promise.resolve(typeof next === 'function' ? next(req) : next);
  }

  queryStatus(req: QueryRequest): Promise<QueryOutcome> {
    this.record('query', req);
    const next = this.#query.length > 1 ? this.#query.shift() : this.#query[0];
    if (next === undefined) throw new Error('script has no query answer');
    return Promise.resolve(next);
  }
}

/**
 * Virtual time: `sleep` advances the clock instantly, so a 45 s wait costs nothing. `t` is the
 * monotonic time; `wallStep` moves only the wall clock, as NTP or a person setting the date would.
 */
export class VirtualClock {
  t = 1_764_000_000_000;
  wallStep = 0;
  readonly sleeps: number[] = [];
  /** The wall clock. */
  now = (): number => this.t + this.wallStep;
  mono = (): number => this.t;
  readonly clocks: Clocks = { wall: () => this.now(), mono: () => this.mono() };
  sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
  };
}
