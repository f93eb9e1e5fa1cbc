/**
 * ESC/POS bytes for a print document: the printer-side twin of text-render.ts. Pure (no I/O), so the
 * golden receipts in test/fixtures/escpos pin every byte. Command bytes are the Epson ones that
 * Chinese-firmware 58/80 mm printers share (see the reference table in shared/reference/hardware.md §3).
 *
 * Text goes out in GB18030 restricted to its 1- and 2-byte codes: a Chinese-mode printer has no 4-byte
 * table and prints such a sequence as junk ('¥' → "0 6"), so every line passes through `printable` again
 * here, even when it already came from `layoutDocument`.
 */
import type { Align, PrintDocument } from './document.js';
import { layoutDocument, printable, type Line } from './layout.js';
import { encodeGb } from '../gb-encode.js';

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const LF = 0x0a;

export type CutMode = 'partial' | 'full' | 'none';
export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';

export interface QrOptions {
  /** Module (dot) size 1..16; 6 gives a ~25 mm code for a 21-character reference. */
  moduleSize: number;
  errorLevel: QrErrorLevel;
}

export interface EncodeOptions {
  columns: 32 | 48;
  cut: CutMode;
  qr: QrOptions;
  /** Pulse the drawer kick-out after each document. Off by default: most kiosks have no drawer. */
  cashDrawer?: boolean;
  /** Send FS & after ESC @ (default true): some firmwares leave Chinese mode on init. */
  chineseMode?: boolean;
}

/** Largest QR payload a model 2 symbol holds (numeric, level L); the printer ignores anything longer. */
export const QR_MAX_BYTES = 7089;

const ALIGN_CODE: Record<Align, number> = { left: 0, center: 1, right: 2 };
const QR_LEVEL_CODE: Record<QrErrorLevel, number> = { L: 48, M: 49, Q: 50, H: 51 };

/** The commands, one function each, so tests and the decoder's own tests can name the bytes. */
export const cmd = {
  /** ESC @: clears modes and the print buffer, so a half-sent earlier job cannot leak into this one. */
  init: (): Buffer => Buffer.from([ESC, 0x40]),
  /** FS &: Chinese (2-byte GB) character mode. */
  chineseOn: (): Buffer => Buffer.from([FS, 0x26]),
  align: (a: Align): Buffer => Buffer.from([ESC, 0x61, ALIGN_CODE[a]]),
  bold: (on: boolean): Buffer => Buffer.from([ESC, 0x45, on ? 1 : 0]),
  /** GS !: width and height multipliers; size 2 is 0x11 (double width and height). */
  size: (s: 1 | 2): Buffer => Buffer.from([GS, 0x21, s === 2 ? 0x11 : 0x00]),
  lf: (): Buffer => Buffer.from([LF]),
  /** ESC d n: print and feed n lines (n <= 255). */
  feed: (n: number): Buffer => Buffer.from([ESC, 0x64, n]),
  /**
   * GS V 65/66 n: feed to the cutter plus n motion units, then cut. Unlike GS V 0/1 this never cuts
   * through the last printed lines, whatever the head-to-cutter distance of the model.
   */
  cut: (mode: 'partial' | 'full', feed = 0): Buffer =>
    Buffer.from([GS, 0x56, mode === 'full' ? 65 : 66, feed]),
  /** ESC p 0 t1 t2: pulse pin 2 for 25 x 2 ms on, 250 x 2 ms off. */
  drawer: (): Buffer => Buffer.from([ESC, 0x70, 0x00, 0x19, 0xfa]),
  qr: (data: string, moduleSize: number, level: QrErrorLevel): Buffer => {
    // The store length counts bytes, not UTF-16 units: a non-ASCII payload would be cut short otherwise.
    const bytes = Buffer.from(data, 'utf8');
    const stored = bytes.length + 3;
    return Buffer.concat([
      Buffer.from([GS, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0x00]), // fn 65: model 2
      Buffer.from([GS, 0x28, 0x6b, 3, 0, 0x31, 0x43, moduleSize]), // fn 67: module size
      Buffer.from([GS, 0x28, 0x6b, 3, 0, 0x31, 0x45, QR_LEVEL_CODE[level]]), // fn 69: error level
      Buffer.from([GS, 0x28, 0x6b, stored & 0xff, stored >> 8, 0x31, 0x50, 0x30]), // fn 80: store
      bytes,
      Buffer.from([GS, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30]), // fn 81: print
    ]);
  },
};

/** Encodes one line of text in 1- or 2-byte GB18030 only. */
export function gbText(text: string): Buffer {
  return encodeGb(printable(text).replace(/\n/g, ' '), 'gb18030');
}

/** Throws RangeError for options no printer accepts (a config error, checked once at start-up). */
export function checkEncodeOptions(opts: EncodeOptions): void {
  const m = opts.qr.moduleSize;
  if (!Number.isInteger(m) || m < 1 || m > 16) throw new RangeError(`QR module size must be 1..16, got ${m}`);
}

/** Turns laid-out lines into printer bytes: one job, from ESC @ to the cut (and drawer pulse). */
export function encodeLines(lines: readonly Line[], opts: EncodeOptions): Buffer {
  checkEncodeOptions(opts);
  const out: Buffer[] = [cmd.init()];
  if (opts.chineseMode ?? true) out.push(cmd.chineseOn());
  // ESC @ leaves left, not bold, size 1; modes are sent only when a line needs a change.
  let align: Align = 'left';
  let bold = false;
  let size: 1 | 2 = 1;
  let blank = 0;
  const setAlign = (a: Align): void => {
    if (a !== align) out.push(cmd.align(a));
    align = a;
  };
  const flushBlank = (): void => {
    // A run of empty lines is one ESC d: it cannot be split by a buffer boundary mid-feed.
    while (blank > 0) {
      const n = Math.min(blank, 255);
      out.push(n === 1 ? cmd.lf() : cmd.feed(n));
      blank -= n;
    }
  };
  for (const line of lines) {
    switch (line.kind) {
      case 'text': {
        if (line.text === '') {
          blank += 1;
          break;
        }
        flushBlank();
        setAlign(line.align);
        if (line.bold !== bold) out.push(cmd.bold(line.bold));
        bold = line.bold;
        if (line.size !== size) out.push(cmd.size(line.size));
        size = line.size;
        out.push(gbText(line.text), cmd.lf());
        break;
      }
      case 'qr': {
        flushBlank();
        const bytes = Buffer.byteLength(line.data, 'utf8');
        // An empty store is an invalid command; a receipt without its QR still beats no receipt.
        if (bytes === 0) break;
        if (bytes > QR_MAX_BYTES)
          throw new RangeError(`QR payload is ${bytes} bytes, at most ${QR_MAX_BYTES}`);
        const moduleSize = Math.min(16, Math.max(1, Math.round(line.size ?? opts.qr.moduleSize)));
        setAlign('center');
        out.push(cmd.qr(line.data, moduleSize, opts.qr.errorLevel));
        break;
      }
      case 'cut':
        flushBlank();
        if (opts.cut !== 'none') out.push(cmd.cut(opts.cut));
        break;
    }
  }
  flushBlank();
  if (opts.cashDrawer === true) out.push(cmd.drawer());
  return Buffer.concat(out);
}

/** Lays out `doc` for the paper width and encodes it. */
export function encodeDocument(doc: PrintDocument, opts: EncodeOptions): Buffer {
  return encodeLines(layoutDocument(doc, opts.columns), opts);
}
