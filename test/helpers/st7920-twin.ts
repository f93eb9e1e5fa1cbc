/**
 * An ST7920 LCD controller twin at the SPI byte level, for the st7920 display driver (this machine
 * has no SPI bus). It takes the wire bytes, checks them as the chip would (sync byte, nibble
 * framing, the delay after each instruction, Chinese characters on word boundaries, GB2312 only)
 * and keeps the text DDRAM, which reads back as the four lines the glass would show.
 *
 * Every departure from the datasheet is recorded in `errors` rather than thrown, so a test can
 * assert a clean run and still see everything that went wrong at once.
 */
import iconv from 'iconv-lite';
import type { SpiFrame } from '../../drivers/display/st7920-lcd.js';
import type { SpiLink } from '../../drivers/display/spidev.js';

/** Line of each DDRAM word address 0x00–0x1F, and its first cell. */
function cellOf(word: number): { row: number; col: number } {
  const row = [0, 2, 1, 3][word >> 3] ?? 0;
  return { row, col: (word & 0x07) * 2 };
}

export class St7920Twin implements SpiLink {
  /** 4 lines x 16 bytes, as the chip's text RAM holds them. */
  readonly ddram: number[][] = Array.from({ length: 4 }, () => Array<number>(16).fill(0x20));
  readonly errors: string[] = [];
  displayOn = false;
  basic = false;
  /** Frames (bytes on the wire / 3) received, per write. */
  readonly writes: number[] = [];
  /** The next write fails as a broken bus would (EIO). */
  failNext = false;
  closed = false;
  #word = 0;
  /** First byte of the word being written; the second completes it and moves to the next word. */
  #high: number | undefined;

  write(frames: readonly SpiFrame[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('twin closed'));
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }));
    }
    this.writes.push(frames.length);
    for (const f of frames) this.#frame(f);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** The four lines as the glass shows them (GB2312 decoded; a broken pair shows as '�'). */
  lines(): string[] {
    return this.ddram.map((row) => iconv.decode(Buffer.from(row), 'gbk'));
  }

  #frame(f: SpiFrame): void {
    const [sync, hi, lo] = f.bytes;
    if (f.bytes.length !== 3 || sync === undefined || hi === undefined || lo === undefined) {
      this.errors.push(`frame of ${f.bytes.length} bytes`);
      return;
    }
    if ((hi & 0x0f) !== 0 || (lo & 0x0f) !== 0) this.errors.push(`bad nibbles ${f.bytes.toString('hex')}`);
    const b = (hi & 0xf0) | (lo >> 4);
    if (sync === 0xf8) this.#instruction(b, f.delayUs);
    else if (sync === 0xfa) this.#data(b, f.delayUs);
    else this.errors.push(`bad sync byte ${sync.toString(16)}`);
  }

  #instruction(b: number, delayUs: number): void {
    const need = b === 0x01 ? 1_600 : 72;
    if (delayUs < need) this.errors.push(`instruction ${b.toString(16)} followed by ${delayUs} µs < ${need}`);
    if ((b & 0xf0) === 0x30) this.basic = (b & 0x04) === 0;
    else if (b === 0x01) {
      for (const row of this.ddram) row.fill(0x20);
      this.#word = 0;
      this.#high = undefined;
    } else if ((b & 0xf8) === 0x08) this.displayOn = (b & 0x04) !== 0;
    else if (b === 0x06) {
      // entry mode: increment; the only one the twin models
    } else if ((b & 0x80) !== 0) {
      if (!this.basic) this.errors.push('DDRAM address set outside the basic instruction set');
      this.#word = b & 0x1f;
      this.#high = undefined;
    } else this.errors.push(`instruction ${b.toString(16)} not modelled`);
  }

  #data(b: number, delayUs: number): void {
    if (delayUs < 72) this.errors.push(`data byte followed by ${delayUs} µs < 72`);
    const { row, col } = cellOf(this.#word);
    const line = this.ddram[row];
    if (!line) return;
    if (this.#high === undefined) {
      this.#high = b;
      line[col] = b;
      return;
    }
    // A GB2312 character must be the two bytes of one word; a lead byte in the second half splits it.
    if (b >= 0xa1 && this.#high < 0x80)
      this.errors.push(`Chinese character split across words at ${row}:${col + 1}`);
    if (this.#high >= 0xa1 && !(b >= 0xa1 && b <= 0xfe)) {
      this.errors.push(`not GB2312: ${this.#high.toString(16)}${b.toString(16)} at ${row}:${col}`);
    }
    line[col + 1] = b;
    this.#high = undefined;
    this.#word = (this.#word + 1) & 0x1f;
  }
}
