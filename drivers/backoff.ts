/**
 * Reopen delays for devices that come and go: quick at first (a cable re-seated), then slower so an
 * unplugged device does not cost CPU or flood the log. Jitter keeps two devices from retrying in step.
 */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** 0..1: each delay is scaled by a random factor in [1 - jitter, 1]. */
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(opts: BackoffOptions = {}) {
    this.#initial = opts.initialMs ?? 250;
    this.#max = opts.maxMs ?? 10_000;
    this.#factor = opts.factor ?? 2;
    this.#jitter = opts.jitter ?? 0.2;
    this.#random = opts.random ?? Math.random;
  }

  /** Attempts since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The next delay in ms; each call grows it until `maxMs`. */
  next(): number {
    const raw = Math.min(this.#max, this.#initial * this.#factor ** this.#attempt);
    this.#attempt += 1;
    return Math.round(raw * (1 - this.#jitter * this.#random()));
  }

  /** The device is back: the next failure starts from `initialMs` again. */
  reset(): void {
    this.#attempt = 0;
  }
}
