/**
 * The lifecycle bookkeeping every driver shares: its DeviceStatus, when a change is worth a 'state'
 * event and a log line, start-once / close-once, and the single pending reopen on the backoff timer.
 * Composed into each driver (they already extend EventEmitter), which keeps the device-specific part:
 * opening, reading, and deciding which state it is in.
 */
import type { Logger } from 'pino';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { DeviceState, DeviceStatus } from './device.js';
import { realTimers, type Timers } from './gpio/types.js';

export type LogFields = Record<string, unknown>;

export interface DeviceStateOptions {
  /** The device name in the status ('scanner', 'keypad', …). */
  name: string;
  /** The driver's own child logger. */
  log: Logger;
  /** Called with a copy of the status on every change the kiosk should hear about. */
  emit: (status: DeviceStatus) => void;
  /** The detail before start(); default 'not started'. */
  initialDetail?: string;
  /** Logged at info on the change to online. */
  onlineMessage: string;
  /** Logged at warn, with the state and detail, on the change to offline or absent. */
  unavailableMessage: string | ((state: DeviceState) => string);
  /** On every state line, e.g. the path. */
  logFields?: LogFields;
  /**
   * What a new detail for an unchanged state does beyond updating the status: nothing ('quiet', the
   * default), an info line "<name> still <state>" ('log'), or a 'state' event like a change ('emit').
   */
  detailChange?: 'quiet' | 'log' | 'emit';
  backoff?: BackoffOptions | undefined;
  /** Tests pass a virtual clock; default the global timers. */
  timers?: Timers | undefined;
}

export interface SetOptions {
  /** Extra fields on the line this change logs (e.g. the pins when coming online). */
  fields?: LogFields;
  /** With detailChange 'emit': this new detail is not news (a retry failing for another errno). */
  quiet?: boolean;
}

export class DeviceStateKeeper {
  readonly #name: string;
  readonly #log: Logger;
  readonly #emit: (status: DeviceStatus) => void;
  readonly #onlineMessage: string;
  readonly #unavailableMessage: (state: DeviceState) => string;
  readonly #logFields: LogFields;
  readonly #detailChange: 'quiet' | 'log' | 'emit';
  readonly #backoff: Backoff;
  readonly #timers: Timers;
  #status: DeviceStatus;
  /** The first report after start() is always announced, even 'absent' over the initial 'absent'. */
  #announced = false;
  #everOnline = false;
  #started = false;
  #closed = false;
  #retry: unknown;

  constructor(opts: DeviceStateOptions) {
    this.#name = opts.name;
    this.#log = opts.log;
    this.#emit = opts.emit;
    this.#onlineMessage = opts.onlineMessage;
    const unavailable = opts.unavailableMessage;
    this.#unavailableMessage = typeof unavailable === 'string' ? () => unavailable : unavailable;
    this.#logFields = opts.logFields ?? {};
    this.#detailChange = opts.detailChange ?? 'quiet';
    this.#backoff = new Backoff(opts.backoff);
    this.#timers = opts.timers ?? realTimers;
    this.#status = { device: opts.name, state: 'absent', detail: opts.initialDetail ?? 'not started' };
  }

  status(): DeviceStatus {
    return { ...this.#status };
  }

  get state(): DeviceState {
    return this.#status.state;
  }

  /** 'absent' until the device has been online once, then 'offline': "never plugged in" vs "pulled out". */
  get unavailable(): 'offline' | 'absent' {
    return this.#everOnline ? 'offline' : 'absent';
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Reopen attempts since the backoff was last reset. */
  get attempt(): number {
    return this.#backoff.attempt;
  }

  /** True exactly once, for the first start() before any close(): the caller then opens the device. */
  begin(): boolean {
    if (this.#started || this.#closed) return false;
    this.#started = true;
    return true;
  }

  /** Idempotent: no more retries and no more reports. */
  close(): void {
    this.#closed = true;
    this.cancelRetry();
  }

  /**
   * Records the status; emits and logs when the state changes (and on the first report). Returns
   * whether the status changed at all. After close() it does nothing: a closed device reports nothing.
   */
  set(state: DeviceState, detail?: string, opts: SetOptions = {}): boolean {
    if (this.#closed) return false;
    const prev = this.#status;
    this.#status = { device: this.#name, state, ...(detail !== undefined && { detail }) };
    if (state === 'online') this.#everOnline = true;
    if (this.#announced && prev.state === state) {
      if (prev.detail === detail) return false;
      if (this.#detailChange === 'log') {
        this.#log.info({ ...this.#logFields, state, detail }, `${this.#name} still ${state}`);
      }
      if (this.#detailChange !== 'emit' || opts.quiet === true) return true;
    }
    this.#announced = true;
    if (state === 'online') this.#log.info({ ...this.#logFields, ...opts.fields }, this.#onlineMessage);
    else {
      const fields = { ...this.#logFields, state, detail, ...opts.fields };
      this.#log.warn(fields, this.#unavailableMessage(state));
    }
    this.#emit(this.status());
    return true;
  }

  /** Runs `fn` after the next backoff delay; a retry already pending (or a closed device) wins. */
  scheduleRetry(fn: () => void): void {
    if (this.#closed || this.#retry !== undefined) return;
    this.#retry = this.#timers.setTimeout(() => {
      this.#retry = undefined;
      fn();
    }, this.#backoff.next());
  }

  cancelRetry(): void {
    if (this.#retry !== undefined) this.#timers.clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  /** The device is back for good: the next failure retries quickly again. */
  resetBackoff(): void {
    this.#backoff.reset();
  }
}

/** A device error as the one-line detail a status carries. */
export function detailOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
