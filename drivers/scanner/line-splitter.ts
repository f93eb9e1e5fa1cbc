/**
 * Cuts the scanner's byte stream into lines, like serialport's ReadlineParser, but without its
 * two failure modes on an unattended kiosk: an unbounded buffer (a line is held only up to
 * `maxLineBytes`; the rest of an over-long line is counted and dropped up to its terminator, so
 * it is never cut into a plausible-looking code) and no timeout (a fragment idle for `staleMs` is
 * dropped, so noise cannot glue itself onto the next real code).
 *
 * Any of CR, LF or CRLF ends a line, whatever the scanner was configured to send: a line break
 * can never be part of a code, and scanners set to CR that send CRLF (or the reverse) are common.
 * An LF right after a CR belongs to that CR; other empty lines are reported for quiet counting.
 *
 * Pure and clock-free: the caller passes `now` (monotonic ms), so tests need no timers.
 */

const CR = 0x0d;
const LF = 0x0a;

export type SplitEvent =
  | { kind: 'line'; bytes: Buffer }
  /** `length` is the whole dropped line; `sample` at most its first `maxLineBytes`, for a masked log. */
  | { kind: 'drop'; reason: 'too-long' | 'stale'; length: number; sample: Buffer };

export interface LineSplitterOptions {
  maxLineBytes: number;
  staleMs: number;
}

export class LineSplitter {
  readonly #buf: Buffer;
  readonly #staleMs: number;
  #len = 0;
  /** Bytes of the current line beyond the cap; > 0 means the line is being discarded. */
  #overflow = 0;
  #lastAt = 0;
  #afterCR = false;

  constructor(opts: LineSplitterOptions) {
    if (!Number.isInteger(opts.maxLineBytes) || opts.maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${opts.maxLineBytes}`);
    }
    if (!(opts.staleMs > 0)) throw new RangeError(`staleMs must be > 0, got ${opts.staleMs}`);
    this.#buf = Buffer.alloc(opts.maxLineBytes);
    this.#staleMs = opts.staleMs;
  }

  /** A fragment (or an over-long line being discarded) is waiting for its terminator. */
  get pending(): boolean {
    return this.#len > 0 || this.#overflow > 0;
  }

  /** When the pending fragment goes stale, for the caller's timer; undefined if nothing is pending. */
  staleAt(): number | undefined {
    return this.pending ? this.#lastAt + this.#staleMs : undefined;
  }

  push(chunk: Uint8Array, now: number): SplitEvent[] {
    const out = this.expire(now);
    for (const byte of chunk) {
      if (byte === LF && this.#afterCR) {
        this.#afterCR = false;
        continue;
      }
      this.#afterCR = byte === CR;
      if (byte === CR || byte === LF) {
        out.push(this.#end());
      } else if (this.#overflow === 0 && this.#len < this.#buf.length) {
        this.#buf[this.#len] = byte;
        this.#len += 1;
      } else {
        this.#overflow += 1;
      }
    }
    if (chunk.length > 0) this.#lastAt = now;
    return out;
  }

  /** Drops the pending fragment if no byte arrived for `staleMs`. */
  expire(now: number): SplitEvent[] {
    if (!this.pending || now - this.#lastAt < this.#staleMs) return [];
    // An over-long line stays `too-long` even when it ends by timeout: that is the more useful cause.
    const reason = this.#overflow > 0 ? 'too-long' : 'stale';
    const event: SplitEvent = {
      kind: 'drop',
      reason,
      length: this.#len + this.#overflow,
      sample: this.#take(),
    };
    return [event];
  }

  /** Forgets everything held (the port went away); returns how many bytes were dropped. */
  reset(): number {
    const dropped = this.#len + this.#overflow;
    this.#take();
    this.#afterCR = false;
    return dropped;
  }

  #end(): SplitEvent {
    if (this.#overflow === 0) return { kind: 'line', bytes: this.#take() };
    const length = this.#len + this.#overflow;
    return { kind: 'drop', reason: 'too-long', length, sample: this.#take() };
  }

  #take(): Buffer {
    const bytes = Buffer.from(this.#buf.subarray(0, this.#len));
    this.#len = 0;
    this.#overflow = 0;
    return bytes;
  }
}
