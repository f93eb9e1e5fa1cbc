/**
 * The kiosk screen on an HDMI/DSI monitor through a Linux virtual console (/dev/tty1 by default):
 * full-screen text drawn with ANSI/VT100 sequences the Linux console understands, the amount in
 * large block digits (drivers/display/big-digits.ts), nothing else on the screen.
 *
 * Facts that shape this file:
 * - A VT's font holds at most 512 glyphs: no CJK. `cjk: false` (the default) draws the English
 *   words; `cjk: true` is for a path that leads to fbterm or kmscon (README, "Display").
 * - /dev/tty1 is root:tty 0620: the service user can write (group tty) but not read it, so nothing
 *   here needs termios; autowrap is switched off so the bottom-right cell never scrolls the screen.
 * - Writes go through a tty.WriteStream (non-blocking); a console that stops taking bytes (a pty
 *   whose reader is gone) only drops frames: `show` never waits, and the latest view is kept.
 */
import { EventEmitter } from 'node:events';
import { closeSync, constants, open } from 'node:fs';
import { isatty, WriteStream } from 'node:tty';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { BackoffOptions } from '../backoff.js';
import type { DeviceStatus } from '../device.js';
import { DeviceError, DeviceErrorCode, deviceErrorFromErrno } from '../device-error.js';
import { DeviceStateKeeper, detailOf } from '../device-state.js';
import { layoutText, ROW_SGR } from './text-screen.js';
import type { Display, DisplayView } from './types.js';

export interface TtyDisplayOptions {
  /** A terminal device: /dev/tty1, or the pty an fbterm/kmscon session relays. */
  path: string;
  /** The terminal can draw CJK (fbterm, kmscon); a plain VT cannot. */
  cjk: boolean;
  /** Override the size the terminal reports (a relayed pty reports 0x0). */
  columns?: number;
  rows?: number;
  log: Logger;
  backoff?: BackoffOptions;
}

const ESC = '\x1b[';
/** Hide the cursor, no autowrap, no console blanking (Linux console: CSI 9;0 ]), clear once. */
const SETUP = `${ESC}?25l${ESC}?7l${ESC}9;0]${ESC}0m${ESC}2J`;
/** More than this queued means nobody reads the terminal: drop frames instead of growing. */
const MAX_QUEUED = 64 * 1024;
const GROUP = 'tty';
const openAsync = promisify(open);

export class TtyDisplay extends EventEmitter implements Display {
  readonly name = 'display';
  readonly #o: TtyDisplayOptions;
  readonly #log: Logger;
  readonly #state: DeviceStateKeeper;
  #out: WriteStream | undefined;
  #view: DisplayView | undefined;

  constructor(opts: TtyDisplayOptions) {
    super();
    if (opts.path === '') throw new TypeError('tty display: path is empty');
    this.#o = opts;
    this.#log = opts.log.child({ module: 'display', backend: 'tty' });
    this.#state = new DeviceStateKeeper({
      name: this.name,
      log: this.#log,
      emit: (status) => this.emit('state', status),
      initialDetail: `not started (${opts.path})`,
      onlineMessage: 'display online',
      unavailableMessage: 'display unavailable',
      logFields: { path: opts.path },
      backoff: opts.backoff,
    });
  }

  status(): DeviceStatus {
    return this.#state.status();
  }

  async start(): Promise<void> {
    if (this.#state.begin()) await this.#connect();
  }

  close(): Promise<void> {
    if (this.#state.closed) return Promise.resolve();
    this.#state.close();
    const out = this.#out;
    this.#out = undefined;
    if (!out) return Promise.resolve();
    // Leave the console usable for a technician: cursor and autowrap back.
    return new Promise((resolve) => {
      out.end(`${ESC}0m${ESC}?7h${ESC}?25h`, () => resolve());
      out.once('error', () => resolve());
    });
  }

  show(view: DisplayView): void {
    this.#view = view;
    const out = this.#out;
    if (!out || out.writableLength > MAX_QUEUED) return;
    out.write(this.#frame(view, out));
  }

  /** The size to lay out for: configured, else what the terminal reports, else 80x25. */
  size(out?: WriteStream): { cols: number; rows: number } {
    const cols = this.#o.columns ?? (out?.columns || 80);
    const rows = this.#o.rows ?? (out?.rows || 25);
    return { cols, rows };
  }

  #frame(view: DisplayView, out: WriteStream): string {
    const { cols, rows } = this.size(out);
    const lines = layoutText(view, { cols, rows, cjk: this.#o.cjk });
    return lines.map((l, i) => `${ESC}${i + 1};1H${ROW_SGR[l.style]}${l.text}${ESC}0m`).join('');
  }

  async #connect(): Promise<void> {
    let out: WriteStream;
    try {
      out = await openTerminal(this.#o.path);
    } catch (e) {
      if (this.#state.closed) return;
      this.#state.set(this.#state.unavailable, detailOf(e));
      this.#state.scheduleRetry(() => void this.#connect());
      return;
    }
    if (this.#state.closed) {
      out.destroy();
      return;
    }
    out.on('error', (e) => {
      this.#lost(out, e);
    });
    this.#out = out;
    this.#state.resetBackoff();
    this.#state.set('online', undefined, { fields: this.size(out) });
    out.write(SETUP);
    if (this.#view) this.show(this.#view);
  }

  #lost(out: WriteStream, e: unknown): void {
    if (this.#out !== out) return;
    this.#out = undefined;
    out.destroy();
    this.#state.set('offline', detailOf(deviceErrorFromErrno('display', this.#o.path, e, GROUP)));
    this.#state.scheduleRetry(() => void this.#connect());
  }
}

/** Opens a terminal for writing only (the VT is 0620 root:tty) and never as our controlling tty. */
async function openTerminal(path: string): Promise<WriteStream> {
  let fd: number;
  try {
    // A plain descriptor, not a FileHandle: the stream below owns it and closes it.
    fd = await openAsync(path, constants.O_WRONLY | constants.O_NOCTTY);
  } catch (e) {
    throw deviceErrorFromErrno('display', path, e, GROUP);
  }
  if (!isatty(fd)) {
    closeSync(fd);
    throw new DeviceError(DeviceErrorCode.Unsupported, 'display', 'not a terminal', {
      where: path,
      hint: 'devices.display.path must name a console such as /dev/tty1',
    });
  }
  return new WriteStream(fd);
}
