import { EventEmitter } from 'node:events';
import { close, open, read } from 'node:fs';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { Backoff, type BackoffOptions } from '../backoff.js';
import type { DeviceState, DeviceStatus } from '../device.js';
import { DeviceError, DeviceErrorCode, deviceErrorFromErrno } from '../device-error.js';
import { DEFAULT_EVDEV_KEYMAP, IGNORED_KEYCODES } from './keycodes.js';
import {
  EV_KEY,
  eventSize,
  InputEventDecoder,
  KEY_PRESS,
  wordSizeOf,
  type InputEvent,
  type WordSize,
} from './input-event.js';
import type { KeyName, Keypad } from './types.js';

const openAsync = promisify(open);
const readAsync = promisify(read);

export interface EvdevKeypadOptions {
  /** Prefer a stable name: /dev/input/by-id/…-event-kbd or /dev/input/by-path/…-event. */
  path: string;
  /**
   * Linux key code → key, merged over DEFAULT_EVDEV_KEYMAP (digits, keypad digits, ENTER, '.',
   * BACKSPACE, ESC, KP* → '*', KP/ → '#', A-D and the KEY_NUMERIC_* phone codes).
   */
  keymap?: Partial<Record<number, KeyName>>;
  /** Record size follows this process's word size; default from process.arch. */
  wordSize?: 64 | 32;
  log: Logger;
  backoff?: BackoffOptions;
}

/**
 * A keypad seen as a Linux input device: a USB numeric keypad, or a GPIO matrix scanned by the
 * kernel's gpio-matrix-keypad driver (which does debounce and ghost rejection itself and survives
 * sysfs GPIO going away). Only presses count; releases and autorepeat are dropped.
 *
 * Reads block in libuv's thread pool until the next event (evdev cannot be polled from Node without
 * a native addon). So `close()` returns at once and the descriptor is closed when that read returns:
 * on the next key, on unplug, or at process exit.
 *
 * This reader does not grab the device (EVIOCGRAB needs an ioctl), so a USB keypad also types on the
 * local console: the kiosk must not run a login on the VT.
 */
export class EvdevKeypad extends EventEmitter implements Keypad {
  readonly name = 'keypad';
  readonly #path: string;
  readonly #keymap: Partial<Record<number, KeyName>>;
  readonly #decoder: InputEventDecoder;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  #status: DeviceStatus;
  #everOnline = false;
  /** The first result of start() is always announced, even 'absent' over the initial 'absent'. */
  #announced = false;
  #started = false;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(opts: EvdevKeypadOptions) {
    super();
    if (opts.path === '') throw new TypeError('evdev keypad: path is empty');
    this.#path = opts.path;
    this.#keymap = { ...DEFAULT_EVDEV_KEYMAP, ...opts.keymap };
    this.#decoder = new InputEventDecoder(opts.wordSize ?? wordSizeOf());
    this.#log = opts.log.child({ module: 'keypad', backend: 'evdev' });
    this.#backoff = new Backoff(opts.backoff);
    this.#status = { device: this.name, state: 'absent', detail: `not started (${opts.path})` };
  }

  get wordSize(): WordSize {
    return this.#decoder.wordSize;
  }

  status(): DeviceStatus {
    return { ...this.#status };
  }

  /** Resolves after the first open attempt; a missing device is reported, not thrown. */
  async start(): Promise<void> {
    if (this.#started || this.#closed) return;
    this.#started = true;
    await this.#open();
  }

  close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    return Promise.resolve();
  }

  async #open(): Promise<void> {
    this.#retry = undefined;
    let fd: number;
    try {
      fd = await openAsync(this.#path, 'r');
    } catch (e) {
      if (this.#closed) return;
      this.#setState(this.#everOnline ? 'offline' : 'absent', openError(this.#path, e).message);
      this.#scheduleRetry();
      return;
    }
    if (this.#closed) {
      close(fd, () => undefined);
      return;
    }
    this.#decoder.reset();
    this.#everOnline = true;
    this.#setState('online');
    void this.#readLoop(fd);
  }

  async #readLoop(fd: number): Promise<void> {
    // Whole records per read on a real device; a multiple of the record size keeps FIFOs aligned too.
    const buf = Buffer.alloc(eventSize(this.#decoder.wordSize) * 64);
    let lost: unknown;
    try {
      for (;;) {
        const { bytesRead } = await readAsync(fd, buf, 0, buf.length, null);
        if (this.#closed) return;
        if (bytesRead === 0) {
          lost = new DeviceError(DeviceErrorCode.Io, this.name, 'input device closed (unplugged?)', {
            where: this.#path,
          });
          return;
        }
        // A press in the same chunk as a later read error still counts: decode before looping.
        for (const ev of this.#decoder.push(buf.subarray(0, bytesRead))) this.#onEvent(ev);
        this.#backoff.reset();
      }
    } catch (e) {
      lost = e;
    } finally {
      close(fd, () => undefined);
      if (!this.#closed && lost !== undefined) this.#lost(lost);
    }
  }

  #onEvent(ev: InputEvent): void {
    if (ev.type !== EV_KEY || ev.value !== KEY_PRESS || this.#closed) return;
    const key = this.#keymap[ev.code];
    if (key !== undefined) {
      this.emit('key', key);
      return;
    }
    if (!IGNORED_KEYCODES.has(ev.code)) this.#log.debug({ code: ev.code }, 'unmapped key code ignored');
  }

  #lost(e: unknown): void {
    const err = e instanceof DeviceError ? e : deviceErrorFromErrno(this.name, this.#path, e, 'input');
    this.#decoder.reset();
    this.#setState('offline', err.message);
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed) return;
    this.#retry = setTimeout(() => {
      void this.#open();
    }, this.#backoff.next());
  }

  /** Emits when the state changes; a retry failing for a new reason only updates the detail. */
  #setState(state: DeviceState, detail?: string): void {
    const changed = !this.#announced || this.#status.state !== state;
    this.#announced = true;
    this.#status = { device: this.name, state, ...(detail !== undefined && { detail }) };
    if (!changed) return;
    if (state === 'online') this.#log.info({ path: this.#path }, 'keypad online');
    else this.#log.warn({ path: this.#path, state, detail }, 'keypad unavailable');
    this.emit('state', this.status());
  }
}

/** Open failures in a technician's words: the path, and group `input` for permissions. */
export function openError(path: string, e: unknown): DeviceError {
  const err = deviceErrorFromErrno('keypad', path, e, 'input');
  if (err.code !== DeviceErrorCode.Unavailable) return err;
  return new DeviceError(DeviceErrorCode.Unavailable, 'keypad', 'input device not found', {
    where: path,
    hint: 'check the cable and the configured path; the service user needs group input',
    cause: e,
  });
}
