/**
 * Test-only ESC/POS reader: turns printer bytes back into what the paper shows, so receipt tests read
 * like the receipt. It knows exactly the commands drivers/printer/escpos.ts may send (plus DLE EOT
 * requests, which share the wire) and throws on anything else, on a 4-byte GB18030 sequence, on a
 * 2-byte GB code outside Chinese mode, on a mode change in the middle of a line and on a line wider
 * than the paper: each of those prints wrong on a real printer, so a golden test must not pass them.
 *
 * Lines are drawn the way text-render.ts draws a document (double size spaced out, QR codes as a
 * centred `[QR: …]`, a cut as `-- cut --`), so decoded bytes and the simulator's text can be compared.
 */
import iconv from 'iconv-lite';
import type { Align } from '../../drivers/printer/document.js';
import { center, displayWidth, padEnd, padStart, printable, wrap } from '../../drivers/printer/layout.js';

export class EscposDecodeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = 'EscposDecodeError';
  }
}

export interface Span {
  text: string;
  bold: boolean;
  size: 1 | 2;
}

export type PaperItem =
  | { kind: 'text'; align: Align; spans: Span[] }
  | { kind: 'qr'; data: string; moduleSize: number; errorLevel: 'L' | 'M' | 'Q' | 'H'; align: Align }
  | { kind: 'cut'; mode: 'full' | 'partial'; feed: number };

export interface Decoded {
  /** What came out of the printer, in order. */
  paper: PaperItem[];
  /** The paper as text lines, each exactly `columns` wide (as text-render.ts draws them). */
  lines: string[];
  /** Every styled run, with the index of its line in `lines`. */
  spans: (Span & { line: number })[];
  /** QR payloads (UTF-8 decoded), in print order. */
  qr: string[];
  /** Indexes in `lines` of the cut marks. */
  cuts: number[];
  /** DLE EOT n requests seen on the wire, in order. */
  statusRequests: number[];
  inits: number;
  drawerPulses: number;
  chineseMode: boolean;
}

export interface DecodeOptions {
  columns: number;
  /** The printer powers up in Chinese mode (for bytes encoded without FS &). */
  chineseByDefault?: boolean;
}

const QR_LEVELS = { 48: 'L', 49: 'M', 50: 'Q', 51: 'H' } as const;

function widen(text: string): string {
  let out = '';
  for (const ch of text) out += ch + ' '.repeat(displayWidth(ch));
  return out;
}

export function decodeEscpos(bytes: Buffer, opts: DecodeOptions): Decoded {
  const cols = opts.columns;
  const out: Decoded = {
    paper: [],
    lines: [],
    spans: [],
    qr: [],
    cuts: [],
    statusRequests: [],
    inits: 0,
    drawerPulses: 0,
    chineseMode: opts.chineseByDefault ?? false,
  };
  let align: Align = 'left';
  let bold = false;
  let size: 1 | 2 = 1;
  let line: Span[] = [];
  const qrState: {
    model?: number | undefined;
    size: number;
    level: 'L' | 'M' | 'Q' | 'H';
    data?: Buffer | undefined;
  } = {
    size: 3,
    level: 'L',
  };
  let i = 0;

  const at = (k: number): number => {
    const b = bytes[k];
    if (b === undefined) throw new EscposDecodeError('command cut short', k);
    return b;
  };
  const lineWidth = (): number => line.reduce((w, s) => w + displayWidth(s.text) * s.size, 0);
  const requireLineStart = (what: string): void => {
    if (line.length > 0) throw new EscposDecodeError(`${what} in the middle of a line`, i);
  };
  const addChar = (ch: string): void => {
    const last = line.at(-1);
    if (last && last.bold === bold && last.size === size) last.text += ch;
    else line.push({ text: ch, bold, size });
    if (lineWidth() > cols) throw new EscposDecodeError(`line wider than ${cols} columns`, i);
  };
  const endLine = (): void => {
    const content = line.map((s) => (s.size === 2 ? widen(s.text) : s.text)).join('');
    const spare = Math.max(0, cols - displayWidth(content));
    let text: string;
    if (align === 'left') text = padEnd(content, cols);
    else if (align === 'right') text = padStart(content, cols);
    else text = ' '.repeat(Math.floor(spare / 2)) + content + ' '.repeat(spare - Math.floor(spare / 2));
    for (const s of line) out.spans.push({ ...s, line: out.lines.length });
    out.paper.push({ kind: 'text', align, spans: line });
    out.lines.push(text);
    line = [];
  };

  while (i < bytes.length) {
    const b = at(i);
    const start = i;
    if (b === 0x0a) {
      endLine();
      i += 1;
    } else if (b >= 0x20 && b <= 0x7e) {
      addChar(String.fromCharCode(b));
      i += 1;
    } else if (b >= 0x81 && b <= 0xfe) {
      const t = at(i + 1);
      if (t >= 0x30 && t <= 0x39) throw new EscposDecodeError('4-byte GB18030 sequence', i);
      if (t < 0x40 || t === 0x7f || t === 0xff) throw new EscposDecodeError('invalid GB trail byte', i + 1);
      if (!out.chineseMode) throw new EscposDecodeError('2-byte GB code outside Chinese mode', i);
      addChar(iconv.decode(bytes.subarray(i, i + 2), 'gb18030'));
      i += 2;
    } else if (b === 0x1b) {
      const c = at(i + 1);
      if (c === 0x40) {
        out.inits += 1;
        align = 'left';
        bold = false;
        size = 1;
        line = []; // ESC @ clears the print buffer
        i += 2;
      } else if (c === 0x61) {
        requireLineStart('ESC a');
        const n = at(i + 2);
        const a = (['left', 'center', 'right'] as const)[n];
        if (a === undefined) throw new EscposDecodeError(`ESC a ${n}`, i);
        align = a;
        i += 3;
      } else if (c === 0x45) {
        const n = at(i + 2);
        if (n > 1) throw new EscposDecodeError(`ESC E ${n}`, i);
        bold = n === 1;
        i += 3;
      } else if (c === 0x64) {
        const n = at(i + 2);
        if (n === 0) throw new EscposDecodeError('ESC d 0', i);
        for (let k = 0; k < n; k++) endLine();
        i += 3;
      } else if (c === 0x70) {
        const m = at(i + 2);
        if (![0, 1, 48, 49].includes(m)) throw new EscposDecodeError(`ESC p ${m}`, i);
        at(i + 4);
        out.drawerPulses += 1;
        i += 5;
      } else {
        throw new EscposDecodeError(`unknown command ESC 0x${c.toString(16)}`, i);
      }
    } else if (b === 0x1c) {
      const c = at(i + 1);
      if (c === 0x26) out.chineseMode = true;
      else if (c === 0x2e) out.chineseMode = false;
      else throw new EscposDecodeError(`unknown command FS 0x${c.toString(16)}`, i);
      i += 2;
    } else if (b === 0x1d) {
      const c = at(i + 1);
      if (c === 0x21) {
        const n = at(i + 2);
        if (n !== 0x00 && n !== 0x11) throw new EscposDecodeError(`GS ! 0x${n.toString(16)}`, i);
        size = n === 0x11 ? 2 : 1;
        i += 3;
      } else if (c === 0x56) {
        requireLineStart('GS V');
        const m = at(i + 2);
        let feed = 0;
        let mode: 'full' | 'partial';
        if (m === 0 || m === 48) mode = 'full';
        else if (m === 1 || m === 49) mode = 'partial';
        else if (m === 65 || m === 66) {
          mode = m === 65 ? 'full' : 'partial';
          feed = at(i + 3);
          i += 1;
        } else throw new EscposDecodeError(`GS V ${m}`, i);
        out.cuts.push(out.lines.length);
        out.lines.push(center('-- cut --', cols, '-'));
        out.paper.push({ kind: 'cut', mode, feed });
        i += 3;
      } else if (c === 0x28 && at(i + 2) === 0x6b) {
        const len = at(i + 3) + at(i + 4) * 256;
        if (len < 3) throw new EscposDecodeError(`GS ( k with length ${len}`, i);
        const cn = at(i + 5);
        const fn = at(i + 6);
        if (cn !== 0x31) throw new EscposDecodeError(`GS ( k cn ${cn} (not QR)`, i);
        const end = i + 5 + len;
        at(end - 1);
        const params = bytes.subarray(i + 7, end);
        if (fn === 65 && len === 4) {
          qrState.model = params[0];
          if (qrState.model !== 50 || params[1] !== 0) throw new EscposDecodeError('QR model is not 2', i);
        } else if (fn === 67 && len === 3) {
          qrState.size = params[0] ?? 0;
          if (qrState.size < 1 || qrState.size > 16) throw new EscposDecodeError('QR module size', i);
        } else if (fn === 69 && len === 3) {
          const level = QR_LEVELS[params[0] as keyof typeof QR_LEVELS] as (typeof QR_LEVELS)[48] | undefined;
          if (level === undefined) throw new EscposDecodeError('QR error level', i);
          qrState.level = level;
        } else if (fn === 80 && params[0] === 0x30) {
          if (len === 3) throw new EscposDecodeError('QR store of no data', i);
          qrState.data = Buffer.from(params.subarray(1));
        } else if (fn === 81 && len === 3 && params[0] === 0x30) {
          requireLineStart('QR print');
          if (qrState.data === undefined || qrState.model === undefined) {
            throw new EscposDecodeError('QR print without model and data', i);
          }
          const data = new TextDecoder('utf-8', { fatal: true }).decode(qrState.data);
          out.qr.push(data);
          out.paper.push({ kind: 'qr', data, moduleSize: qrState.size, errorLevel: qrState.level, align });
          for (const l of wrap(printable(`[QR: ${data}]`), cols)) out.lines.push(center(l, cols));
          qrState.data = undefined;
        } else {
          throw new EscposDecodeError(`GS ( k fn ${fn} with length ${len}`, i);
        }
        i = end;
      } else {
        throw new EscposDecodeError(`unknown command GS 0x${c.toString(16)}`, i);
      }
    } else if (b === 0x10 && at(i + 1) === 0x04) {
      const n = at(i + 2);
      if (n < 1 || n > 4) throw new EscposDecodeError(`DLE EOT ${n}`, i);
      out.statusRequests.push(n);
      i += 3;
    } else {
      throw new EscposDecodeError(`unexpected byte 0x${b.toString(16)}`, i);
    }
    if (i <= start) throw new EscposDecodeError('decoder made no progress', i);
  }
  if (line.length > 0) throw new EscposDecodeError('text left unprinted (no LF at the end)', i);
  return out;
}

/** The decoded lines in text-render's frame, to compare with `renderText` output byte for byte. */
export function framed(d: Decoded, columns: number): string {
  const edge = `+${'-'.repeat(columns + 2)}+`;
  return [edge, ...d.lines.map((l) => `| ${l} |`), edge].join('\n') + '\n';
}
