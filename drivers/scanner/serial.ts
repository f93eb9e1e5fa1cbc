/**
 * The QR scanner on a serial line (USB CDC-ACM, USB-serial or the Pi's UART). Bytes go through a
 * capped line splitter and the framing rules; only a whole valid code becomes a `scan`. The port is
 * reopened with backoff after an unplug or read error, and a missing port at boot is reported, not
 * fatal: the daemon runs on and the scanner comes online when it is plugged in.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { OpenOptions, SerialPortStream } from '@serialport/stream';
import type { Logger } from 'pino';
import type { BackoffOptions } from '../backoff.js';
import { DeviceError, DeviceErrorCode, deviceErrorFromErrno } from '../device-error.js';
import { DeviceStateKeeper, detailOf } from '../device-state.js';
import type { DeviceStatus } from '../device.js';
import { maskCode } from '../mask.js';
import { LineValidator, RejectTally, decodeLossy, type RejectReason } from './framing.js';
import { LineSplitter, type SplitEvent } from './line-splitter.js';
import type { Scanner } from './types.js';
import { platformBinding, serialPortStream } from '../serial-binding.js';

export type { RejectReason } from './framing.js';

/** @serialport/bindings-interface's type, via @serialport/stream: its exports map hides it from NodeNext. */
export type BindingInterface = OpenOptions['binding'];

export interface SerialScannerOptions {
  /** Prefer /dev/serial/by-id/… or the udev symlink (/dev/xpos-scanner): ttyACMn can change on replug. */
  path: string;
  baudRate: number;
  /** What the scanner sends. Input is tolerant (CR, LF, CRLF all end a line: line-splitter.ts). */
  terminator: '\r' | '\n' | '\r\n';
  /** Required at the start of every line when set, and stripped; a line without it is a `framing` reject. */
  prefix?: string;
  /** Required at the end of every line when set, and stripped; a line without it is a `framing` reject. */
  suffix?: string;
  /** Code length after stripping. */
  minLength: number;
  maxLength: number;
  /** Whole-code test after stripping, e.g. /^[\x21-\x7e]+$/. */
  allowed: RegExp;
  /** A partial line older than this (no terminator) is noise and dropped. */
  staleMs?: number;
  log: Logger;
  /** Tests inject SerialPortMock.binding; production uses serialport's native binding. */
  binding?: BindingInterface;
  backoff?: BackoffOptions;
}

const TERMINATORS: readonly string[] = ['\r', '\n', '\r\n'];
const GROUP = 'dialout';

export class SerialScanner extends EventEmitter implements Scanner {
  readonly name = 'scanner';
  readonly #path: string;
  readonly #settings: { binding: BindingInterface; path: string; baudRate: number };
  readonly #log: Logger;
  readonly #state: DeviceStateKeeper;
  readonly #validator: LineValidator;
  readonly #splitter: LineSplitter;
  readonly #tally = new RejectTally();
  #port: SerialPortStream | undefined;
  #attempt: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #staleTimer: NodeJS.Timeout | undefined;

  /** Throws only for options that could never work (bad lengths, baud rate, terminator). */
  constructor(opts: SerialScannerOptions) {
    super();
    if (opts.path === '') throw new RangeError('scanner path is empty');
    if (!Number.isInteger(opts.baudRate) || opts.baudRate <= 0) {
      throw new RangeError(`scanner baudRate must be a positive integer, got ${opts.baudRate}`);
    }
    if (!TERMINATORS.includes(opts.terminator)) {
      throw new RangeError(
        `scanner terminator must be CR, LF or CRLF, got ${JSON.stringify(opts.terminator)}`,
      );
    }
    this.#path = opts.path;
    this.#settings = {
      binding: opts.binding ?? platformBinding(),
      path: opts.path,
      baudRate: opts.baudRate,
    };
    this.#log = opts.log.child({ module: 'scanner' });
    // A new cause for the same state is logged, not emitted.
    this.#state = new DeviceStateKeeper({
      name: this.name,
      log: this.#log,
      emit: (status) => this.emit('state', status),
      onlineMessage: 'scanner online',
      unavailableMessage: (state) => `scanner ${state}`,
      detailChange: 'log',
      backoff: opts.backoff,
    });
    this.#validator = new LineValidator(opts);
    this.#splitter = new LineSplitter({
      maxLineBytes: this.#validator.maxLineBytes,
      staleMs: opts.staleMs ?? 1000,
    });
  }

  /** Rejected lines since construction, by reason. */
  get rejected(): Readonly<Record<RejectReason, number>> {
    return { ...this.#tally.counts };
  }

  status(): DeviceStatus {
    return this.#state.status();
  }

  /** Resolves after the first open attempt, online or not; never rejects. */
  start(): Promise<void> {
    if (!this.#state.begin()) return this.#attempt ?? Promise.resolve();
    return this.#open();
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#state.close();
    clearTimeout(this.#staleTimer);
    await this.#attempt; // an open in flight lands in #port and is closed below
    const port = this.#port;
    this.#port = undefined;
    this.#splitter.reset();
    if (port === undefined) return;
    port.removeAllListeners('data').removeAllListeners('close').removeAllListeners('end');
    if (!port.isOpen) return;
    await new Promise<void>((resolve) => {
      port.close(() => resolve()); // with a callback, a failed close cannot surface as 'error'
    });
  }

  #open(): Promise<void> {
    if (this.#state.closed) return Promise.resolve();
    // Only throws for a missing path or baud rate, which the constructor has already refused.
    const { binding, path, baudRate } = this.#settings;
    const port = new (serialPortStream())({ binding, path, baudRate, autoOpen: false, lock: true });
    // Always listening: an 'error' without a listener would crash the daemon.
    port.on('error', (err: Error) => {
      this.#onError(port, err);
    });
    const attempt = new Promise<void>((resolve) => {
      port.open((err) => {
        this.#attempt = undefined;
        if (err) this.#openFailed(err);
        else this.#opened(port);
        resolve();
      });
    });
    this.#attempt = attempt;
    return attempt;
  }

  #opened(port: SerialPortStream): void {
    this.#port = port;
    if (this.#state.closed) return;
    this.#splitter.reset();
    port.on('data', (chunk: Buffer) => {
      this.#onData(port, chunk);
    });
    port.on('close', (err: Error | null) => {
      this.#lost(port, err ?? new Error('port closed unexpectedly'));
    });
    port.on('end', () => {
      this.#lost(port, new Error('end of stream'));
    });
    this.#state.resetBackoff();
    this.#state.set('online', this.#path, { fields: { path: this.#path } });
  }

  #openFailed(e: unknown): void {
    if (this.#state.closed) return;
    const detail = this.#describe(e);
    const changed = this.#state.set(this.#state.unavailable, detail);
    if (!changed) this.#log.debug({ attempt: this.#state.attempt, detail }, 'scanner still unavailable');
    this.#scheduleReopen();
  }

  #lost(port: SerialPortStream, err: Error): void {
    if (port !== this.#port || this.#state.closed) return;
    this.#port = undefined;
    port.removeAllListeners('data').removeAllListeners('close').removeAllListeners('end');
    if (port.isOpen) port.close(() => undefined);
    clearTimeout(this.#staleTimer);
    // A half code must not survive a reconnect and be completed by the next scan.
    const dropped = this.#splitter.reset();
    if (dropped > 0) this.#log.debug({ bytes: dropped }, 'partial scanner line discarded at disconnect');
    // serialport reports an unplug as e.g. "bad file descriptor"; say what happened to the port.
    const { code } = err as NodeJS.ErrnoException;
    const cause = Object.assign(new Error(`disconnected: ${err.message}`), { code });
    this.#state.set('offline', this.#describe(cause));
    this.#scheduleReopen();
  }

  #onError(port: SerialPortStream, err: Error): void {
    if (port !== this.#port) {
      this.#log.debug({ err: err.message }, 'error from a scanner port no longer in use');
      return;
    }
    // Only a failed close or an unexpected stream error get here; reopening is the recovery.
    this.#lost(port, err);
  }

  #scheduleReopen(): void {
    this.#state.scheduleRetry(() => void this.#open());
  }

  #describe(e: unknown): string {
    const err = e instanceof Error ? e : new Error(String(e));
    if (/cannot lock|is locked/i.test(err.message)) {
      return new DeviceError(DeviceErrorCode.Io, this.name, 'port is locked: another process holds it', {
        where: this.#path,
        hint: 'stop the other program using it (ModemManager, a getty, a second xpos-agent)',
        cause: err,
      }).message;
    }
    return deviceErrorFromErrno(this.name, this.#path, err, GROUP).message;
  }

  #onData(port: SerialPortStream, chunk: Buffer): void {
    if (port !== this.#port || this.#state.closed) return;
    this.#handle(this.#splitter.push(chunk, performance.now()));
  }

  #handle(events: SplitEvent[]): void {
    for (const ev of events) {
      if (ev.kind === 'drop') {
        this.#reject(ev.reason, decodeLossy(ev.sample), ev.length);
        continue;
      }
      const verdict = this.#validator.check(ev.bytes);
      if (verdict.ok) this.#emitScan(verdict.code);
      else this.#reject(verdict.reason, verdict.text, ev.bytes.length);
    }
    this.#armStaleTimer();
  }

  /** Without it a fragment would only be judged stale when the next byte arrives. */
  #armStaleTimer(): void {
    clearTimeout(this.#staleTimer);
    this.#staleTimer = undefined;
    const at = this.#splitter.staleAt();
    if (at === undefined || this.#state.closed) return;
    const delay = Math.max(1, Math.ceil(at - performance.now()));
    this.#staleTimer = setTimeout(() => {
      this.#handle(this.#splitter.expire(performance.now()));
    }, delay);
    this.#staleTimer.unref();
  }

  #emitScan(code: string): void {
    if (this.#state.closed || this.#state.state !== 'online') return;
    this.#log.debug({ code: maskCode(code) }, 'scan');
    try {
      this.emit('scan', code);
    } catch (e) {
      // A listener's bug must not take the serial reader down with it.
      this.#log.error({ err: detailOf(e) }, 'scan listener threw');
    }
  }

  /** Never the raw line: masked, with control bytes shown as '?' so the journal stays readable. */
  #reject(reason: RejectReason, text: string, length: number): void {
    const suppressed = this.#tally.record(reason, performance.now());
    if (suppressed === undefined) return;
    const fields = { reason, length, code: maskCode(text.replace(/\p{Cc}/gu, '?')), suppressed };
    // Empty lines are CRLF artefacts and blank triggers, not a fault worth a warning.
    if (reason === 'empty') this.#log.debug(fields, 'scanner line ignored');
    else this.#log.warn(fields, 'scanner input rejected');
  }
}
