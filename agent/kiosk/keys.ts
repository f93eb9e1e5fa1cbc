/**
 * What a key press does in each mode, and the rules for typing a price. Contact bounce is not
 * judged here: it is a property of the switch, filtered by the hardware keypad drivers
 * (drivers/keypad/bounce.ts), so every key that reaches the kiosk is a press.
 */
import type { EntryProblem, KeyFunction, Kiosk, KioskSettings, PresetKey } from './model.js';
import { parseYuan } from '../money.js';
import { awaitingScan, draftOf, entering, feedback, findPreset, log, withState, type Ctx } from './step.js';

type TypedKey = Extract<KeyFunction, { fn: 'digit' } | { fn: 'decimal' }>;

export function onKey(k: Kiosk, key: string, action: KeyFunction, ctx: Ctx): Kiosk {
  const state = k.state;
  // Out of service, a new sale cannot complete (a key on the result screen would start one);
  // reprinting a receipt still can.
  const canStart = state.mode === 'idle' || state.mode === 'result';
  if (k.memory.outOfService !== undefined && canStart && action.fn !== 'reprint') {
    feedback(ctx, 'failure');
    log(ctx, 'info', 'key refused: out of service', { reason: k.memory.outOfService });
    return withState(k, { mode: 'idle' });
  }
  switch (state.mode) {
    case 'idle':
      return keyInIdle(k, action, ctx);
    case 'entering':
      return keyInEntering(k, state.text, action, ctx);
    case 'awaiting-scan':
      return keyInAwaitingScan(k, action, ctx);
    case 'paying':
      log(ctx, 'info', 'key ignored while paying', { key });
      return k;
    case 'result':
      return keyInResult(k, action, ctx);
  }
}

function keyInIdle(k: Kiosk, action: KeyFunction, ctx: Ctx): Kiosk {
  switch (action.fn) {
    case 'digit':
    case 'decimal':
      return typeKey(k, '', action, ctx);
    case 'preset':
      return choosePreset(k, action.key, ctx);
    case 'reprint':
      return reprint(k, ctx);
    case 'confirm':
      // Not ignored: the member believes they asked for something, so tell them it was refused.
      feedback(ctx, 'failure');
      log(ctx, 'warn', 'confirm refused: no-price', { problem: 'no-price' });
      return k;
    case 'backspace':
    case 'clear':
    case 'cancel':
      log(ctx, 'info', 'key ignored while idle', { fn: action.fn });
      return k;
  }
}

function keyInEntering(k: Kiosk, text: string, action: KeyFunction, ctx: Ctx): Kiosk {
  switch (action.fn) {
    case 'digit':
    case 'decimal':
      return typeKey(k, text, action, ctx);
    case 'backspace':
      feedback(ctx, 'key');
      return withState(k, entering(text.slice(0, -1), ctx));
    case 'clear':
      feedback(ctx, 'key');
      if (text !== '') return withState(k, entering('', ctx));
      log(ctx, 'info', 'entry cancelled');
      return withState(k, { mode: 'idle' });
    case 'cancel':
      feedback(ctx, 'key');
      log(ctx, 'info', 'entry cancelled');
      return withState(k, { mode: 'idle' });
    case 'confirm': {
      const amount = confirmEntry(text, ctx.settings);
      if (!amount.ok) return refuseEntry(k, 'confirm', amount.problem, ctx);
      feedback(ctx, 'key');
      return withState(k, awaitingScan({ amountFen: amount.fen }, ctx));
    }
    case 'preset':
      return choosePreset(k, action.key, ctx);
    case 'reprint':
      log(ctx, 'info', 'key ignored while entering', { fn: action.fn });
      return k;
  }
}

function keyInAwaitingScan(k: Kiosk, action: KeyFunction, ctx: Ctx): Kiosk {
  switch (action.fn) {
    case 'preset':
      return choosePreset(k, action.key, ctx);
    case 'clear':
    case 'backspace':
      // The price is confirmed; editing it means typing it again.
      feedback(ctx, 'key');
      return withState(k, entering('', ctx));
    case 'cancel':
      feedback(ctx, 'key');
      log(ctx, 'info', 'sale cancelled before scan');
      return withState(k, { mode: 'idle' });
    case 'digit':
    case 'decimal':
    case 'confirm':
    case 'reprint':
      // Not a failure: the member is one step ahead of nothing; point them at the screen (scan now).
      feedback(ctx, 'attention');
      log(ctx, 'info', 'key ignored while awaiting scan', { fn: action.fn });
      return k;
  }
}

function keyInResult(k: Kiosk, action: KeyFunction, ctx: Ctx): Kiosk {
  switch (action.fn) {
    // The next member's first press is not lost: it dismisses the result and counts.
    case 'digit':
    case 'decimal':
      return typeKey(withState(k, { mode: 'idle' }), '', action, ctx);
    case 'preset':
      return choosePreset(withState(k, { mode: 'idle' }), action.key, ctx);
    case 'reprint':
      return reprint(k, ctx);
    case 'backspace':
    case 'clear':
    case 'cancel':
    case 'confirm':
      feedback(ctx, 'key');
      return withState(k, { mode: 'idle' });
  }
}

function typeKey(k: Kiosk, text: string, action: TypedKey, ctx: Ctx): Kiosk {
  const next = appendKey(text, action, ctx.settings);
  if (!next.ok) return refuseEntry(k, action.fn, next.problem, ctx);
  feedback(ctx, 'key');
  return withState(k, entering(next.text, ctx));
}

/** Failure beep, a log naming why, and (while entering) the reason on screen. */
function refuseEntry(k: Kiosk, what: string, problem: EntryProblem, ctx: Ctx): Kiosk {
  feedback(ctx, 'failure');
  log(ctx, 'warn', `${what} refused: ${problem}`, { problem });
  return k.state.mode === 'entering' ? withState(k, { ...k.state, problem }) : k;
}

function choosePreset(k: Kiosk, key: PresetKey, ctx: Ctx): Kiosk {
  const preset = findPreset(key, ctx.settings);
  if (preset === undefined) {
    feedback(ctx, 'failure');
    log(ctx, 'warn', `preset ${key} is not configured`, { preset: key });
    return k;
  }
  feedback(ctx, 'key');
  return withState(k, awaitingScan(draftOf(preset), ctx));
}

function reprint(k: Kiosk, ctx: Ctx): Kiosk {
  feedback(ctx, 'key');
  ctx.effects.push({ kind: 'reprint-last' });
  return k;
}

// ── price entry rules ─────────────────────────────────────────────────────────────────────────

/** Either the accepted value or why it was refused. */
type Checked<T> = ({ ok: true } & T) | { ok: false; problem: EntryProblem };

/** Shape rules only (digits, decimals, leading zero); the amount limit is judged at confirm. */
function appendKey(text: string, action: TypedKey, settings: KioskSettings): Checked<{ text: string }> {
  const point = text.indexOf('.');
  if (action.fn === 'decimal') {
    if (settings.decimalPlaces === 0) return { ok: false, problem: 'no-decimals' };
    if (point >= 0) return { ok: false, problem: 'invalid' };
    return { ok: true, text: text === '' ? '0.' : `${text}.` };
  }
  if (!/^[0-9]$/.test(action.digit)) return { ok: false, problem: 'invalid' };
  if (point >= 0) {
    const decimals = text.length - point - 1;
    if (decimals >= settings.decimalPlaces) return { ok: false, problem: 'too-many-decimals' };
  } else {
    if (text === '0') return { ok: false, problem: 'leading-zero' };
    if (text.length >= settings.maxIntegerDigits) return { ok: false, problem: 'too-many-digits' };
  }
  return { ok: true, text: text + action.digit };
}

function confirmEntry(text: string, settings: KioskSettings): Checked<{ fen: number }> {
  const parsed = parseYuan(text);
  if (parsed.ok) return checkAmount(parsed.fen, settings);
  switch (parsed.error) {
    case 'empty':
      return { ok: false, problem: 'no-price' };
    case 'too-large':
      return { ok: false, problem: 'over-max' };
    case 'syntax':
    case 'too-many-decimals':
      return { ok: false, problem: 'invalid' };
  }
}

function checkAmount(fen: number, settings: KioskSettings): Checked<{ fen: number }> {
  if (fen <= 0) return { ok: false, problem: 'zero-price' };
  if (fen > settings.maxAmountFen) return { ok: false, problem: 'over-max' };
  return { ok: true, fen };
}
