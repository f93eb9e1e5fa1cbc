import { EventEmitter } from 'node:events';
import { close, open, read } from 'node:fs';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { BackoffOptions } from '../backoff.js';
import type { DeviceStatus } from '../device.js';
import { DeviceError, DeviceErrorCode, deviceErrorFromErrno } from '../device-error.js';
import { DeviceStateKeeper } from '../device-state.js';
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
  readonly #state: DeviceStateKeeper;

  constructor(opts: EvdevKeypadOptions) {
    super();
    if (opts.path === '') throw new TypeError('evdev keypad: path is empty');
    this.#path = opts.path;
    this.#keymap = { ...DEFAULT_EVDEV_KEYMAP, ...opts.keymap };
    this.#decoder = new InputEventDecoder(opts.wordSize ?? wordSizeOf());
    this.#log = opts.log.child({ module: 'keypad', backend: 'evdev' });
    this.#state = new DeviceStateKeeper({
      name: this.name,
      log: this.#log,
      emit: (status) => this.emit('state', status),
      initialDetail: `not started (${opts.path})`,
      onlineMessage: 'keypad online',
      unavailableMessage: 'keypad unavailable',
      logFields: { path: opts.path },
      backoff: opts.backoff,
    });
  }

  get wordSize(): WordSize {
    return this.#decoder.wordSize;
  }

  status(): DeviceStatus {
    return this.#state.status();
  }

  /** Resolves after the first open attempt; a missing device is reported, not thrown. */
  async start(): Promise<void> {
    if (this.#state.begin()) await this.#open();
  }

  close(): Promise<void> {
    this.#state.close();
    return Promise.resolve();
  }

  async #open(): Promise<void> {
    let fd: number;
    try {
      fd = await openAsync(this.#path, 'r');
    } catch (e) {
      if (this.#state.closed) return;
      this.#state.set(this.#state.unavailable, openError(this.#path, e).message);
      this.#scheduleRetry();
      return;
    }
    if (this.#state.closed) {
      close(fd, () => undefined);
      return;
    }
    this.#decoder.reset();
    this.#state.set('online');
    void this.#readLoop(fd);
  }

  async #readLoop(fd: number): Promise<void> {
    // Whole records per read on a real device; a multiple of the record size keeps FIFOs aligned too.
    const buf = Buffer.alloc(eventSize(this.#decoder.wordSize) * 64);
    let lost: unknown;
    try {
      for (;;) {
        const { bytesRead } = await readAsync(fd, buf, 0, buf.length, null);
        if (this.#state.closed) return;
        if (bytesRead === 0) {
          lost = new DeviceError(DeviceErrorCode.Io, this.name, 'input device closed (unplugged?)', {
            where: this.#path,
          });
          return;
        }
        // A press in the same chunk as a later read error still counts: decode before looping.
        for (const ev of this.#decoder.push(buf.subarray(0, bytesRead))) this.#onEvent(ev);
        this.#state.resetBackoff();
      }
    } catch (e) {
      lost = e;
    } finally {
      close(fd, () => undefined);
      if (!this.#state.closed && lost !== undefined) this.#lost(lost);
    }
  }

  #onEvent(ev: InputEvent): void {
    if (ev.type !== EV_KEY || ev.value !== KEY_PRESS || this.#state.closed) return;
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
    this.#state.set('offline', err.message);
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    this.#state.scheduleRetry(() => void this.#open());
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
