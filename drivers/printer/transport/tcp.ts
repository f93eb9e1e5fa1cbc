/**
 * A network printer's raw port (JetDirect, TCP 9100). Two-way: the printer answers DLE EOT on the same
 * socket. The connection is kept open between jobs; a printer that drops idle connections just causes a
 * quiet reconnect in EscposPrinter.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { DeviceError, DeviceErrorCode } from '../../device-error.js';
import { ReplyBuffer, type PrinterTransport } from './types.js';

export interface TcpTransportOptions {
  host: string;
  /** Usually 9100. */
  port: number;
  /** A printer that is off never answers the SYN; without a limit connect() waits for minutes. */
  connectTimeoutMs?: number;
  /** A printer out of paper stops reading and the socket fills; this bounds the wait. */
  writeTimeoutMs?: number;
  log: Logger;
}

const HINT = 'check that the printer is on, cabled, and has this address';

class TcpTransport extends EventEmitter implements PrinterTransport {
  readonly twoWay = true;
  readonly where: string;
  readonly #opts: TcpTransportOptions;
  readonly #log: Logger;
  readonly #replies = new ReplyBuffer();
  #socket: Socket | undefined;

  constructor(opts: TcpTransportOptions) {
    super();
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
      throw new RangeError(`printer port must be 1..65535, got ${opts.port}`);
    }
    this.#opts = opts;
    this.where = `tcp://${opts.host}:${opts.port}`;
    this.#log = opts.log.child({ module: 'printer-tcp' });
  }

  open(): Promise<void> {
    if (this.#socket) return Promise.resolve();
    const timeoutMs = this.#opts.connectTimeoutMs ?? 3000;
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.#opts.host, port: this.#opts.port });
      const fail = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        const code = (err as NodeJS.ErrnoException).code ?? err.message;
        reject(
          new DeviceError(DeviceErrorCode.Unavailable, 'printer', `cannot connect: ${code}`, {
            where: this.where,
            hint: HINT,
            cause: err,
          }),
        );
      };
      const timer = setTimeout(() => {
        fail(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        this.#attach(socket);
        resolve();
      });
    });
  }

  #attach(socket: Socket): void {
    let cause: Error | undefined;
    socket.setNoDelay(true);
    // Keepalive notices a printer that was switched off while idle, not only at the next job.
    socket.setKeepAlive(true, 10_000);
    socket.on('data', (chunk: Buffer) => {
      this.#replies.push(chunk);
    });
    socket.on('error', (err) => {
      cause = err;
      this.#log.debug({ err }, 'socket error');
    });
    socket.on('close', () => {
      if (this.#socket !== socket) return; // closed by us
      this.#socket = undefined;
      this.#replies.cancel();
      this.emit('close', cause ?? new Error('connection closed by the printer'));
    });
    this.#socket = socket;
  }

  write(data: Buffer): Promise<void> {
    const socket = this.#socket;
    if (!socket) return Promise.reject(this.#notOpen());
    const timeoutMs = this.#opts.writeTimeoutMs ?? 20_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new DeviceError(DeviceErrorCode.Io, 'printer', `write not taken within ${timeoutMs} ms`, {
            where: this.where,
          }),
        );
      }, timeoutMs);
      socket.write(data, (err) => {
        clearTimeout(timer);
        if (err)
          reject(
            new DeviceError(DeviceErrorCode.Io, 'printer', err.message, { where: this.where, cause: err }),
          );
        else resolve();
      });
    });
  }

  async request(data: Buffer, replyBytes: number, timeoutMs: number): Promise<Buffer | null> {
    if (!this.#socket) return null;
    return this.#replies.exchange((d) => this.write(d), data, replyBytes, timeoutMs);
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#replies.cancel();
    if (!socket || socket.destroyed) return;
    // end() lets the kernel send what is queued, then FIN; destroy() only if the printer never closes.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 1000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }

  #notOpen(): DeviceError {
    return new DeviceError(DeviceErrorCode.Io, 'printer', 'not connected', { where: this.where });
  }
}

export function tcpTransport(opts: TcpTransportOptions): PrinterTransport {
  return new TcpTransport(opts);
}
