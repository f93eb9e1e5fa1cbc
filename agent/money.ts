/**
 * Money is integer fen from keypad to receipt; never a float. Text becomes fen only through
 * config/money.ts (shared with the config file, re-exported here); fen becomes text here.
 */

export { MAX_FEN, parseYuan, type MoneyParseError, type ParsedMoney } from '../config/money.js';

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
