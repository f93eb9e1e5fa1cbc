/**
 * Printer bytes appended to a file: the simulator's "printer" and a test's paper roll. One-way, like
 * a printer that cannot answer, so status is always unknown.
 */
import { EventEmitter } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import { DeviceError, DeviceErrorCode, deviceErrorFromErrno } from '../../device-error.js';
import type { PrinterTransport } from './types.js';

class FileTransport extends EventEmitter implements PrinterTransport {
  readonly twoWay = false;
  readonly where: string;
  #file: FileHandle | undefined;

  constructor(path: string) {
    super();
    this.where = path;
  }

  async open(): Promise<void> {
    if (this.#file) return;
    try {
      this.#file = await open(this.where, 'a');
    } catch (e) {
      throw deviceErrorFromErrno('printer', this.where, e, 'that owns the directory');
    }
  }

  async write(data: Buffer): Promise<void> {
    const file = this.#file;
    if (!file) throw new DeviceError(DeviceErrorCode.Io, 'printer', 'not open', { where: this.where });
    await file.appendFile(data);
  }

  request(): Promise<Buffer | null> {
    return Promise.resolve(null);
  }

  async close(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.close().catch(() => undefined);
  }
}

export function fileTransport(opts: { path: string }): PrinterTransport {
  return new FileTransport(opts.path);
}
