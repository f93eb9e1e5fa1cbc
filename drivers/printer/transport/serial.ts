/**
 * A printer on RS-232 or a USB-serial adapter (serialport 13). Two-way when the RX line is wired, which
 * a null-modem printer cable does; a printer that never answers just gets `unknown` status.
 */
import { EventEmitter } from 'node:events';
import type { OpenOptions, SerialPortStream } from '@serialport/stream';
import type { Logger } from 'pino';
import { DeviceError, DeviceErrorCode, deviceErrorFromErrno } from '../../device-error.js';
import { ReplyBuffer, type PrinterTransport } from './types.js';
import { platformBinding, serialPortStream } from '../../serial-binding.js';

export interface SerialTransportOptions {
  /** Prefer /dev/serial/by-id/… or a udev symlink: ttyUSBn can change on replug. */
  path: string;
  /** What the printer's DIP switches say; 9600, 19200, 38400 and 115200 are common. */
  baudRate: number;
  /** Hardware flow control; needed at high baud rates when the printer has a small buffer. */
  rtscts?: boolean;
  /** A printer without paper and with flow control stops taking bytes; this bounds the wait. */
  writeTimeoutMs?: number;
  /** Tests inject SerialPortMock.binding; production uses serialport's native binding. */
  binding?: BindingInterface;
  log: Logger;
}

const GROUP = 'dialout';

/** serialport's BindingInterface, taken via @serialport/stream: the interface package hides its types from NodeNext. */
export type BindingInterface = OpenOptions['binding'];

class SerialTransport extends EventEmitter implements PrinterTransport {
  readonly twoWay = true;
  readonly where: string;
  readonly #opts: SerialTransportOptions;
  readonly #log: Logger;
  readonly #replies = new ReplyBuffer();
  #port: SerialPortStream | undefined;
  /** True while the port is ours to use; a close we did not ask for is a lost link. */
  #open = false;

  constructor(opts: SerialTransportOptions) {
    super();
    if (opts.path === '') throw new RangeError('printer path is empty');
    if (!Number.isInteger(opts.baudRate) || opts.baudRate <= 0) {
      throw new RangeError(`printer baudRate must be a positive integer, got ${opts.baudRate}`);
    }
    this.#opts = opts;
    this.where = opts.path;
    this.#log = opts.log.child({ module: 'printer-serial' });
  }

  #create(): SerialPortStream {
    const port = new (serialPortStream())({
      binding: this.#opts.binding ?? platformBinding(),
      path: this.#opts.path,
      baudRate: this.#opts.baudRate,
      rtscts: this.#opts.rtscts ?? false,
      autoOpen: false,
    });
    port.on('data', (chunk: Buffer) => {
      this.#replies.push(chunk);
    });
    port.on('error', (err) => {
      this.#log.debug({ err }, 'port error');
    });
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (!this.#open) return;
      this.#open = false;
      this.#replies.cancel();
      this.emit('close', err ?? new Error('port closed'));
    });
    return port;
  }

  async open(): Promise<void> {
    if (this.#open) return;
    const port = (this.#port ??= this.#create());
    await new Promise<void>((resolve, reject) => {
      port.open((err) => {
        if (err) reject(deviceErrorFromErrno('printer', this.where, err, GROUP));
        else resolve();
      });
    });
    this.#open = true;
  }

  write(data: Buffer): Promise<void> {
    const port = this.#port;
    if (!port || !this.#open) {
      return Promise.reject(
        new DeviceError(DeviceErrorCode.Io, 'printer', 'port not open', { where: this.where }),
      );
    }
    const timeoutMs = this.#opts.writeTimeoutMs ?? 20_000;
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => {
        clearTimeout(timer);
        reject(err instanceof DeviceError ? err : deviceErrorFromErrno('printer', this.where, err, GROUP));
      };
      const timer = setTimeout(() => {
        fail(
          new DeviceError(DeviceErrorCode.Io, 'printer', `write not drained within ${timeoutMs} ms`, {
            where: this.where,
          }),
        );
      }, timeoutMs);
      port.write(data, (err) => {
        if (err) fail(err);
      });
      // drain() waits for tcdrain: the bytes have left the UART, not just our buffer.
      port.drain((err) => {
        if (err) fail(err);
        else {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  async request(data: Buffer, replyBytes: number, timeoutMs: number): Promise<Buffer | null> {
    if (!this.#open) return null;
    return this.#replies.exchange((d) => this.write(d), data, replyBytes, timeoutMs);
  }

  async close(): Promise<void> {
    const port = this.#port;
    const wasOpen = this.#open;
    this.#open = false;
    this.#replies.cancel();
    if (!port || !wasOpen || !port.isOpen) return;
    await new Promise<void>((resolve) => {
      port.close(() => {
        resolve();
      });
    });
  }
}

export function serialTransport(opts: SerialTransportOptions): PrinterTransport {
  return new SerialTransport(opts);
}
