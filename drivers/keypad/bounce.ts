import { EventEmitter } from 'node:events';
import type { DeviceStatus } from '../device.js';
import type { KeyName, Keypad } from './types.js';

export interface BounceFilterOptions {
  /** The same key again within this window is contact bounce, not a second press. 0 = off. */
  windowMs: number;
  /** Monotonic milliseconds; tests pass a fake. Default `performance.now`. */
  now?: () => number;
}

/**
 * Contact bounce belongs to switches, so it is filtered on the hardware keypads only: a member's
 * real presses on a simulated keypad (or a scripted `key 1 0 0 0 0`) are never dropped.
 *
 * The matrix driver already debounces each press electrically; this window is the second line for
 * keypads whose own debounce is weak (cheap USB pads, a kernel matrix with a short
 * `debounce-delay-ms`): a repeat of the same key inside the window is no press at all, and does not
 * stretch the window. A window whose start lies in the future (a clock that stepped back) has ended.
 */
export class BounceFilter extends EventEmitter implements Keypad {
  readonly #inner: Keypad;
  readonly #windowMs: number;
  readonly #now: () => number;
  #last: { key: KeyName; at: number } | undefined;

  constructor(inner: Keypad, opts: BounceFilterOptions) {
    super();
    this.#inner = inner;
    this.#windowMs = opts.windowMs;
    this.#now = opts.now ?? (() => performance.now());
    inner.on('key', (key) => {
      this.#onKey(key);
    });
    inner.on('state', (status) => this.emit('state', status));
  }

  get name(): string {
    return this.#inner.name;
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  status(): DeviceStatus {
    return this.#inner.status();
  }

  #onKey(key: KeyName): void {
    const now = this.#now();
    const last = this.#last;
    if (last !== undefined && last.key === key) {
      const age = now - last.at;
      if (age >= 0 && age < this.#windowMs) return;
    }
    this.#last = { key, at: now };
    this.emit('key', key);
  }
}
