/**
 * The slice of onoff's `Gpio` the keypad and feedback drivers use, so they can run against a twin in
 * tests and against another backend later (sysfs GPIO is deprecated; see hardware.md §2).
 *
 * Failure contract: `read`, `write` and `setDirection` throw synchronously (an errno error, e.g.
 * EIO when the line vanished); `watch` callbacks receive an error instead. Callers treat either as
 * "the line is gone": release everything and reopen with backoff.
 */
export type Bit = 0 | 1;

export type Direction = 'in' | 'high' | 'low';
export type Edge = 'none' | 'rising' | 'falling' | 'both';

export interface GpioLine {
  /** The BCM number the caller asked for (not the sysfs number). */
  readonly pin: number;
  read(): Bit;
  write(v: Bit): void;
  /** 'high'/'low' switch to output at that level without a glitch; 'in' leaves the line high-Z. */
  setDirection(d: Direction): void;
  /** Edge interrupts as configured at open; the value is read when the interrupt is handled. */
  watch(cb: (err: Error | null | undefined, v: Bit) => void): void;
  unwatchAll(): void;
  /** Unwatch and unexport. Never throws: it runs on the way down after errors. */
  release(): void;
}

export interface GpioChip {
  readonly label: string;
  /** Throws a DeviceError naming the pin and the group needed when the line cannot be had. */
  open(bcm: number, dir: Direction, edge?: Edge): GpioLine;
}

/**
 * The time source of the GPIO drivers. Production uses the global timers; tests pass a virtual clock
 * so debounce and patterns are asserted in simulated milliseconds, never with real sleeps.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
