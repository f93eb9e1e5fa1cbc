import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { isKeyName } from '../../config/keys.js';
import type { BackoffOptions } from '../backoff.js';
import type { DeviceStatus } from '../device.js';
import { DeviceError, DeviceErrorCode } from '../device-error.js';
import { DeviceStateKeeper, detailOf } from '../device-state.js';
import { realTimers, type GpioChip, type GpioLine, type Timers } from '../gpio/types.js';
import type { KeyName, Keypad } from './types.js';

export interface MatrixKeypadOptions {
  /** BCM numbers of the row lines (driven). */
  rows: number[];
  /** BCM numbers of the column lines (read). They need pull-ups, set in config.txt (`gpio=…=ip,pu`). */
  cols: number[];
  /** rows.length x cols.length: the key at each crossing. */
  layout: KeyName[][];
  /** Opened lazily in start(); a failure makes the keypad absent with the error's detail. */
  chip: () => Promise<GpioChip>;
  /** A key counts after reading identical this long. Default 20. */
  debounceMs?: number;
  /** Sampling period while a key is down. Default 5. */
  scanIntervalMs?: number;
  log: Logger;
  backoff?: BackoffOptions;
  /** Tests pass a virtual clock; default the global timers. */
  timers?: Timers;
}

export const LAYOUT_4X4: KeyName[][] = [
  ['1', '2', '3', 'A'],
  ['4', '5', '6', 'B'],
  ['7', '8', '9', 'C'],
  ['*', '0', '#', 'D'],
];

export const LAYOUT_4X3: KeyName[][] = [
  ['1', '2', '3'],
  ['4', '5', '6'],
  ['7', '8', '9'],
  ['*', '0', '#'],
];

/** More than one key down: a ghost candidate, never a key. */
const MULTI = 'multi';
/** Online this long before failing again means a fresh fault: retry quickly. */
const STABLE_ONLINE_MS = 10_000;

type Phase = 'stopped' | 'idle' | 'scanning';

/**
 * A membrane keypad wired straight to GPIO (hardware.md §2, "Matrix keypad scanning").
 *
 * Idle: every row is driven LOW and the columns (pulled up) wait for a falling-edge interrupt, so an
 * untouched keypad costs no CPU and no timer runs. An edge starts a scan: each row in turn is driven
 * LOW while the others are inputs (high-Z, so two keys in one column never short a HIGH row to a LOW
 * one), every `scanIntervalMs`. A sample must repeat unchanged for `debounceMs` to count: one key
 * down is emitted once; several keys down (a ghost, or a palm) emit nothing until every key is up.
 * Only a stable all-released sample ends the scan, which is also why a held key never repeats.
 */
export class MatrixKeypad extends EventEmitter implements Keypad {
  readonly name = 'keypad';
  readonly #rows: number[];
  readonly #cols: number[];
  readonly #layout: KeyName[][];
  readonly #chip: () => Promise<GpioChip>;
  readonly #interval: number;
  readonly #stableSamples: number;
  readonly #log: Logger;
  readonly #state: DeviceStateKeeper;
  readonly #timers: Timers;
  #rowLines: GpioLine[] = [];
  #colLines: GpioLine[] = [];
  #phase: Phase = 'stopped';
  /** Bumped on every teardown so callbacks from released lines and stale timers do nothing. */
  #gen = 0;
  #scanTimer: unknown;
  #candidate = '';
  #count = 0;
  /** A key (or ghost) was decided: nothing more until all keys are released. */
  #locked = false;
  #onlineAt = 0;

  constructor(opts: MatrixKeypadOptions) {
    super();
    validate(opts);
    this.#rows = [...opts.rows];
    this.#cols = [...opts.cols];
    this.#layout = opts.layout.map((r) => [...r]);
    this.#chip = opts.chip;
    this.#interval = opts.scanIntervalMs ?? 5;
    // Samples spanning debounceMs: at 20/5 the key is read at 0, 5, 10, 15 and 20 ms.
    this.#stableSamples = Math.ceil((opts.debounceMs ?? 20) / this.#interval) + 1;
    this.#log = opts.log.child({ module: 'keypad', backend: 'matrix' });
    this.#timers = opts.timers ?? realTimers;
    this.#state = new DeviceStateKeeper({
      name: this.name,
      log: this.#log,
      emit: (status) => this.emit('state', status),
      onlineMessage: 'keypad online',
      unavailableMessage: 'keypad unavailable',
      backoff: opts.backoff,
      timers: this.#timers,
    });
  }

  status(): DeviceStatus {
    return this.#state.status();
  }

  /** Resolves after the first attempt; a missing chip or pin is reported, not thrown. */
  async start(): Promise<void> {
    if (this.#state.begin()) await this.#connect();
  }

  close(): Promise<void> {
    if (this.#state.closed) return Promise.resolve();
    this.#state.close();
    this.#teardown();
    return Promise.resolve();
  }

  async #connect(): Promise<void> {
    try {
      const chip = await this.#chip();
      if (this.#state.closed) return;
      this.#openLines(chip);
      // Lines that export but cannot be read would flap online/offline: probe before saying online.
      for (const col of this.#colLines) col.read();
    } catch (e) {
      this.#teardown();
      if (this.#state.closed) return;
      this.#state.set(this.#state.unavailable, detailOf(e));
      this.#scheduleRetry();
      return;
    }
    this.#onlineAt = Date.now();
    this.#state.set('online');
    // A key held while we start (or stuck) must be released before it can count.
    this.#goIdle(true);
  }

  #openLines(chip: GpioChip): void {
    const gen = this.#gen;
    for (const pin of this.#rows) this.#rowLines.push(chip.open(pin, 'low'));
    for (const pin of this.#cols) this.#colLines.push(chip.open(pin, 'in', 'falling'));
    for (const col of this.#colLines) {
      col.watch((err) => {
        this.#onEdge(gen, err);
      });
    }
  }

  #onEdge(gen: number, err: Error | null | undefined): void {
    if (gen !== this.#gen || this.#state.closed) return;
    if (err) {
      this.#fail(err);
      return;
    }
    // While scanning, edges are echoes of our own row switching.
    if (this.#phase === 'idle') this.#beginScan(false);
  }

  #goIdle(lockIfHeld: boolean): void {
    try {
      for (const row of this.#rowLines) row.setDirection('low');
      this.#phase = 'idle';
      // A press between the last sample and the rows going LOW again may have raised no edge.
      if (this.#colLines.some((c) => c.read() === 0)) this.#beginScan(lockIfHeld);
    } catch (e) {
      this.#fail(e);
    }
  }

  #beginScan(locked: boolean): void {
    try {
      for (const row of this.#rowLines) row.setDirection('in');
    } catch (e) {
      this.#fail(e);
      return;
    }
    this.#phase = 'scanning';
    this.#candidate = '';
    this.#count = 0;
    this.#locked = locked;
    this.#scanTimer = this.#timers.setTimeout(() => {
      this.#tick();
    }, this.#interval);
  }

  #tick(): void {
    this.#scanTimer = undefined;
    const gen = this.#gen;
    let sample: string;
    try {
      sample = this.#sample();
    } catch (e) {
      this.#fail(e);
      return;
    }
    if (sample === this.#candidate) this.#count += 1;
    else {
      this.#candidate = sample;
      this.#count = 1;
    }
    if (this.#count === this.#stableSamples) {
      if (sample === '') {
        this.#goIdle(false);
        return;
      }
      if (!this.#locked) {
        this.#locked = true;
        if (sample === MULTI) this.#log.debug('several keys down: ignored until all are released');
        else this.#emitKey(sample);
        // A listener may have closed us.
        if (gen !== this.#gen || this.#state.closed) return;
      }
    }
    this.#scanTimer = this.#timers.setTimeout(() => {
      this.#tick();
    }, this.#interval);
  }

  /** '' when no key is down, 'r,c' for one key, MULTI for more. */
  #sample(): string {
    let found = '';
    let n = 0;
    this.#rowLines.forEach((row, r) => {
      row.setDirection('low');
      try {
        this.#colLines.forEach((col, c) => {
          if (col.read() === 0) {
            n += 1;
            found = `${r},${c}`;
          }
        });
      } finally {
        row.setDirection('in');
      }
    });
    return n > 1 ? MULTI : found;
  }

  #emitKey(at: string): void {
    const [r, c] = at.split(',').map(Number);
    const key = this.#layout[r ?? -1]?.[c ?? -1];
    if (key !== undefined) this.emit('key', key);
  }

  /** The lines are gone (EIO, watch error): drop them and come back with backoff. */
  #fail(e: unknown): void {
    if (this.#state.closed) return;
    this.#teardown();
    if (Date.now() - this.#onlineAt >= STABLE_ONLINE_MS) this.#state.resetBackoff();
    this.#state.set('offline', detailOf(e));
    this.#scheduleRetry();
  }

  #teardown(): void {
    this.#gen += 1;
    this.#phase = 'stopped';
    if (this.#scanTimer !== undefined) this.#timers.clearTimeout(this.#scanTimer);
    this.#scanTimer = undefined;
    for (const col of this.#colLines) {
      col.unwatchAll();
      col.release();
    }
    for (const row of this.#rowLines) {
      try {
        row.setDirection('in'); // leave nothing driven on the header
      } catch {
        // The line is already unusable; releasing it is all that is left.
      }
      row.release();
    }
    this.#rowLines = [];
    this.#colLines = [];
  }

  #scheduleRetry(): void {
    this.#state.scheduleRetry(() => void this.#connect());
  }
}

/** Wiring mistakes can never work: they throw at construction, before the kiosk starts. */
function validate(opts: MatrixKeypadOptions): void {
  const bad = (msg: string): DeviceError =>
    new DeviceError(DeviceErrorCode.Unsupported, 'keypad', msg, {
      hint: 'fix the keypad section of the config',
    });
  const pins = [...opts.rows, ...opts.cols];
  if (opts.rows.length === 0 || opts.cols.length === 0) throw bad('rows and cols must not be empty');
  if (pins.some((p) => !Number.isInteger(p) || p < 0)) throw bad('pins must be BCM numbers');
  if (new Set(pins).size !== pins.length) throw bad('a pin is used twice');
  if (opts.layout.length !== opts.rows.length || opts.layout.some((r) => r.length !== opts.cols.length)) {
    throw bad(`layout must be ${opts.rows.length}x${opts.cols.length} (rows x cols)`);
  }
  if (opts.layout.some((r) => r.some((k) => !isKeyName(k)))) throw bad('layout holds an unknown key');
  if (opts.scanIntervalMs !== undefined && !(opts.scanIntervalMs > 0))
    throw bad('scanIntervalMs must be > 0');
  if (opts.debounceMs !== undefined && !(opts.debounceMs >= 0)) throw bad('debounceMs must be >= 0');
}
