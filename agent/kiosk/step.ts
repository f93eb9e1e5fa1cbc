/**
 * The toolkit every kiosk transition uses: the step context (inputs plus the effects collected so
 * far) and small constructors, so `kiosk.ts` and `keys.ts` build states and effects one way.
 */
import type { FeedbackPattern } from '../../drivers/feedback/types.js';
import type { Kiosk, KioskEffect, KioskSettings, KioskState, Preset, PresetKey, SaleDraft } from './model.js';

/** One step's inputs plus the effects collected so far; handlers push, `step` returns them. */
export interface Ctx {
  now: number;
  settings: KioskSettings;
  effects: KioskEffect[];
}

/** Inside a duplicate-scan window; a start in the future (clock stepped back) counts as expired. */
export function within(at: number, now: number, windowMs: number): boolean {
  const age = now - at;
  return age >= 0 && age < windowMs;
}

export function withState(k: Kiosk, state: KioskState): Kiosk {
  return { state, memory: k.memory };
}

export function entering(text: string, ctx: Ctx): KioskState {
  return { mode: 'entering', text, deadline: ctx.now + ctx.settings.entryTimeoutMs };
}

export function awaitingScan(sale: SaleDraft, ctx: Ctx): KioskState {
  return { mode: 'awaiting-scan', sale, deadline: ctx.now + ctx.settings.entryTimeoutMs };
}

export function findPreset(key: PresetKey, settings: KioskSettings): Preset | undefined {
  return settings.presets.find((p) => p.key === key);
}

export function draftOf(preset: Preset): SaleDraft {
  const draft: SaleDraft = { amountFen: preset.priceFen, label: preset.label, preset: preset.key };
  if (preset.itemId !== undefined) draft.itemId = preset.itemId;
  return draft;
}

export function feedback(ctx: Ctx, pattern: FeedbackPattern): void {
  ctx.effects.push({ kind: 'feedback', pattern });
}

export function log(ctx: Ctx, level: 'info' | 'warn', msg: string, data?: Record<string, unknown>): void {
  ctx.effects.push(data === undefined ? { kind: 'log', level, msg } : { kind: 'log', level, msg, data });
}
