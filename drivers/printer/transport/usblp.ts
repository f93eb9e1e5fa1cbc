/**
 * A USB printer through the kernel's usblp driver (/dev/usb/lp0, group lp). Facts from
 * drivers/usb/class/usblp.c that shape this file:
 * - read() returns EINVAL when the printer interface is unidirectional (most cheap printers): such a
 *   link is one-way for good, and status is unknown.
 * - With O_NONBLOCK a read with no data returns EAGAIN, and a write returns EAGAIN while the previous
 *   transfer is still pending (a printer out of paper stops taking data). Blocking calls would park a
 *   libuv pool thread for as long as the printer is stuck, so the fd is non-blocking and we retry.
 * - After an unplug every call fails with ENODEV (or EIO), and the device node disappears.
 */
import { EventEmitter } from 'node:events';
import { constants } from 'node:fs';
import { open as fsOpen, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { DeviceError, DeviceErrorCode, deviceErrorFromErrno } from '../../device-error.js';
import type { PrinterTransport } from './types.js';

/** The three file calls the transport needs; tests substitute one to play kernel errnos. */
export interface LpFile {
  /** Bytes read, 0 for nothing; rejects with the errno (EAGAIN, EINVAL, ENODEV). */
  read: (buf: Buffer) => Promise<number>;
  /** Bytes taken (may be fewer than given); rejects with the errno. */
  write: (buf: Buffer) => Promise<number>;
  close: () => Promise<void>;
}
export type LpOpen = (path: string) => Promise<LpFile>;

export interface UsblpTransportOptions {
  /** /dev/usb/lp0, or the udev symlink (SYMLINK+="receipt"), which survives renumbering. */
  path: string;
  log: Logger;
  /** Give up on a write the printer has not taken for this long (paper out, jam). */
  writeTimeoutMs?: number;
  /** How often to retry EAGAIN and to look for a status reply. */
  pollMs?: number;
  /** How often to check the device node still exists, so an unplug shows while idle. 0: never. */
  presenceMs?: number;
  open?: LpOpen;
}

const GROUP = 'lp';

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** O_NONBLOCK for the reasons above; O_NOCTTY because a path from config might name a tty. */
export const openLp: LpOpen = async (path) => {
  const fh = await fsOpen(path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
  return {
    read: async (buf) => (await fh.read(buf, 0, buf.length, null)).bytesRead,
    write: async (buf) => (await fh.write(buf, 0, buf.length, null)).bytesWritten,
    close: () => fh.close(),
  };
};

class UsblpTransport extends EventEmitter implements PrinterTransport {
  readonly where: string;
  readonly #opts: UsblpTransportOptions;
  readonly #log: Logger;
  #file: LpFile | undefined;
  /** Learnt by the first read after open; a one-way printer stays one-way. */
  #twoWay = true;
  #presence: NodeJS.Timeout | undefined;

  constructor(opts: UsblpTransportOptions) {
    super();
    if (opts.path === '') throw new RangeError('printer path is empty');
    this.#opts = opts;
    this.where = opts.path;
    this.#log = opts.log.child({ module: 'printer-usblp' });
  }

  get twoWay(): boolean {
    return this.#twoWay;
  }

  async open(): Promise<void> {
    if (this.#file) return;
    let file: LpFile;
    try {
      file = await (this.#opts.open ?? openLp)(this.where);
    } catch (e) {
      throw deviceErrorFromErrno('printer', this.where, e, GROUP);
    }
    this.#file = file;
    await this.#drain(file); // finds out one-way vs two-way, and drops stale replies
    const every = this.#opts.presenceMs ?? 2000;
    if (every > 0) {
      this.#presence = setInterval(() => {
        stat(this.where).catch((e: unknown) => {
          if (errnoOf(e) === 'ENOENT') this.#lost(file, e);
        });
      }, every);
    }
  }

  /** Reads until nothing is left; returns the bytes, or null on a one-way link (EINVAL). */
  async #drain(file: LpFile): Promise<Buffer | null> {
    const chunks: Buffer[] = [];
    if (!this.#twoWay) return null;
    const buf = Buffer.alloc(64);
    for (;;) {
      let n: number;
      try {
        n = await file.read(buf);
      } catch (e) {
        const code = errnoOf(e);
        if (code === 'EAGAIN') break;
        if (code === 'EINVAL') {
          this.#twoWay = false;
          this.#log.info({ where: this.where }, 'printer is unidirectional: status unknown');
          return null;
        }
        throw this.#ioError(file, e);
      }
      if (n <= 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks);
  }

  async write(data: Buffer): Promise<void> {
    const file = this.#file;
    if (!file) throw new DeviceError(DeviceErrorCode.Io, 'printer', 'not open', { where: this.where });
    const poll = this.#opts.pollMs ?? 20;
    const limit = this.#opts.writeTimeoutMs ?? 20_000;
    let off = 0;
    let since = Date.now();
    while (off < data.length) {
      let n = 0;
      try {
        n = await file.write(data.subarray(off));
      } catch (e) {
        if (errnoOf(e) !== 'EAGAIN') throw this.#ioError(file, e);
      }
      if (this.#file !== file)
        throw new DeviceError(DeviceErrorCode.Io, 'printer', 'closed', { where: this.where });
      if (n > 0) {
        off += n;
        since = Date.now();
      } else if (Date.now() - since > limit) {
        throw new DeviceError(DeviceErrorCode.Io, 'printer', `printer took no data for ${limit} ms`, {
          where: this.where,
          hint: 'check paper and cover',
        });
      } else {
        await sleep(poll);
      }
    }
  }

  async request(data: Buffer, replyBytes: number, timeoutMs: number): Promise<Buffer | null> {
    const file = this.#file;
    if (!file || !this.#twoWay) return null;
    if ((await this.#drain(file)) === null) return null;
    await this.write(data);
    const poll = this.#opts.pollMs ?? 20;
    const deadline = Date.now() + timeoutMs;
    let got = Buffer.alloc(0);
    for (;;) {
      const chunk = await this.#drain(file);
      if (chunk === null) return null;
      got = Buffer.concat([got, chunk]);
      if (got.length >= replyBytes) return got.subarray(0, replyBytes);
      if (this.#file !== file || Date.now() >= deadline) return null;
      await sleep(Math.min(poll, Math.max(1, deadline - Date.now())));
    }
  }

  /** ENODEV/EIO mean the device is gone: the fd is dead, the caller reopens. */
  #ioError(file: LpFile, e: unknown): DeviceError {
    const err = deviceErrorFromErrno('printer', this.where, e, GROUP);
    const code = errnoOf(e);
    if (code === 'ENODEV' || code === 'EIO' || code === 'ENOENT') this.#lost(file, err);
    return err;
  }

  #lost(file: LpFile, cause: unknown): void {
    if (this.#file !== file) return;
    this.#release();
    file.close().catch(() => undefined);
    this.emit('close', cause instanceof Error ? cause : new Error(String(cause)));
  }

  #release(): void {
    this.#file = undefined;
    clearInterval(this.#presence);
    this.#presence = undefined;
  }

  async close(): Promise<void> {
    const file = this.#file;
    this.#release();
    await file?.close().catch(() => undefined);
  }
}

export function usblpTransport(opts: UsblpTransportOptions): PrinterTransport {
  return new UsblpTransport(opts);
}
