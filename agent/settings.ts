/**
 * Config → what each part of the agent needs. The kiosk gets plain numbers in fen and ms; the
 * keymap becomes one lookup from a key cap to what it does.
 */
import type { Config } from '../config/schema.js';
import { yuanToFen } from '../config/money.js';
import type { KeyName } from '../config/keys.js';
import type { KeyFunction, KioskSettings, Preset, PresetKey } from './kiosk/model.js';
import type { OfflinePolicy } from './payment/offline.js';
import type { BackgroundSettings } from './payment/background.js';
import { DEFAULT_PAYMENT_SETTINGS, type PaymentSettings } from './payment/payments.js';

const PRESET_KEYS: readonly PresetKey[] = ['A', 'B', 'C', 'D'];

export function presetsOf(config: Config): Preset[] {
  return PRESET_KEYS.flatMap((key) => {
    const p = config.presets[key];
    if (!p) return [];
    return [
      {
        key,
        label: p.label,
        priceFen: yuanToFen(p.price),
        ...(p.item_id !== undefined && { itemId: p.item_id }),
      },
    ];
  });
}

export function kioskSettings(config: Config): KioskSettings {
  const k = config.kiosk;
  return {
    maxAmountFen: yuanToFen(config.price.max_amount),
    maxIntegerDigits: config.price.max_digits,
    decimalPlaces: config.price.decimal_places,
    presets: presetsOf(config),
    ...(k.idle_scan_preset !== undefined && { idleScanPreset: k.idle_scan_preset }),
    entryTimeoutMs: k.entry_timeout_ms,
    resultTimeoutMs: k.result_timeout_ms,
    duplicateScanWindowMs: k.duplicate_scan_window_ms,
    customerWaitMs: config.payment.customer_wait_ms,
  };
}

export function paymentSettings(config: Config): PaymentSettings {
  return {
    ...DEFAULT_PAYMENT_SETTINGS,
    customerWaitMs: config.payment.customer_wait_ms,
    pollIntervalMs: config.payment.poll_interval_ms,
    resultReceipts: config.receipts.print_resolution,
  };
}

export function offlinePolicy(config: Config): OfflinePolicy {
  const o = config.offline;
  return {
    enabled: o.enabled,
    memberCode: new RegExp(o.member_code_pattern),
    maxSaleFen: yuanToFen(o.max_sale),
    maxTotalFen: yuanToFen(o.max_total),
    maxCount: o.max_count,
    maxAgeMs: o.max_age_ms,
    concurrency: o.forward_concurrency,
  };
}

export function backgroundSettings(config: Config): BackgroundSettings {
  return {
    minBackoffMs: DEFAULT_PAYMENT_SETTINGS.backgroundMinMs,
    maxBackoffMs: DEFAULT_PAYMENT_SETTINGS.backgroundMaxMs,
    flagAfterMs: config.payment.flag_unresolved_after_ms,
  };
}

export type KeyLookup = (key: KeyName) => KeyFunction | undefined;

/** What each key does. Digits are digits; A-D are presets when configured; the rest come from the keymap. */
export function keyLookup(config: Config): KeyLookup {
  const presets = new Set(presetsOf(config).map((p) => p.key));
  const decimalKey = config.price.decimal_places > 0 ? config.price.decimal_key : undefined;
  return (key) => {
    if (/^[0-9]$/.test(key)) return { fn: 'digit', digit: key };
    if (key === decimalKey) return { fn: 'decimal' };
    const mapped = config.keypad.keymap[key];
    if (mapped !== undefined) return mapped === 'none' ? undefined : { fn: mapped };
    if ((PRESET_KEYS as readonly string[]).includes(key) && presets.has(key as PresetKey)) {
      return { fn: 'preset', key: key as PresetKey };
    }
    return undefined;
  };
}
