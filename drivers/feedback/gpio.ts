import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { BackoffOptions } from '../backoff.js';
import type { DeviceStatus } from '../device.js';
import { DeviceError, DeviceErrorCode } from '../device-error.js';
import { DeviceStateKeeper, detailOf } from '../device-state.js';
import { realTimers, type Bit, type GpioChip, type GpioLine, type Timers } from '../gpio/types.js';
import type { Feedback, FeedbackPattern } from './types.js';

export interface GpioFeedbackOptions {
  /** BCM pin of an active buzzer (one with its own oscillator: on/off only, no PWM). */
  buzzer?: number;
  green?: number;
  red?: number;
  /** The outputs switch on at LOW (e.g. a PNP driver or a low-side relay board). Applies to all. */
  activeLow?: boolean;
  chip: () => Promise<GpioChip>;
  log: Logger;
  backoff?: BackoffOptions;
  /** Tests pass a virtual clock; default the global timers. */
  timers?: Timers;
}

export type FeedbackOutput = 'buzzer' | 'green' | 'red';

export interface PatternStep {
  /** ms from the start of the pattern (or of the cycle, for a looping one). */
  at: number;
  set: Partial<Record<FeedbackOutput, Bit>>;
}

export interface PatternTimeline {
  steps: PatternStep[];
  /** Repeat every `period` ms until the next signal; without it the pattern plays once. */
  period?: number;
}

/**
 * Told apart by ear and by colour, with nobody reading the screen: a click, two happy chirps with
 * green, one long buzz with red, a slow green blink while the payment is checked, a fast red blink
 * while a device is away, one plain 150 ms beep for "seen, but not now", and three quick beeps with
 * red left on when someone should look.
 * Steady and blinking states last until the next signal.
 */
export const PATTERNS: Readonly<Record<FeedbackPattern, PatternTimeline>> = {
  key: { steps: [
    { at: 0, set: { buzzer: 1 } },
    { at: 20, set: { buzzer: 0 } },
  ] },
  success: { steps: [
    { at: 0, set: { buzzer: 1, green: 1 } },
    { at: 80, set: { buzzer: 0 } },
    { at: 160, set: { buzzer: 1 } },
    { at: 240, set: { buzzer: 0 } },
    { at: 2000, set: { green: 0 } },
  ] },
  failure: { steps: [
    { at: 0, set: { buzzer: 1, red: 1 } },
    { at: 600, set: { buzzer: 0 } },
    { at: 2000, set: { red: 0 } },
  ] },
  pending: { period: 1000, steps: [
    { at: 0, set: { green: 1 } },
    { at: 500, set: { green: 0 } },
  ] },
  offline: { period: 500, steps: [
    { at: 0, set: { red: 1 } },
    { at: 250, set: { red: 0 } },
  ] },
  busy: { steps: [
    { at: 0, set: { buzzer: 1 } },
    { at: 150, set: { buzzer: 0 } },
  ] },
  attention: { steps: [
    { at: 0, set: { red: 1, buzzer: 1 } },
    { at: 60, set: { buzzer: 0 } },
    { at: 120, set: { buzzer: 1 } },
    { at: 180, set: { buzzer: 0 } },
    { at: 240, set: { buzzer: 1 } },
    { at: 300, set: { buzzer: 0 } },
  ] },
}; // prettier-ignore

const OUTPUTS: readonly FeedbackOutput[] = ['buzzer', 'green', 'red'];

/**
 * Buzzer and LEDs on GPIO, played as small timelines. Fire and forget: `signal()` never throws and
 * never waits; a new signal cuts the running one short (all outputs off first). A failed write is
 * logged once, the lines are dropped and reopened with backoff, and signals meanwhile go nowhere.
 */
export class GpioFeedback extends EventEmitter implements Feedback {
  readonly name = 'feedback';
  readonly #pins: Partial<Record<FeedbackOutput, number>>;
  readonly #activeLow: boolean;
  readonly #chip: () => Promise<GpioChip>;
  readonly #log: Logger;
  readonly #state: DeviceStateKeeper;
  readonly #timers: Timers;
  #lines: Partial<Record<FeedbackOutput, GpioLine>> = {};
  #online = false;
  #stepTimer: unknown;

  constructor(opts: GpioFeedbackOptions) {
    super();
    const pins: Partial<Record<FeedbackOutput, number>> = {};
    for (const out of OUTPUTS) {
      const pin = opts[out];
      if (pin !== undefined) pins[out] = pin;
    }
    const list = Object.values(pins);
    const bad = (msg: string): DeviceError => new DeviceError(DeviceErrorCode.Unsupported, 'feedback', msg);
    if (list.length === 0) throw bad('no buzzer or LED pin configured');
    if (list.some((p) => !Number.isInteger(p) || p < 0)) throw bad('pins must be BCM numbers');
    if (new Set(list).size !== list.length) throw bad('a pin is used twice');
    this.#pins = pins;
    this.#activeLow = opts.activeLow ?? false;
    this.#chip = opts.chip;
    this.#log = opts.log.child({ module: 'feedback' });
    this.#timers = opts.timers ?? realTimers;
    this.#state = new DeviceStateKeeper({
      name: this.name,
      log: this.#log,
      emit: (status) => this.emit('state', status),
      onlineMessage: 'feedback online',
      unavailableMessage: 'feedback unavailable: buzzer and LEDs off',
      backoff: opts.backoff,
      timers: this.#timers,
    });
  }

  status(): DeviceStatus {
    return this.#state.status();
  }

  async start(): Promise<void> {
    if (this.#state.begin()) await this.#connect();
  }

  signal(pattern: FeedbackPattern): void {
    if (this.#state.closed) return;
    this.#cancel();
    if (!this.#online) {
      this.#log.debug({ pattern }, 'feedback unavailable: signal dropped');
      return;
    }
    this.#allOff();
    this.#run(PATTERNS[pattern], 0);
  }

  close(): Promise<void> {
    if (this.#state.closed) return Promise.resolve();
    this.#state.close();
    this.#cancel();
    if (this.#online) this.#allOff();
    this.#release();
    return Promise.resolve();
  }

  async #connect(): Promise<void> {
    try {
      const chip = await this.#chip();
      if (this.#state.closed) return;
      // Open at the "off" level so nothing beeps or lights while the daemon starts.
      const off = this.#activeLow ? 'high' : 'low';
      for (const out of OUTPUTS) {
        const pin = this.#pins[out];
        if (pin !== undefined) this.#lines[out] = chip.open(pin, off);
      }
    } catch (e) {
      this.#release();
      if (this.#state.closed) return;
      this.#state.set(this.#state.unavailable, detailOf(e));
      this.#scheduleRetry();
      return;
    }
    this.#online = true;
    this.#state.resetBackoff();
    this.#state.set('online', undefined, { fields: { pins: this.#pins } });
  }

  #run(tl: PatternTimeline, i: number): void {
    this.#stepTimer = undefined;
    const step = tl.steps[i];
    if (step === undefined || !this.#online) return;
    for (const out of OUTPUTS) {
      const v = step.set[out];
      if (v !== undefined && !this.#write(out, v)) return;
    }
    const next = tl.steps[i + 1];
    let delay: number | undefined;
    let nextIndex = i + 1;
    if (next !== undefined) delay = next.at - step.at;
    else if (tl.period !== undefined) {
      delay = tl.period - step.at;
      nextIndex = 0;
    }
    if (delay === undefined) return;
    this.#stepTimer = this.#timers.setTimeout(() => {
      this.#run(tl, nextIndex);
    }, delay);
  }

  #cancel(): void {
    if (this.#stepTimer !== undefined) this.#timers.clearTimeout(this.#stepTimer);
    this.#stepTimer = undefined;
  }

  #allOff(): void {
    for (const out of OUTPUTS) if (!this.#write(out, 0)) return;
  }

  /** false when the write failed (and the lines are gone). */
  #write(out: FeedbackOutput, on: Bit): boolean {
    const line = this.#lines[out];
    if (line === undefined) return true;
    try {
      line.write(this.#activeLow ? ((1 - on) as Bit) : on);
      return true;
    } catch (e) {
      this.#writeFailed(e);
      return false;
    }
  }

  #writeFailed(e: unknown): void {
    this.#cancel();
    this.#release();
    if (this.#state.closed) return;
    // Logged once: the state keeper speaks only on the change to offline, and nothing is written until back.
    this.#state.set('offline', detailOf(e));
    this.#scheduleRetry();
  }

  #release(): void {
    this.#online = false;
    for (const out of OUTPUTS) this.#lines[out]?.release();
    this.#lines = {};
  }

  #scheduleRetry(): void {
    this.#state.scheduleRetry(() => void this.#connect());
  }
}
