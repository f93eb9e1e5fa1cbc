/**
 * Money is integer fen from keypad to receipt; never a float. These helpers are the only place
 * where text becomes fen and fen becomes text.
 */

/** Largest amount we ever handle: 10 million yuan, far inside Number.MAX_SAFE_INTEGER. */
export const MAX_FEN = 1_000_000_000;

export type MoneyParseError = 'empty' | 'syntax' | 'too-many-decimals' | 'too-large';

export type ParsedMoney = { ok: true; fen: number } | { ok: false; error: MoneyParseError };

/** Parse a yuan amount such as "12", "12.5", "12.50" or "0.01" into fen. */
export function parseYuan(text: string): ParsedMoney {
  const s = text.trim();
  if (s === '') return { ok: false, error: 'empty' };
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return { ok: false, error: 'syntax' };
  const whole = m[1] ?? '';
  const frac = m[2] ?? '';
  if (frac.length > 2) return { ok: false, error: 'too-many-decimals' };
  if (whole.replace(/^0+/, '').length > 8) return { ok: false, error: 'too-large' };
  const fen = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  if (fen > MAX_FEN) return { ok: false, error: 'too-large' };
  return { ok: true, fen };
}

/** "12.50" for 1250 fen. */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not a fen amount: ${fen}`);
  const whole = Math.floor(fen / 100);
  const frac = fen % 100;
  return `${whole}.${frac.toString().padStart(2, '0')}`;
}

/** The unit `nego_price` is sent in: the API's examples use fen ("10000" = 100 yuan). */
export type PriceUnit = 'fen' | 'yuan';

export function negoPrice(fen: number, unit: PriceUnit): string {
  return unit === 'fen' ? String(fen) : formatYuan(fen);
}
