/**
 * Drives the pure kiosk through a timed sequence of events and hands back the final state, every
 * effect and each step's own effects, so a kiosk test reads as "these presses at these times do
 * this". Every run also enforces the one rule no test may forget: a scanned code never appears in
 * full in a log effect.
 */
import { initialKiosk, step } from '../../agent/kiosk/kiosk.js';
import type {
  KeyFunction,
  Kiosk,
  KioskEffect,
  KioskEvent,
  KioskSettings,
  SaleResult,
} from '../../agent/kiosk/model.js';
import type { FeedbackPattern } from '../../drivers/feedback/types.js';

/** ¥5000 max, 5 integer digits, 2 decimals, presets A and B, 30 s entry, 8 s result, 3 s dup. */
export const SETTINGS: KioskSettings = {
  maxAmountFen: 500_000,
  maxIntegerDigits: 5,
  decimalPlaces: 2,
  presets: [
    { key: 'A', label: 'Day pass', priceFen: 3000, itemId: 7 },
    { key: 'B', label: 'Towel', priceFen: 500 },
  ],
  entryTimeoutMs: 30_000,
  resultTimeoutMs: 8_000,
  duplicateScanWindowMs: 3_000,
};

export function settings(over: Partial<KioskSettings>): KioskSettings {
  return { ...SETTINGS, ...over };
}

/** A member-sized code and a second one; both longer than the four characters a mask keeps. */
export const CODE = '281234567890123456';
export const OTHER_CODE = '289999999999998888';

const CAPS: Record<string, KeyFunction> = {
  '.': { fn: 'decimal' },
  ENTER: { fn: 'confirm' },
  ESC: { fn: 'cancel' },
  '*': { fn: 'clear' },
  BACKSPACE: { fn: 'backspace' },
  R: { fn: 'reprint' },
  A: { fn: 'preset', key: 'A' },
  B: { fn: 'preset', key: 'B' },
  C: { fn: 'preset', key: 'C' },
  D: { fn: 'preset', key: 'D' },
};

/** A key event by its cap: digits, '.', ENTER, ESC, '*' (clear), BACKSPACE, R (reprint), A–D. */
export function key(cap: string): KioskEvent {
  const action = /^[0-9]$/.test(cap) ? { fn: 'digit' as const, digit: cap } : CAPS[cap];
  if (action === undefined) throw new Error(`no such test key: ${cap}`);
  return { kind: 'key', key: cap, action };
}

export const scan = (code: string = CODE): KioskEvent => ({ kind: 'scan', code });
export const tick: KioskEvent = { kind: 'tick' };
export const progress = (saleId: string): KioskEvent => ({ kind: 'pay-progress', saleId });
export const payResult = (saleId: string, result: SaleResult): KioskEvent => ({
  kind: 'pay-result',
  saleId,
  result,
});

export type Timed = readonly [at: number, event: KioskEvent];

/** The caps of `typed` one character at a time, then any named keys: `keys('12.5', 'ENTER')`. */
export function keys(typed: string, ...named: string[]): string[] {
  return [...Array.from(typed), ...named];
}

/** Key presses for each cap, `gapMs` apart (well outside the bounce window) starting at `at`. */
export function press(caps: string | readonly string[], at = 0, gapMs = 100): Timed[] {
  const list = typeof caps === 'string' ? keys(caps) : caps;
  return list.map((cap, i) => [at + i * gapMs, key(cap)] as const);
}

export interface Run {
  kiosk: Kiosk;
  /** Every effect of the run, in order. */
  effects: KioskEffect[];
  /** The effects of the last event alone. */
  last: KioskEffect[];
}

export function run(events: readonly Timed[], opts: { settings?: KioskSettings; from?: Kiosk } = {}): Run {
  const s = opts.settings ?? SETTINGS;
  let kiosk = opts.from ?? initialKiosk();
  const effects: KioskEffect[] = [];
  let last: KioskEffect[] = [];
  const codes = new Set<string>();
  for (const [at, event] of events) {
    if (event.kind === 'scan') codes.add(event.code);
    const r = step(kiosk, event, at, s);
    kiosk = r.kiosk;
    last = r.effects;
    effects.push(...r.effects);
  }
  for (const e of effects) {
    if (e.kind !== 'log') continue;
    const text = JSON.stringify(e);
    for (const code of codes) {
      if (code.length > 4 && text.includes(code))
        throw new Error(`a log effect carries a full code: ${text}`);
    }
  }
  return { kiosk, effects, last };
}

export const feedbacks = (effects: readonly KioskEffect[]): FeedbackPattern[] =>
  effects.flatMap((e) => (e.kind === 'feedback' ? [e.pattern] : []));

export const logs = (effects: readonly KioskEffect[]): string[] =>
  effects.flatMap((e) => (e.kind === 'log' ? [e.msg] : []));

/** The timer effects alone, e.g. `[{kind:'arm', at: 30000}, {kind:'disarm'}]`. */
export const timers = (effects: readonly KioskEffect[]): KioskEffect[] =>
  effects.filter((e) => e.kind === 'arm' || e.kind === 'disarm');

export const ofKind = <K extends KioskEffect['kind']>(effects: readonly KioskEffect[], kind: K) =>
  effects.filter((e): e is Extract<KioskEffect, { kind: K }> => e.kind === kind);
