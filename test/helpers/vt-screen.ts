/**
 * The bytes a program wrote to a terminal, played onto a grid of cells like a Linux console would:
 * cursor moves (CSI row;col H), clears (CSI 2J), attributes (CSI … m: bold, inverse, colour), UTF-8
 * text with CJK taking two cells. Anything else (CSI ? 25 l, the console's CSI 9;0 ]) is parsed and
 * ignored. Enough to read back what the tty display drew, never a terminal emulator.
 */
import { isWide } from '../../drivers/printer/layout.js';

export interface Cell {
  ch: string;
  bold: boolean;
  inverse: boolean;
}

export interface VtScreen {
  /** Each row's text, trailing spaces trimmed (a wide character's second cell is not repeated). */
  rows: string[];
  cells: Cell[][];
  /** Sequences seen that were not drawing (for asserting set-up: cursor hidden, autowrap off). */
  modes: string[];
}

export function playVt(bytes: Buffer | string, cols: number, rows: number): VtScreen {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  const blank = (): Cell => ({ ch: ' ', bold: false, inverse: false });
  const cells: Cell[][] = Array.from({ length: rows }, () => Array.from({ length: cols }, blank));
  const modes: string[] = [];
  let r = 0;
  let c = 0;
  let bold = false;
  let inverse = false;
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i += 1) {
    const ch = chars[i] ?? '';
    if (ch === '\x1b' && chars[i + 1] === '[') {
      let j = i + 2;
      let params = '';
      while (j < chars.length && !/[\x40-\x7e]/.test(chars[j] ?? '')) params += chars[j++] ?? '';
      const final = chars[j] ?? '';
      i = j;
      if (final === 'H') {
        const [row = '1', col = '1'] = params.split(';');
        r = Number(row) - 1;
        c = Number(col) - 1;
      } else if (final === 'J' && params === '2') {
        for (let y = 0; y < rows; y += 1) cells[y] = Array.from({ length: cols }, blank);
      } else if (final === 'm') {
        for (const p of (params === '' ? '0' : params).split(';')) {
          if (p === '0') [bold, inverse] = [false, false];
          else if (p === '1') bold = true;
          else if (p === '7') inverse = true;
        }
      } else modes.push(`${params}${final}`);
      continue;
    }
    if (ch === '\r') c = 0;
    else if (ch === '\n') r += 1;
    else if (r >= 0 && r < rows) {
      const width = isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
      if (c + width <= cols) {
        const line = cells[r];
        if (line) {
          line[c] = { ch, bold, inverse };
          if (width === 2) line[c + 1] = { ch: '', bold, inverse };
        }
      }
      // No autowrap: the program switched it off, and a real console would clip the same way.
      c = Math.min(cols, c + width);
    }
  }
  return {
    rows: cells.map((line) =>
      line
        .map((x) => x.ch)
        .join('')
        .trimEnd(),
    ),
    cells,
    modes,
  };
}
