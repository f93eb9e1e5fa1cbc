/**
 * The kiosk's vocabulary: what it can be doing, what can happen to it, and what it asks the runtime
 * to do. `kiosk.ts` holds the pure transition function over these types.
 */
import type { FeedbackPattern } from '../../drivers/feedback/types.js';

/** What a key does, after the keymap has translated the key cap. */
export type KeyFunction =
  | { fn: 'digit'; digit: string }
  | { fn: 'decimal' }
  | { fn: 'backspace' }
  /** Clears the entry; on an empty entry it cancels the sale (the "C/CE" key of a till). */
  | { fn: 'clear' }
  | { fn: 'confirm' }
  | { fn: 'cancel' }
  | { fn: 'preset'; key: PresetKey }
  /** Reprints the last receipt (issue 4 gives it a key). */
  | { fn: 'reprint' };

export type PresetKey = 'A' | 'B' | 'C' | 'D';

export interface Preset {
  key: PresetKey;
  label: string;
  priceFen: number;
  itemId?: number;
}

/** Everything the kiosk needs from config, already validated. Durations in ms. */
export interface KioskSettings {
  maxAmountFen: number;
  /** Digits before the decimal point. */
  maxIntegerDigits: number;
  /** 0 = whole yuan only, else at most 2. */
  decimalPlaces: number;
  presets: readonly Preset[];
  /** A scan while idle starts a sale for this preset (a kiosk that sells one thing). */
  idleScanPreset?: PresetKey;
  /** Inactivity timeout while entering a price or waiting for a scan. */
  entryTimeoutMs: number;
  /** How long a result stays on screen before idle. */
  resultTimeoutMs: number;
  /**
   * How long a member waits on a payment the service has not answered (payment.customer_wait_ms):
   * the "checking" screen counts it down. Unset: no countdown.
   */
  customerWaitMs?: number;
  /** The same code scanned again within this window counts once. */
  duplicateScanWindowMs: number;
}

export interface SaleDraft {
  amountFen: number;
  label?: string;
  itemId?: number;
  preset?: PresetKey;
}

/** How a sale ended, as the kiosk needs to know it. */
export type SaleResult =
  | { status: 'succeeded'; paidFen?: number }
  | { status: 'failed'; reason: string }
  /** Unknown after the customer-facing deadline: resolved later, never shown as failed. */
  | { status: 'pending' }
  /** Accepted offline (a member code while the gateway is unreachable), forwarded later. */
  | { status: 'queued' }
  /** Refused before any money could move (offline, ledger full, device missing). */
  | { status: 'refused'; reason: string };

/**
 * Why the last key or confirm in `entering` was refused, so the screen can say it: a member never
 * reads the log, and a failure beep alone does not tell them what to change.
 */
export type EntryProblem =
  | 'no-price'
  | 'zero-price'
  | 'over-max'
  | 'too-many-digits'
  | 'too-many-decimals'
  | 'no-decimals'
  | 'leading-zero'
  | 'invalid'
  /** A code was scanned before the price was confirmed. */
  | 'confirm-first';

/**
 * Why a scan was seen but not taken, so the screen can say it (with a "busy" beep): a member who
 * scans and gets no sale must learn why without reading a log. Cleared by the next state.
 */
export type ScanNotice =
  /** The same code again inside `duplicateScanWindowMs`: counted once. */
  | 'duplicate'
  /** A payment is running. */
  | 'paying'
  /** A scan needs a price first (idle, or a result screen of a kiosk without an idle-scan preset). */
  | 'price-first';

export type KioskState =
  | { mode: 'idle'; notice?: ScanNotice }
  /** `text` is what was typed ("12.5"); `problem` is cleared by the next accepted key. */
  | { mode: 'entering'; text: string; deadline: number; problem?: EntryProblem }
  | { mode: 'awaiting-scan'; sale: SaleDraft; deadline: number; notice?: ScanNotice }
  | {
      mode: 'paying';
      sale: SaleDraft;
      saleId: string;
      checking: boolean;
      /** When the member's wait ends (monotonic), shown as seconds left while checking. */
      waitUntil?: number;
      notice?: ScanNotice;
    }
  | {
      mode: 'result';
      sale: SaleDraft;
      saleId: string;
      result: SaleResult;
      deadline: number;
      notice?: ScanNotice;
    };

export interface KioskMemory {
  /**
   * Last accepted scan and when it was last seen, for duplicate rejection. A repeat inside the window
   * moves `at` forward, so a code held under the scanner never counts twice.
   */
  lastScan?: { code: string; at: number };
  /**
   * Sale ids are `<prefix>-<seq>`. The runtime gives each boot a random prefix, so ids stay unique
   * in the ledger across restarts while the kiosk itself stays pure.
   */
  salePrefix: string;
  saleSeq: number;
  /**
   * Why no sale can complete right now (scanner gone, no keypad and no scan preset, ledger broken),
   * in words for the screen. Set and cleared by the runtime through `service` events.
   */
  outOfService?: string;
}

export interface Kiosk {
  state: KioskState;
  memory: KioskMemory;
}

export type KioskEvent =
  | { kind: 'key'; key: string; action: KeyFunction }
  | { kind: 'scan'; code: string }
  /** Time passed; the kiosk compares `now` with its deadline. */
  | { kind: 'tick' }
  /** The payment layer is still finding out (pending / ambiguous): show "checking". */
  | { kind: 'pay-progress'; saleId: string }
  | { kind: 'pay-result'; saleId: string; result: SaleResult }
  /** The kiosk can (no `reason`) or cannot take sales; a payment already under way is not affected. */
  | { kind: 'service'; reason?: string };

export type KioskEffect =
  | { kind: 'pay'; saleId: string; sale: SaleDraft; code: string }
  | { kind: 'receipt'; saleId: string }
  | { kind: 'reprint-last' }
  | { kind: 'feedback'; pattern: FeedbackPattern }
  /** Wake the kiosk with a `tick` at this time (one timer: the latest `arm` replaces the previous). */
  | { kind: 'arm'; at: number }
  | { kind: 'disarm' }
  | { kind: 'log'; level: 'info' | 'warn'; msg: string; data?: Record<string, unknown> };

export interface StepResult {
  kiosk: Kiosk;
  effects: KioskEffect[];
}
