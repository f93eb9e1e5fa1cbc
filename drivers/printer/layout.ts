/**
 * Pure text layout for receipts: display widths, wrapping and alignment in printer columns. The output
 * (`Line[]`) is what both the ESC/POS encoder and the text renderer consume, so nothing here knows about
 * printer bytes beyond which characters a Chinese-mode printer can print at all.
 *
 * Widths: on a Chinese-firmware printer ASCII prints as a 12-dot half cell and every 2-byte GB character as a
 * 24-dot full cell. That matches East Asian Width (Wide/Fullwidth = 2) for CJK text, but not for the
 * "ambiguous" characters GB also contains (· — “ é ★ ─), which print wide yet measure 1 in a terminal.
 * `printable` therefore maps those to ASCII, so one width table is right on paper and on screen.
 */
import type { Align, PrintDocument } from './document.js';
import { encodeGb } from '../gb-encode.js';

/** One laid-out line. Text lines carry their attributes; `text` is unpadded (alignment is an attribute). */
export type Line =
  | { kind: 'text'; text: string; align: Align; bold: boolean; size: 1 | 2 }
  | { kind: 'qr'; data: string; size?: number }
  | { kind: 'cut' };

/** East Asian Wide and Fullwidth ranges (inclusive), sorted; enough for Chinese, Japanese, Korean text. */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo leading consonants
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, enclosed CJK, CJK compatibility
  [0x3400, 0x4dbf], // CJK Extension A
  [0x4e00, 0x9fff], // CJK Unified Ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo Extended-A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth ASCII and punctuation
  [0xffe0, 0xffe6], // fullwidth signs: ￠ ￡ ￢ ￣ ￤ ￥ ￦
  [0x1f300, 0x1f64f], // emoji (pictographs, emoticons)
  [0x1f680, 0x1f6ff], // emoji (transport and map)
  [0x1f900, 0x1f9ff], // supplemental emoji
  [0x20000, 0x3fffd], // CJK Extensions B–H, planes 2 and 3
];

/** Zero-width format characters that are not combining marks: ZWSP, ZWNJ, ZWJ, marks, word joiner, BOM. */
const ZERO_WIDTH = /^[\u200b-\u200f\u2060-\u2064\ufeff]$/u;
const MARK = /^\p{M}$/u;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /^[\u0000-\u001f\u007f-\u009f]$/u;

export function isWide(cp: number): boolean {
  for (const [lo, hi] of WIDE) {
    if (cp < lo) return false;
    if (cp <= hi) return true;
  }
  return false;
}

function computeWidth(ch: string): 0 | 1 | 2 {
  if (MARK.test(ch) || ZERO_WIDTH.test(ch) || CONTROL.test(ch)) return 0;
  return isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
}

/** Receipts reuse a few hundred characters; the regex tests run once per character, not per use. */
const widthCache = new Map<string, 0 | 1 | 2>();

function charWidth(ch: string): 0 | 1 | 2 {
  // Printable ASCII is by far the most common case and always one column.
  if (ch.length === 1) {
    const c = ch.charCodeAt(0);
    if (c >= 0x20 && c < 0x7f) return 1;
  }
  let w = widthCache.get(ch);
  if (w === undefined) {
    w = computeWidth(ch);
    if (widthCache.size < 4096) widthCache.set(ch, w);
  }
  return w;
}

/** Columns `s` occupies in a monospaced CJK font (and on the printer once `printable` has run). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

export function padEnd(s: string, width: number, fill = ' '): string {
  return s + fill.repeat(Math.max(0, width - displayWidth(s)));
}

export function padStart(s: string, width: number, fill = ' '): string {
  return fill.repeat(Math.max(0, width - displayWidth(s))) + s;
}

/** Centres `s` in `width` columns; an odd spare column goes to the right, as ESC a 1 does. */
export function center(s: string, width: number, fill = ' '): string {
  const spare = Math.max(0, width - displayWidth(s));
  const left = Math.floor(spare / 2);
  return fill.repeat(left) + s + fill.repeat(spare - left);
}

/** Look-alikes the printer would print as double-width GB glyphs, or not at all. */
const REPLACE: Readonly<Record<string, string>> = {
  '\u00a5': '\uffe5', // ¥ is 4-byte GB18030: prints as junk ("0 6"); ￥ is A3A4
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2033': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u00b7': '.',
  '\u2022': '*',
  '\u00d7': 'x',
  '\u00f7': '/',
  '\t': ' ',
};
const SPACES = /^[\u00a0\u2000-\u200a\u202f\u205f]$/u;

/** Whether a Chinese-mode printer has a 2-byte GB code for `ch` (4-byte GB18030 prints as junk). */
const gbCache = new Map<string, boolean>();
function isTwoByteGb(ch: string): boolean {
  let ok = gbCache.get(ch);
  if (ok === undefined) {
    ok = encodeGb(ch, 'gb18030').length === 2;
    gbCache.set(ch, ok);
  }
  return ok;
}

/**
 * Makes `s` safe to print in 2-byte GB mode and to measure with `displayWidth`: known look-alikes become
 * ASCII (or ￥), accented Latin loses its accents, and anything else the printer cannot show as measured
 * (emoji, astral or non-GB characters, controls) becomes '?'. Newlines are kept: they are line structure.
 */
export function printable(s: string): string {
  let out = '';
  for (const ch of s.replace(/\r\n?/g, '\n')) {
    const mapped = REPLACE[ch];
    if (mapped !== undefined) out += mapped;
    else if (ch === '\n' || (ch >= ' ' && ch <= '~')) out += ch;
    else if (SPACES.test(ch)) out += ' ';
    else if (MARK.test(ch) || ZERO_WIDTH.test(ch))
      continue; // variation selectors, ZWJ, stray accents
    else if (CONTROL.test(ch)) out += '?';
    else if (isWide(ch.codePointAt(0) ?? 0)) out += ch.length === 1 && isTwoByteGb(ch) ? ch : '?';
    else {
      const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
      out += /^[ -~]+$/.test(base) ? base : '?';
    }
  }
  return out;
}

/**
 * What must not start a line: closing punctuation (the Chinese line-breaking rule) and the ASCII
 * separators and closers a receipt uses, so a wrapped line never begins with ":", "/" or ")".
 */
const NO_LINE_START = new Set(Array.from('，。、；：？！）》」』】〕〉’”．］｝,.;:!?)]}%/|-'));

/** Splits text into break units: a run of spaces, a narrow word, or one wide character (marks attached). */
function units(paragraph: string): string[] {
  const out: string[] = [];
  let cur = '';
  let curKind: 'space' | 'word' | 'none' = 'none';
  for (const ch of paragraph) {
    const w = charWidth(ch);
    if (w === 0) {
      cur += ch; // a combining mark stays with its base
      continue;
    }
    const kind = ch === ' ' ? 'space' : w === 2 ? 'wide' : 'word';
    if (kind === 'wide' || kind !== curKind) {
      if (cur !== '') out.push(cur);
      cur = ch;
      curKind = kind === 'wide' ? 'none' : kind;
    } else {
      cur += ch;
    }
  }
  if (cur !== '') out.push(cur);
  return out;
}

/** Hard-splits a word wider than `cols` into pieces of at most `cols` columns. */
function splitWord(word: string, cols: number): string[] {
  const pieces: string[] = [];
  let cur = '';
  for (const ch of word) {
    if (cur !== '' && displayWidth(cur + ch) > cols) {
      pieces.push(cur);
      cur = '';
    }
    cur += ch;
  }
  if (cur !== '') pieces.push(cur);
  return pieces;
}

/**
 * Greedy wrap to `cols` columns. Breaks at spaces first, between CJK characters, and inside a word only when
 * the word alone is wider than a line. A wide character never straddles the edge and closing punctuation
 * never starts a line (it takes the character before it along). `\n` forces a break.
 */
export function wrap(text: string, cols: number): string[] {
  if (!Number.isInteger(cols) || cols < 2) throw new RangeError(`cannot wrap to ${cols} columns`);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const first = lines.length;
    let line: string[] = [];
    let width = 0;
    const flush = (): void => {
      while (line.length > 0 && (line.at(-1) ?? '').startsWith(' ')) line.pop();
      lines.push(line.join(''));
      line = [];
      width = 0;
    };
    const put = (u: string): void => {
      line.push(u);
      width += displayWidth(u);
    };
    for (const u of units(paragraph)) {
      const w = displayWidth(u);
      if (u.startsWith(' ')) {
        if (width + w <= cols) put(u);
        else if (line.length > 0) flush(); // the break itself eats the spaces
        continue;
      }
      if (width + w <= cols) {
        put(u);
      } else if (w > cols) {
        if (line.some((x) => !x.startsWith(' '))) flush();
        else line = []; // only leading spaces: dropped rather than left as a blank line
        width = 0;
        const pieces = splitWord(u, cols);
        for (const piece of pieces.slice(0, -1)) lines.push(piece);
        put(pieces.at(-1) ?? '');
      } else {
        // Kinsoku: carry the last character down with a closing mark, if that leaves something behind.
        const prev = line.at(-1) ?? ' ';
        const carry =
          NO_LINE_START.has(u) && line.length > 1 && !prev.startsWith(' ') && displayWidth(prev) + w <= cols;
        const last = carry ? line.pop() : undefined;
        flush();
        if (last !== undefined) put(last);
        put(u);
      }
    }
    if (line.length > 0 || lines.length === first) flush(); // an empty paragraph is a blank line
  }
  return lines;
}

/** Indent of a long value wrapped under its label. */
const VALUE_INDENT = 2;

/**
 * Label on the left, value flush right. When they do not fit on one line: a value that fits a line
 * of its own goes there, flush right; a longer one (an item's long name, a long order number) wraps
 * under the label, indented, so it reads left to right instead of ragged at the far right.
 */
export function pairLine(label: string, value: string, cols: number): string[] {
  const labelLines = wrap(label, cols);
  if (value === '') return labelLines;
  const last = labelLines.at(-1) ?? '';
  const gap = cols - displayWidth(last) - displayWidth(value);
  if (gap >= (last === '' ? 0 : 1)) return [...labelLines.slice(0, -1), last + ' '.repeat(gap) + value];
  if (displayWidth(value) <= cols) return [...labelLines, padStart(value, cols)];
  const indent = ' '.repeat(VALUE_INDENT);
  return [...labelLines, ...wrap(value, cols - VALUE_INDENT).map((v) => indent + v)];
}

/** Lays out a document for a paper `cols` columns wide (size 2 halves the columns). */
export function layoutDocument(doc: PrintDocument, cols: number): Line[] {
  const out: Line[] = [];
  const text = (t: string, align: Align = 'left', bold = false, size: 1 | 2 = 1): void => {
    out.push({ kind: 'text', text: t, align, bold, size });
  };
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'text': {
        const size = block.size ?? 1;
        const width = size === 2 ? Math.floor(cols / 2) : cols;
        for (const l of wrap(printable(block.text), width)) text(l, block.align, block.bold, size);
        break;
      }
      case 'pair':
        for (const l of pairLine(printable(block.label), printable(block.value), cols)) {
          text(l, 'left', block.bold);
        }
        break;
      case 'rule': {
        const pattern = printable(block.char ?? '-').replace(/\n/g, '') || '-';
        let rule = '';
        for (const ch of pattern.repeat(cols)) {
          if (displayWidth(rule + ch) > cols) break;
          rule += ch;
        }
        text(rule);
        break;
      }
      case 'qr':
        // QR data is encoded bytes, not glyphs: it is kept exactly as given.
        out.push(block.size === undefined ? { kind: 'qr', data: block.data } : { ...block });
        break;
      case 'feed':
        for (let i = 0; i < block.lines; i++) text('');
        break;
      case 'cut':
        out.push({ kind: 'cut' });
        break;
    }
  }
  return out;
}
