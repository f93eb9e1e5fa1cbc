/**
 * A print document as it would look on paper, as plain text: the simulator shows it on screen and the kiosk
 * saves it as the .txt copy of a receipt. Framing is ASCII only, because box-drawing characters are
 * "ambiguous width" and would break the column arithmetic in a CJK terminal.
 */
import type { Align, PrintDocument } from './document.js';
import {
  center,
  displayWidth,
  layoutDocument,
  padEnd,
  padStart,
  printable,
  wrap,
  type Line,
} from './layout.js';

/** Double size takes twice the columns on paper; spacing each character out shows that footprint. */
function widen(text: string): string {
  let out = '';
  for (const ch of text) out += ch + ' '.repeat(displayWidth(ch));
  return out;
}

function align(text: string, how: Align, cols: number): string {
  switch (how) {
    case 'left':
      return padEnd(text, cols);
    case 'center':
      return center(text, cols);
    case 'right':
      return padStart(text, cols);
  }
}

function contentLines(line: Line, cols: number): string[] {
  switch (line.kind) {
    case 'text':
      return [align(line.size === 2 ? widen(line.text) : line.text, line.align, cols)];
    case 'qr':
      return wrap(printable(`[QR: ${line.data}]`), cols).map((l) => center(l, cols));
    case 'cut':
      return [center('-- cut --', cols, '-')];
  }
}

/**
 * Renders `doc` for paper `cols` columns wide inside a `+--+` / `| |` frame. Every returned line has the
 * same display width (cols + 4); the result ends with a newline.
 */
export function renderText(doc: PrintDocument, cols: number): string {
  const edge = `+${'-'.repeat(cols + 2)}+`;
  const body = layoutDocument(doc, cols)
    .flatMap((line) => contentLines(line, cols))
    .map((l) => `| ${padEnd(l, cols)} |`);
  return [edge, ...body, edge].join('\n') + '\n';
}
