/**
 * A `DisplayView` laid out on a grid of character cells: the console (tty) backend draws these rows
 * on the kiosk's screen and the simulator draws the same rows in its screen pane, so what a
 * developer sees is what a member sees. Pure: rows in, rows out.
 *
 * Layout, top to bottom: the title; then, centred in the rest, the alert (a refusal, a scan not
 * taken), the amount in large digits when they fit (else one line), its note, and the detail lines
 * in order of importance, dropped from the end when the screen is too short.
 */
import { center, displayWidth, isWide } from '../printer/layout.js';
import { BIG_ROWS, bigText, bigWidth } from './big-digits.js';
import type { DisplayView, Words } from './types.js';

export interface TextScreenOptions {
  cols: number;
  rows: number;
  /**
   * The terminal's font has CJK glyphs (fbterm, kmscon, a desktop terminal). A Linux virtual
   * console's font holds at most 512 glyphs and has none: then only the English words are drawn.
   */
  cjk: boolean;
  /** Largest scale for the amount's digits (1 = 5 rows high). Default 3. */
  maxScale?: number;
}

export type RowStyle = 'title' | 'alert' | 'amount' | 'plain';

/** How a terminal marks each kind of row (SGR): the title inverse, an alert bold yellow. */
export const ROW_SGR: Readonly<Record<RowStyle, string>> = {
  title: '\x1b[1;7m',
  alert: '\x1b[1;33m',
  amount: '\x1b[1m',
  plain: '\x1b[0m',
};

export interface TextRow {
  /** Exactly `cols` columns wide (CJK counts 2). */
  text: string;
  style: RowStyle;
}

export function layoutText(view: DisplayView, o: TextScreenOptions): TextRow[] {
  const say = (words: Words | undefined, style: RowStyle): TextRow[] =>
    words === undefined ? [] : phrase(words, o).map((text) => ({ text, style }));
  const title = say(view.title, 'title');
  const alert = say(view.alert && { zh: `! ${view.alert.zh}`, en: `! ${view.alert.en}` }, 'alert');
  const note = say(view.amountNote, 'plain');
  const lines = view.lines.flatMap((l) => [say(l, 'plain')]);
  const room = o.rows - title.length;
  const amount =
    view.amount === undefined ? [] : amountRows(view.amount, o, room - alert.length - note.length);
  const gap = (rows: TextRow[]): TextRow[] => (rows.length > 0 ? [{ text: '', style: 'plain' }] : []);
  let body = [...alert, ...amount, ...note, ...gap(amount)];
  // The detail lines take what is left, most important first; each phrase stays whole.
  for (const l of lines) {
    if (body.length + l.length > room) break;
    body = [...body, ...l];
  }
  while (body.length > 0 && body.length > room) body.pop();
  const top = Math.max(0, Math.floor((room - body.length) / 2));
  const blank = (): TextRow => ({ text: '', style: 'plain' });
  const rows = [...title, ...Array.from({ length: top }, blank), ...body];
  while (rows.length < o.rows) rows.push(blank());
  return rows.slice(0, o.rows).map((r) => ({ text: fit(r.text, o.cols), style: r.style }));
}

/** One phrase as the lines this terminal can draw: both languages on one line if they fit. */
function phrase(words: Words, o: TextScreenOptions): string[] {
  if (!o.cjk) return [latin(words.en)];
  if (words.zh === words.en) return [words.zh];
  const one = `${words.zh}  ${words.en}`;
  return displayWidth(one) <= o.cols ? [one] : [words.zh, words.en];
}

/** The amount in large digits at the largest scale that fits, else one plain line. */
function amountRows(amount: string, o: TextScreenOptions, room: number): TextRow[] {
  const text = `￥${amount}`;
  for (let scale = o.maxScale ?? 3; scale >= 1; scale -= 1) {
    const width = bigWidth(text, scale);
    // Keep a blank row under the digits, and one row for the first detail line.
    if (width !== undefined && width <= o.cols && BIG_ROWS * scale + 2 <= room) {
      return bigText(text, scale).map((t) => ({ text: t, style: 'amount' }));
    }
  }
  return [{ text: o.cjk ? text : latin(text), style: 'amount' }];
}

/** Centred, or cut when too wide. */
function fit(text: string, cols: number): string {
  return displayWidth(text) <= cols ? center(text, cols) : clip(text, cols);
}

/** Cut to `cols` columns (CJK counts 2) without splitting a wide character, padded to exactly that. */
export function clip(text: string, cols: number): string {
  let out = '';
  let w = 0;
  for (const ch of text) {
    const cw = displayWidth(ch);
    if (w + cw > cols) break;
    out += ch;
    w += cw;
  }
  return out + ' '.repeat(cols - w);
}

/** What a Latin console font can draw: ASCII and Latin-1 (¥ included); anything wider is '?'. */
const LATIN: Readonly<Record<string, string>> = {
  '￥': '¥',
  '–': '-',
  '—': '-',
  '…': '...',
  '·': '.',
  '，': ', ',
  '：': ': ',
  '‘': "'",
  '’': "'",
};

export function latin(s: string): string {
  let out = '';
  for (const ch of s) {
    const mapped = LATIN[ch];
    const cp = ch.codePointAt(0) ?? 0;
    if (mapped !== undefined) out += mapped;
    else if (cp >= 0x20 && cp <= 0xff && !(cp >= 0x7f && cp < 0xa0)) out += ch;
    else out += isWide(cp) ? '??' : '?';
  }
  return out;
}
