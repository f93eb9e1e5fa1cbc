/**
 * The real receipt printer: ESC/POS bytes over any transport (usblp, serial, TCP, file). One job at a
 * time; a print resolves only when every byte was handed over, and rejects on anything else, so the
 * caller keeps the receipt unprinted and prints it again on the next `online`.
 *
 * On a two-way link each print first asks DLE EOT: paper out or cover open rejects the job at once
 * instead of filling the printer's buffer with a receipt that may never come out. The printer then
 * counts as offline, and its status is polled on the backoff timer until it can print again.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { BackoffOptions } from '../backoff.js';
import { DeviceError, DeviceErrorCode } from '../device-error.js';
import { DeviceStateKeeper } from '../device-state.js';
import type { DeviceStatus } from '../device.js';
import type { PrintDocument } from './document.js';
import {
  checkEncodeOptions,
  encodeDocument,
  type CutMode,
  type EncodeOptions,
  type QrOptions,
} from './escpos.js';
import {
  PAPER_NEAR_END,
  STATUS_REQUESTS,
  UNKNOWN_STATUS,
  blockingCause,
  parseStatus,
  statusRequest,
  type EscposStatus,
  type StatusReplies,
} from './escpos-status.js';
import type { PrinterTransport } from './transport/types.js';
import type { Printer } from './types.js';

export interface EscposPrinterOptions {
  transport: PrinterTransport;
  /** 32 for 58 mm paper, 48 for 80 mm (font A, 12 dots per column). */
  columns: 32 | 48;
  cut: CutMode;
  qr: QrOptions;
  /** Pulse the cash drawer after each receipt; default false. */
  cashDrawer?: boolean;
  /** Wait per DLE EOT answer, default 500 ms. */
  statusTimeoutMs?: number;
  /** Send FS & after ESC @, default true. */
  chineseMode?: boolean;
  log: Logger;
  backoff?: BackoffOptions;
}

/** A link that stayed up this long earned a fresh backoff; a flapping one keeps slowing down. */
const STABLE_MS = 2000;

const HINTS: Record<string, string> = {
  'paper out': 'load a paper roll',
  'cover open': 'close the printer cover',
  'printer error': 'check the cutter and the print head, then power-cycle the printer',
};

export class EscposPrinter extends EventEmitter implements Printer {
  readonly name = 'printer';
  readonly #transport: PrinterTransport;
  readonly #encode: EncodeOptions;
  readonly #statusTimeoutMs: number;
  readonly #log: Logger;
  readonly #state: DeviceStateKeeper;
  #linkOpen = false;
  #openedAt = 0;
  /** Why the printer cannot print although the link is up ('paper out'…), from its own answer. */
  #blocked: string | undefined;
  #closing: Promise<void> | undefined;
  /** Prints, status queries and reconnects run one after another on this chain. */
  #queue: Promise<unknown> = Promise.resolve();

  /** Throws only for options no printer accepts (QR module size). */
  constructor(opts: EscposPrinterOptions) {
    super();
    this.#encode = {
      columns: opts.columns,
      cut: opts.cut,
      qr: opts.qr,
      cashDrawer: opts.cashDrawer ?? false,
      chineseMode: opts.chineseMode ?? true,
    };
    checkEncodeOptions(this.#encode);
    this.#transport = opts.transport;
    this.#statusTimeoutMs = opts.statusTimeoutMs ?? 500;
    this.#log = opts.log.child({ module: 'printer', where: opts.transport.where });
    // A new detail is news too ('paper near end'), unless the caller marks it quiet.
    this.#state = new DeviceStateKeeper({
      name: this.name,
      log: this.#log,
      emit: (status) => this.emit('state', status),
      onlineMessage: 'printer online',
      unavailableMessage: 'printer not available',
      detailChange: 'emit',
      backoff: opts.backoff,
    });
    this.#transport.on('close', this.#onClose);
  }

  status(): DeviceStatus {
    return this.#state.status();
  }

  /** Opens the link; a missing printer is reported (`absent`) and retried, never thrown. */
  async start(): Promise<void> {
    if (this.#state.begin()) await this.#run(() => this.#attempt());
  }

  print(doc: PrintDocument): Promise<void> {
    if (this.#state.closed)
      return Promise.reject(this.#error(DeviceErrorCode.Unavailable, 'printer is closed'));
    let bytes: Buffer;
    try {
      bytes = encodeDocument(doc, this.#encode);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return this.#run(() => this.#printNow(bytes));
  }

  /** DLE EOT on a two-way link (unknown fields when it does not answer); all unknown on a one-way one. */
  query(): Promise<EscposStatus> {
    if (this.#state.closed || !this.#linkOpen || !this.#transport.twoWay)
      return Promise.resolve({ ...UNKNOWN_STATUS });
    return this.#run(async () => {
      if (!this.#linkOpen) return { ...UNKNOWN_STATUS };
      try {
        const s = await this.#readStatus();
        this.#apply(s);
        return s;
      } catch (e) {
        await this.#linkDown(e);
        return { ...UNKNOWN_STATUS };
      }
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#state.close();
      this.#transport.off('close', this.#onClose);
      // Closing first makes a job stuck on a full printer fail now instead of at its timeout.
      await this.#transport.close().catch(() => undefined);
      await this.#queue;
      this.#linkOpen = false;
      await this.#transport.close().catch(() => undefined);
    })();
    return this.#closing;
  }

  #run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(job);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #printNow(bytes: Buffer): Promise<void> {
    if (this.#state.closed) throw this.#error(DeviceErrorCode.Unavailable, 'printer is closed');
    if (!this.#linkOpen) {
      const { detail, state } = this.#state.status();
      throw this.#error(DeviceErrorCode.Unavailable, `not ready: ${detail ?? state}`);
    }
    if (this.#transport.twoWay) {
      let cause: string | undefined;
      try {
        cause = this.#apply(await this.#readStatus());
      } catch (e) {
        throw await this.#linkDown(e);
      }
      if (cause !== undefined) throw this.#error(DeviceErrorCode.Unavailable, cause, HINTS[cause]);
    }
    try {
      await this.#transport.write(bytes);
    } catch (e) {
      throw await this.#linkDown(e);
    }
    this.#log.debug({ bytes: bytes.length }, 'printed');
  }

  /** Reopens the link if needed and checks the printer can print; reschedules itself until it can. */
  async #attempt(): Promise<void> {
    this.#state.cancelRetry();
    if (this.#state.closed) return;
    if (!this.#linkOpen) {
      try {
        await this.#transport.open();
      } catch (e) {
        const err = this.#asDeviceError(e);
        // Retries that fail for a new errno are not news: the kiosk already shows the printer as gone.
        this.#state.set(this.#state.unavailable, err.message, { quiet: true });
        this.#schedule();
        return;
      }
      this.#linkOpen = true;
      this.#openedAt = Date.now();
    }
    try {
      this.#apply(await this.#readStatus());
    } catch (e) {
      await this.#linkDown(e);
    }
  }

  async #readStatus(): Promise<EscposStatus> {
    if (!this.#transport.twoWay) return UNKNOWN_STATUS;
    const replies: StatusReplies = {};
    for (const n of STATUS_REQUESTS) {
      const reply = await this.#transport.request(statusRequest(n), 1, this.#statusTimeoutMs);
      // A printer that does not answer the first costs one timeout, not four.
      if (reply === null || reply[0] === undefined) break;
      replies[n] = reply[0];
    }
    return parseStatus(replies);
  }

  /**
   * Takes the printer's answer into the state; returns why it cannot print, if it cannot. A blocked
   * printer that now answers nothing stays blocked: its buffer might swallow a receipt unprinted.
   */
  #apply(s: EscposStatus): string | undefined {
    const silent = s.paper === 'unknown' && s.coverOpen === 'unknown' && s.error === 'unknown';
    const cause = blockingCause(s) ?? (silent ? this.#blocked : undefined);
    if (cause !== undefined) {
      this.#blocked = cause;
      this.#state.set('offline', cause);
      this.#schedule();
      return cause;
    }
    this.#blocked = undefined;
    const detail = s.paper === 'near-end' ? PAPER_NEAR_END : this.#transport.where;
    this.#state.set('online', detail, { fields: { detail } });
    return undefined;
  }

  /** The link failed under us: close it, report offline, retry on the backoff timer. */
  async #linkDown(e: unknown): Promise<DeviceError> {
    const err = this.#asDeviceError(e);
    if (this.#linkOpen) {
      this.#linkOpen = false;
      if (Date.now() - this.#openedAt >= STABLE_MS) this.#state.resetBackoff();
      await this.#transport.close().catch(() => undefined);
    }
    this.#state.set(this.#state.unavailable, err.message);
    this.#schedule();
    return err;
  }

  readonly #onClose = (cause: Error | undefined): void => {
    if (this.#state.closed || !this.#linkOpen) return;
    this.#linkOpen = false;
    this.#log.warn({ err: cause }, 'printer link lost');
    if (Date.now() - this.#openedAt >= STABLE_MS) {
      // Network printers drop idle connections: try once at once, and stay online if that works.
      this.#state.resetBackoff();
      void this.#run(() => this.#attempt());
    } else {
      this.#state.set('offline', this.#asDeviceError(cause).message);
      this.#schedule();
    }
  };

  #schedule(): void {
    this.#state.scheduleRetry(() => void this.#run(() => this.#attempt()));
  }

  #error(code: DeviceErrorCode, message: string, hint?: string): DeviceError {
    return new DeviceError(code, 'printer', message, {
      where: this.#transport.where,
      ...(hint !== undefined && { hint }),
    });
  }

  #asDeviceError(e: unknown): DeviceError {
    if (e instanceof DeviceError) return e;
    const err = e instanceof Error ? e : new Error(e === undefined ? 'link closed' : JSON.stringify(e));
    return new DeviceError(DeviceErrorCode.Io, 'printer', err.message, {
      where: this.#transport.where,
      cause: err,
    });
  }
}
