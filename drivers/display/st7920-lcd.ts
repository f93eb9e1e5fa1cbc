/**
 * What the ST7920 128x64 LCD shows, and the bytes that put it there. Pure; the device in
 * st7920.ts sends the frames over SPI.
 *
 * The controller's text mode draws 4 lines of 16 half-width cells from its own GB2312 font: a
 * Chinese character is 16x16 dots and takes two cells, and must start on a word (an even cell):
 * written at an odd cell it pairs with the next word's byte and shows garbage. So every line is
 * laid out in GB2312 bytes with each Chinese character on an even cell.
 *
 * Serial protocol (ST7920 datasheet, "serial interface"): each byte is three bytes on the wire:
 * a sync byte 11111 RW RS 0 (0xF8 instruction, 0xFA data), then the high nibble and the low
 * nibble, each in the top four bits. Instructions take 72 µs, clear 1.6 ms; delays follow each.
 */
import { displayWidth, printable } from '../printer/layout.js';
import type { DisplayView, Words } from './types.js';
import { encodeGb } from '../gb-encode.js';

export const LCD_COLS = 16;
export const LCD_ROWS = 4;
/** DDRAM word address of each text line (lines 3 and 4 continue lines 1 and 2 in the map). */
export const ROW_ADDRESS = [0x00, 0x10, 0x08, 0x18] as const;

export const SYNC_INSTRUCTION = 0xf8;
export const SYNC_DATA = 0xfa;
export const CMD = {
  /** Function set: 8-bit interface, basic instruction set. */
  basic: 0x30,
  /** Display on, cursor off, blink off. */
  displayOn: 0x0c,
  clear: 0x01,
  /** Entry mode: address counter increments, no shift. */
  entry: 0x06,
  /** Set DDRAM address (OR the word address). */
  ddram: 0x80,
} as const;
/** µs to wait after an instruction or data byte, and after clear (datasheet: 72 µs and 1.6 ms). */
export const DELAY_US = { byte: 80, clear: 1_600, init: 100 } as const;

export interface SpiFrame {
  bytes: Buffer;
  /** Wait this long after the frame, before the next one. */
  delayUs: number;
}

function wire(sync: number, b: number, delayUs: number): SpiFrame {
  return { bytes: Buffer.from([sync, b & 0xf0, (b << 4) & 0xf0]), delayUs };
}

/** Power-on set-up: basic instructions, display on without cursor, cleared, incrementing. */
export function initFrames(): SpiFrame[] {
  return [
    wire(SYNC_INSTRUCTION, CMD.basic, DELAY_US.init),
    wire(SYNC_INSTRUCTION, CMD.basic, DELAY_US.init),
    wire(SYNC_INSTRUCTION, CMD.displayOn, DELAY_US.init),
    wire(SYNC_INSTRUCTION, CMD.clear, DELAY_US.clear),
    wire(SYNC_INSTRUCTION, CMD.entry, DELAY_US.init),
  ];
}

/** One text line: set the address of row `row`, then its 16 bytes. */
export function lineFrames(row: number, bytes: Buffer): SpiFrame[] {
  const frames = [wire(SYNC_INSTRUCTION, CMD.ddram | (ROW_ADDRESS[row] ?? 0), DELAY_US.byte)];
  for (const b of bytes) frames.push(wire(SYNC_DATA, b, DELAY_US.byte));
  return frames;
}

/**
 * The four lines for a view: the title; the amount with its note on the right when both fit; then
 * the alert and the detail lines in order, as many as are left. Chinese words only: the font is
 * GB2312, and 8 characters a line leave no room for a second language.
 */
export function lcdLines(view: DisplayView): Buffer[] {
  const out: Buffer[] = [encodeLine(view.title.zh)];
  if (view.amount !== undefined) {
    const amount = `￥${view.amount}`;
    const note = view.amountNote === undefined ? '' : printable(view.amountNote.zh);
    const gap = LCD_COLS - displayWidth(amount) - displayWidth(note);
    out.push(encodeLine(note !== '' && gap >= 1 ? amount + ' '.repeat(gap) + note : amount));
  }
  const rest: Words[] = [...(view.alert ? [view.alert] : []), ...view.lines];
  for (const words of rest) {
    if (out.length >= LCD_ROWS) break;
    out.push(encodeLine(words.zh));
  }
  while (out.length < LCD_ROWS) out.push(encodeLine(''));
  return out;
}

/**
 * GB2312 bytes for one line, exactly 16: Chinese characters on even cells (a space is put before
 * one that would start on an odd cell), cut where the line is full, characters the font lacks as
 * '?'. Text is made printable first (¥ → ￥, dashes and quotes → ASCII).
 */
export function encodeLine(text: string): Buffer {
  let bytes: number[] = [];
  let cut = false;
  for (const ch of printable(text)) {
    const code = gb2312(ch);
    if (code.length === 2 && bytes.length % 2 === 1) bytes.push(0x20);
    if (bytes.length + code.length > LCD_COLS) {
      cut = true;
      break;
    }
    bytes.push(...code);
  }
  // A line that does not fit ends at its last whole word rather than half a price.
  const space = bytes.lastIndexOf(0x20);
  if (cut && space >= LCD_COLS / 2) bytes = bytes.slice(0, space);
  while (bytes.length < LCD_COLS) bytes.push(0x20);
  return Buffer.from(bytes);
}

/** One character in the controller's font: ASCII as itself, GB2312 as two bytes, else '?'. */
function gb2312(ch: string): number[] {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp >= 0x20 && cp < 0x7f) return [cp];
  const b = encodeGb(ch, 'gbk');
  const [hi = 0, lo = 0] = b;
  // GBK is a superset: only rows A1–F7 and cells A1–FE are GB2312, the font the ST7920 carries.
  if (b.length === 2 && hi >= 0xa1 && hi <= 0xf7 && lo >= 0xa1 && lo <= 0xfe) return [hi, lo];
  return [0x3f];
}
