/**
 * A per-test XposApi that answers from a script, for driving the payment lifecycle through every
 * outcome deterministically. Integration tests use the real client against the sandbox instead.
 */
import type { PayOutcome, PayRequest, QueryOutcome, QueryRequest, XposApi } from '../../agent/pay/types.js';

export type Answer = PayOutcome | ((req: PayRequest) => PayOutcome);

export class ScriptedApi implements XposApi {
  readonly payCalls: PayRequest[] = [];
  readonly queryCalls: QueryRequest[] = [];
  readonly #pay: Answer[];
  readonly #query: QueryOutcome[];
  onPay: ((req: PayRequest) => void) | undefined;

  constructor(pay: Answer[], query: QueryOutcome[] = []) {
    this.#pay = pay;
    this.#query = query;
  }

  pay(req: PayRequest): Promise<PayOutcome> {
    this.payCalls.push(structuredClone(req));
    this.onPay?.(req);
    const next = this.#pay.length > 1 ? this.#pay.shift() : this.#pay[0];
    if (next === undefined) throw new Error('script has no pay answer');
    return Promise.resolve(typeof next === 'function' ? next(req) : next);
  }

  queryStatus(req: QueryRequest): Promise<QueryOutcome> {
    this.queryCalls.push({ ...req });
    const next = this.#query.length > 1 ? this.#query.shift() : this.#query[0];
    if (next === undefined) throw new Error('script has no query answer');
    return Promise.resolve(next);
  }
}

/** Virtual time: `sleep` advances the clock instantly, so a 45 s wait costs nothing. */
export class VirtualClock {
  t = 1_764_000_000_000;
  readonly sleeps: number[] = [];
  now = (): number => this.t;
  sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
  };
}
