/**
 * How printer bytes reach the printer. A transport only moves bytes; ESC/POS, status meaning, state
 * and reconnecting belong to EscposPrinter, which treats every transport alike.
 *
 * Failure contract:
 * - `open()` rejects with a DeviceError naming the path/address and, for a permission problem, the
 *   group to join. It may be called again after `close()` or a lost link.
 * - `write()` resolves once the bytes left this process for the device (serial: drained to the UART;
 *   TCP: handed to the kernel; usblp: accepted by the driver). Any rejection means the link is in
 *   doubt: the caller closes and reopens it, and keeps the job unprinted.
 * - `request()` writes a query and collects exactly `replyBytes` bytes, or resolves null on timeout
 *   and on a one-way link. It never rejects for a missing answer, only for a write failure.
 * - `'close'` fires when the link is lost without `close()` (unplug, peer hang-up), with the cause.
 */
export interface PrinterTransport {
  /** Path or address, for logs and the device status ("/dev/usb/lp0", "tcp://10.0.0.9:9100"). */
  readonly where: string;
  /** Whether the printer can answer (DLE EOT). Known after `open()`; usblp finds out by reading. */
  readonly twoWay: boolean;
  open(): Promise<void>;
  write(data: Buffer): Promise<void>;
  request(data: Buffer, replyBytes: number, timeoutMs: number): Promise<Buffer | null>;
  close(): Promise<void>;
  on(event: 'close', listener: (cause: Error | undefined) => void): this;
  off(event: 'close', listener: (cause: Error | undefined) => void): this;
}

/**
 * Bytes the printer sent, for transports that receive them as events (serial, TCP). A reply is only
 * taken from bytes that arrive after its request: anything earlier is a late answer to a request that
 * already timed out, and would be misread as this one's.
 */
export class ReplyBuffer {
  #buf = Buffer.alloc(0);
  #waiter: { n: number; resolve: (b: Buffer | null) => void; timer: NodeJS.Timeout } | undefined;

  push(chunk: Buffer): void {
    // Unsolicited bytes (Auto Status Back, a late reply) are bounded: only the tail is ever useful.
    this.#buf = Buffer.concat([this.#buf, chunk]).subarray(-256);
    const w = this.#waiter;
    if (w && this.#buf.length >= w.n) {
      this.#waiter = undefined;
      clearTimeout(w.timer);
      const reply = this.#buf.subarray(0, w.n);
      this.#buf = this.#buf.subarray(w.n);
      w.resolve(Buffer.from(reply));
    }
  }

  /** Drops whatever arrived so far; call right before writing a request. */
  clear(): void {
    this.#buf = Buffer.alloc(0);
  }

  /** The next `n` bytes, or null after `timeoutMs`. One waiter at a time (requests are serialised). */
  take(n: number, timeoutMs: number): Promise<Buffer | null> {
    this.cancel();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve(null);
      }, timeoutMs);
      this.#waiter = { n, resolve, timer };
      this.push(Buffer.alloc(0));
    });
  }

  /**
   * A `PrinterTransport.request()` over this buffer: listens before writing so a fast answer is not
   * missed, and a failed write ends the wait and rejects.
   */
  async exchange(
    write: (data: Buffer) => Promise<void>,
    data: Buffer,
    n: number,
    timeoutMs: number,
  ): Promise<Buffer | null> {
    this.clear();
    const reply = this.take(n, timeoutMs);
    try {
      await write(data);
    } catch (e) {
      this.cancel();
      throw e;
    }
    return reply;
  }

  /** Ends a pending `take` with null (the link closed). */
  cancel(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    if (w) {
      clearTimeout(w.timer);
      w.resolve(null);
    }
  }
}
