/**
 * The kiosk's transition function: one event in, the next state and the effects out. It is pure
 * (time is the `now` argument, timers are `arm` effects, the runtime does all I/O) so that every
 * sequence a member can produce is a few lines of test table.
 *
 * Decisions that are not obvious from the types:
 * - Deadlines are enforced by `tick` only. Any other event is judged against the current state,
 *   i.e. against what the screen shows, because that is what the member acted on.
 * - `now` comes from the monotonic clock (the runtime's `clocks.mono`); a wall-clock step never
 *   reaches the kiosk. A window whose start lies in the future is still treated as expired.
 * - On the result screen a digit dismisses it and starts the next member's entry (so their first
 *   digit is not lost); reprint prints again and leaves the result up; any other key dismisses it.
 *   A scan there retries a declined or refused sale at the same price (the screen says "scan again
 *   to retry", so that must be true), or starts the next sale on a kiosk with an idle-scan preset.
 * - A scan that is seen but not taken is never silent: a "busy" beep and a notice on the screen.
 * - While paying, keys are logged and otherwise ignored: a failure beep mid-payment reads as
 *   "payment failed", and the payment cannot be cancelled from the keypad anyway.
 */
import { maskCode } from '../mask.js';
import type {
  Kiosk,
  KioskEvent,
  KioskSettings,
  KioskState,
  SaleDraft,
  SaleResult,
  ScanNotice,
  StepResult,
} from './model.js';
import { onKey } from './keys.js';
import { paidMismatch } from './view.js';
import { draftOf, findPreset, feedback, log, within, withState, type Ctx } from './step.js';
import type { FeedbackPattern } from '../../drivers/feedback/types.js';

export function initialKiosk(salePrefix = 'S'): Kiosk {
  return { state: { mode: 'idle' }, memory: { salePrefix, saleSeq: 0 } };
}

export function step(kiosk: Kiosk, event: KioskEvent, now: number, settings: KioskSettings): StepResult {
  const ctx: Ctx = { now, settings, effects: [] };
  const next = dispatch(kiosk, event, ctx);
  // The timer follows the state in one place, so no handler can forget to arm or disarm it. A tick
  // means the runtime's timer has fired: if the deadline is still ahead (a timer may fire a little
  // early), it is armed again, so a fired timer always ends in the transition or a new timer.
  const before = deadlineOf(kiosk.state);
  const after = deadlineOf(next.state);
  if (after !== undefined && (after !== before || event.kind === 'tick')) {
    ctx.effects.push({ kind: 'arm', at: after });
  }
  if (after === undefined && before !== undefined) ctx.effects.push({ kind: 'disarm' });
  return { kiosk: next, effects: ctx.effects };
}

function dispatch(kiosk: Kiosk, event: KioskEvent, ctx: Ctx): Kiosk {
  switch (event.kind) {
    case 'key':
      return onKey(kiosk, event.key, event.action, ctx);
    case 'scan':
      return onScan(kiosk, event.code, ctx);
    case 'tick':
      return onTick(kiosk, ctx);
    case 'pay-progress':
      return onPayProgress(kiosk, event.saleId, ctx);
    case 'pay-result':
      return onPayResult(kiosk, event.saleId, event.result, ctx);
    case 'service':
      return onService(kiosk, event.reason, ctx);
  }
}

function deadlineOf(state: KioskState): number | undefined {
  switch (state.mode) {
    case 'idle':
    case 'paying':
      return undefined;
    case 'entering':
    case 'awaiting-scan':
    case 'result':
      return state.deadline;
  }
}

// ── scans ─────────────────────────────────────────────────────────────────────────────────────

function onScan(k: Kiosk, code: string, ctx: Ctx): Kiosk {
  const masked = maskCode(code);
  const mode = k.state.mode;
  if (
    k.memory.outOfService !== undefined &&
    (mode === 'idle' || mode === 'awaiting-scan' || mode === 'result')
  ) {
    feedback(ctx, 'failure');
    log(ctx, 'warn', 'scan refused: out of service', { code: masked, reason: k.memory.outOfService });
    return k;
  }
  const last = k.memory.lastScan;
  if (
    last !== undefined &&
    last.code === code &&
    within(last.at, ctx.now, ctx.settings.duplicateScanWindowMs)
  ) {
    log(ctx, 'info', 'duplicate scan ignored', { code: masked });
    const seen = { ...k.memory, lastScan: { code, at: ctx.now } };
    return busy({ state: k.state, memory: seen }, 'duplicate', ctx);
  }
  const state = k.state;
  switch (state.mode) {
    case 'idle':
      return scanInIdle(k, code, ctx);
    case 'entering':
      feedback(ctx, 'attention');
      log(ctx, 'info', 'scan before the price was confirmed', { code: masked });
      return withState(k, { ...state, problem: 'confirm-first' });
    case 'awaiting-scan':
      return startSale(k, state.sale, code, ctx);
    case 'paying':
      log(ctx, 'info', 'scan ignored while paying', { code: masked });
      return busy(k, 'paying', ctx);
    case 'result':
      // "Scan again to retry" on a declined or refused sale is a promise: same price, new sale.
      if (state.result.status === 'failed' || state.result.status === 'refused') {
        return startSale(k, state.sale, code, ctx);
      }
      if (ctx.settings.idleScanPreset !== undefined) return scanInIdle(k, code, ctx);
      log(ctx, 'info', 'scan ignored on the result screen: enter a price first', { code: masked });
      return busy(k, 'price-first', ctx);
  }
}

/** Seen, not taken: a "busy" beep and the reason on the screen. */
function busy(k: Kiosk, notice: ScanNotice, ctx: Ctx): Kiosk {
  feedback(ctx, 'busy');
  return k.state.mode === 'entering' ? k : withState(k, { ...k.state, notice });
}

function scanInIdle(k: Kiosk, code: string, ctx: Ctx): Kiosk {
  const key = ctx.settings.idleScanPreset;
  const preset = key === undefined ? undefined : findPreset(key, ctx.settings);
  if (preset === undefined) {
    // Tell the member to enter a price first; a scan is never turned into a sale by guesswork.
    feedback(ctx, 'attention');
    log(ctx, key === undefined ? 'info' : 'warn', 'scan while idle: enter a price first', {
      code: maskCode(code),
      ...(key === undefined ? {} : { idleScanPreset: key }),
    });
    return withState(k, { mode: 'idle', notice: 'price-first' });
  }
  return startSale(k, draftOf(preset), code, ctx);
}

function startSale(k: Kiosk, sale: SaleDraft, code: string, ctx: Ctx): Kiosk {
  const seq = k.memory.saleSeq + 1;
  const saleId = k.memory.salePrefix === 'S' ? `S${seq}` : `${k.memory.salePrefix}-${seq}`;
  ctx.effects.push({ kind: 'pay', saleId, sale, code });
  log(ctx, 'info', 'sale started', { saleId, amountFen: sale.amountFen, code: maskCode(code) });
  const wait = ctx.settings.customerWaitMs;
  return {
    state: {
      mode: 'paying',
      sale,
      saleId,
      checking: false,
      ...(wait !== undefined && { waitUntil: ctx.now + wait }),
    },
    memory: { ...k.memory, saleSeq: seq, lastScan: { code, at: ctx.now } },
  };
}

// ── service ───────────────────────────────────────────────────────────────────────────────────

/**
 * A member half way through entering a price cannot finish without the missing device, so the
 * draft is dropped (nothing was sent); a payment already under way carries on to its result.
 */
function onService(k: Kiosk, reason: string | undefined, ctx: Ctx): Kiosk {
  if (reason === k.memory.outOfService) return k;
  const memory = { ...k.memory };
  if (reason === undefined) delete memory.outOfService;
  else memory.outOfService = reason;
  log(
    ctx,
    reason === undefined ? 'info' : 'warn',
    reason === undefined ? 'back in service' : 'out of service',
    {
      ...(reason !== undefined && { reason }),
    },
  );
  const drop = reason !== undefined && (k.state.mode === 'entering' || k.state.mode === 'awaiting-scan');
  return { state: drop ? { mode: 'idle' } : k.state, memory };
}

// ── time and payment outcomes ─────────────────────────────────────────────────────────────────

function onTick(k: Kiosk, ctx: Ctx): Kiosk {
  const state = k.state;
  switch (state.mode) {
    case 'idle':
    case 'paying':
      return k;
    case 'entering':
    case 'awaiting-scan':
      if (ctx.now < state.deadline) return k;
      log(ctx, 'info', 'timeout', { mode: state.mode });
      return withState(k, { mode: 'idle' });
    case 'result':
      return ctx.now < state.deadline ? k : withState(k, { mode: 'idle' });
  }
}

function onPayProgress(k: Kiosk, saleId: string, ctx: Ctx): Kiosk {
  const state = k.state;
  if (state.mode !== 'paying' || state.saleId !== saleId) return stale(k, 'pay-progress', saleId, ctx);
  if (state.checking) return k;
  feedback(ctx, 'pending');
  return withState(k, { ...state, checking: true });
}

function onPayResult(k: Kiosk, saleId: string, result: SaleResult, ctx: Ctx): Kiosk {
  const state = k.state;
  if (state.mode !== 'paying' || state.saleId !== saleId) return stale(k, 'pay-result', saleId, ctx);
  ctx.effects.push({ kind: 'receipt', saleId });
  feedback(ctx, paidMismatch(result, state.sale) ? 'attention' : resultPattern(result));
  log(ctx, 'info', 'sale finished', { saleId, status: result.status });
  const deadline = ctx.now + ctx.settings.resultTimeoutMs;
  return withState(k, { mode: 'result', sale: state.sale, saleId, result, deadline });
}

function resultPattern(result: SaleResult): FeedbackPattern {
  switch (result.status) {
    case 'succeeded':
    case 'queued':
      return 'success';
    case 'pending':
      return 'pending';
    case 'failed':
    case 'refused':
      return 'failure';
  }
}

function stale(k: Kiosk, what: string, saleId: string, ctx: Ctx): Kiosk {
  const current = k.state.mode === 'paying' ? k.state.saleId : null;
  log(ctx, 'warn', `stale ${what} ignored`, { saleId, current, mode: k.state.mode });
  return k;
}
