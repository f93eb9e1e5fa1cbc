/**
 * Linux `struct input_event` as read from /dev/input/event*. The kernel writes `long`-sized time
 * fields, so the record size follows the word size of the *reading process*: a 32-bit (armhf) Node on
 * a 64-bit kernel still gets 16-byte records through the compat layer.
 *
 *   64-bit: tv_sec i64 | tv_usec i64 | type u16 | code u16 | value i32   = 24 bytes
 *   32-bit: tv_sec i32 | tv_usec i32 | type u16 | code u16 | value i32   = 16 bytes
 *
 * Little endian on every platform the kiosk runs on (arm, arm64, x86).
 */
export type WordSize = 64 | 32;

export const EV_SYN = 0;
export const EV_KEY = 1;
export const EV_MSC = 4;

/** EV_KEY values. */
export const KEY_RELEASE = 0;
export const KEY_PRESS = 1;
export const KEY_AUTOREPEAT = 2;

export interface InputEvent {
  sec: number;
  usec: number;
  type: number;
  code: number;
  value: number;
}

export function eventSize(wordSize: WordSize): number {
  return wordSize === 64 ? 24 : 16;
}

/** The word size of this process, which decides the record size the kernel hands us. */
export function wordSizeOf(arch: string = process.arch): WordSize {
  return arch === 'arm' || arch === 'ia32' || arch === 'mips' || arch === 'mipsel' || arch === 'ppc'
    ? 32
    : 64;
}

export function decodeEvent(buf: Buffer, offset: number, wordSize: WordSize): InputEvent {
  if (wordSize === 64) {
    return {
      sec: Number(buf.readBigInt64LE(offset)),
      usec: Number(buf.readBigInt64LE(offset + 8)),
      type: buf.readUInt16LE(offset + 16),
      code: buf.readUInt16LE(offset + 18),
      value: buf.readInt32LE(offset + 20),
    };
  }
  return {
    sec: buf.readInt32LE(offset),
    usec: buf.readInt32LE(offset + 4),
    type: buf.readUInt16LE(offset + 8),
    code: buf.readUInt16LE(offset + 10),
    value: buf.readInt32LE(offset + 12),
  };
}

/**
 * Turns a byte stream into events. Reads from a device return whole records, but a FIFO, a file or
 * a pipe relay may split them anywhere, so a partial record is kept until the rest arrives.
 */
export class InputEventDecoder {
  readonly wordSize: WordSize;
  readonly #size: number;
  #rest: Buffer = Buffer.alloc(0);

  constructor(wordSize: WordSize) {
    this.wordSize = wordSize;
    this.#size = eventSize(wordSize);
  }

  push(chunk: Buffer): InputEvent[] {
    const buf = this.#rest.length === 0 ? chunk : Buffer.concat([this.#rest, chunk]);
    const whole = buf.length - (buf.length % this.#size);
    const events: InputEvent[] = [];
    for (let off = 0; off < whole; off += this.#size) events.push(decodeEvent(buf, off, this.wordSize));
    // Copy so the caller may reuse its read buffer.
    this.#rest = Buffer.from(buf.subarray(whole));
    return events;
  }

  /** Bytes of an incomplete record held back; dropped when the device is reopened. */
  get pending(): number {
    return this.#rest.length;
  }

  reset(): void {
    this.#rest = Buffer.alloc(0);
  }
}

/** The inverse of decodeEvent; used by tests and fixture generation. */
export function encodeEvents(events: readonly InputEvent[], wordSize: WordSize): Buffer {
  const size = eventSize(wordSize);
  const buf = Buffer.alloc(events.length * size);
  events.forEach((e, i) => {
    const off = i * size;
    if (wordSize === 64) {
      buf.writeBigInt64LE(BigInt(e.sec), off);
      buf.writeBigInt64LE(BigInt(e.usec), off + 8);
      buf.writeUInt16LE(e.type, off + 16);
      buf.writeUInt16LE(e.code, off + 18);
      buf.writeInt32LE(e.value, off + 20);
    } else {
      buf.writeInt32LE(e.sec, off);
      buf.writeInt32LE(e.usec, off + 4);
      buf.writeUInt16LE(e.type, off + 8);
      buf.writeUInt16LE(e.code, off + 10);
      buf.writeInt32LE(e.value, off + 12);
    }
  });
  return buf;
}
