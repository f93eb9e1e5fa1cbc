/**
 * Large digits from a small built-in font, for a console screen read from a step away: an amount
 * is drawn 5 cells high (times `scale`) in full blocks, which every Linux console font has (they
 * keep the CP437 block elements), so nothing depends on `setfont`.
 */

/** 5 rows per glyph; '#' is ink. Digits are 4 wide, the point 1, the yuan sign 5. */
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  '0': ['.##.', '#..#', '#..#', '#..#', '.##.'],
  '1': ['..#.', '.##.', '..#.', '..#.', '.###'],
  '2': ['.##.', '#..#', '..#.', '.#..', '####'],
  '3': ['###.', '...#', '.##.', '...#', '###.'],
  '4': ['#..#', '#..#', '####', '...#', '...#'],
  '5': ['####', '#...', '###.', '...#', '###.'],
  '6': ['.##.', '#...', '###.', '#..#', '.##.'],
  '7': ['####', '...#', '..#.', '.#..', '.#..'],
  '8': ['.##.', '#..#', '.##.', '#..#', '.##.'],
  '9': ['.##.', '#..#', '.###', '...#', '.##.'],
  '.': ['.', '.', '.', '.', '#'],
  '￥': ['#...#', '.#.#.', '#####', '..#..', '..#..'],
};

export const BIG_ROWS = 5;
const INK = '█';

/** Columns the text takes at `scale` (one blank column between glyphs), or undefined if unknown. */
export function bigWidth(text: string, scale = 1): number | undefined {
  let w = 0;
  for (const ch of text) {
    const g = GLYPHS[ch];
    if (g === undefined) return undefined;
    w += ((g[0]?.length ?? 0) + 1) * scale;
  }
  return Math.max(0, w - scale);
}

/** The text as `BIG_ROWS * scale` lines of blocks and spaces; throws on a character it has no glyph for. */
export function bigText(text: string, scale = 1): string[] {
  const glyphs = Array.from(text).map((ch) => {
    const g = GLYPHS[ch];
    if (g === undefined) throw new RangeError(`no large glyph for ${JSON.stringify(ch)}`);
    return g;
  });
  const out: string[] = [];
  for (let r = 0; r < BIG_ROWS; r += 1) {
    const row = glyphs
      .map((g) =>
        Array.from(g[r] ?? '')
          .map((px) => (px === '#' ? INK : ' ').repeat(scale))
          .join(''),
      )
      .join(' '.repeat(scale));
    for (let i = 0; i < scale; i += 1) out.push(row);
  }
  return out;
}
