/**
 * The one place where yuan text becomes integer fen: the config file's amounts (presets,
 * `price.max_amount`, offline limits) and the keypad's entry both come through `parseYuan`, so a
 * price means the same fen however it reaches the kiosk, and both stop at the same `MAX_FEN`.
 * It lives under config/ because config imports nothing from agent/; agent/money.ts re-exports it.
 */

/** Largest amount we ever handle: 10 million yuan, far inside Number.MAX_SAFE_INTEGER. */
export const MAX_FEN = 1_000_000_000;

export type MoneyParseError = 'empty' | 'syntax' | 'too-many-decimals' | 'too-large';

export type ParsedMoney = { ok: true; fen: number } | { ok: false; error: MoneyParseError };

/** Parse a yuan amount such as "12", "12.5", "12.50", "12." or "0.01" into fen. Never a float. */
export function parseYuan(text: string): ParsedMoney {
  const s = text.trim();
  if (s === '') return { ok: false, error: 'empty' };
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return { ok: false, error: 'syntax' };
  const whole = m[1] ?? '';
  const frac = m[2] ?? '';
  if (frac.length > 2) return { ok: false, error: 'too-many-decimals' };
  // Checked before Number(): a long run of digits would lose precision before the MAX_FEN test.
  if (whole.replace(/^0+/, '').length > 8) return { ok: false, error: 'too-large' };
  const fen = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  if (fen > MAX_FEN) return { ok: false, error: 'too-large' };
  return { ok: true, fen };
}

/** What a config key holding yuan must look like, for the message naming the key and value. */
export function yuanExpectation(error: MoneyParseError): string {
  return error === 'too-large'
    ? `expected at most ${MAX_FEN / 100} yuan`
    : 'expected a yuan amount with at most 2 decimals, e.g. 12 or 12.50';
}

/** Fen of an amount the config schema already accepted; a refused one is a programming error. */
export function yuanToFen(text: string): number {
  const parsed = parseYuan(text);
  if (!parsed.ok) throw new RangeError(`not a yuan amount (${parsed.error}): ${JSON.stringify(text)}`);
  return parsed.fen;
}
