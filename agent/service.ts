/**
 * Whether the kiosk can take a sale at all: the runtime tells the kiosk, which refuses keys and
 * scans with the reason on screen while it cannot.
 */
import type { DeviceStatus } from '../drivers/device.js';

export interface ServiceInputs {
  /** Set when the ledger cannot record sales (refused at start, or writes failing now). */
  ledger: string | undefined;
  scanner: DeviceStatus | undefined;
  keypad: DeviceStatus | undefined;
  /** A scan while idle sells a preset, so a kiosk without a keypad can still sell. */
  scanSellsPreset: boolean;
}

/**
 * Sales are refused only when one cannot complete: no ledger, no scanner, or no keypad while no
 * preset can be sold by scanning alone. A missing printer does not stop sales: the receipt is kept
 * and printed when the printer is back.
 */
export function serviceReason(i: ServiceInputs): string | undefined {
  if (i.ledger !== undefined) return i.ledger;
  if (i.scanner?.state !== 'online') return '扫码器离线 / Scanner offline';
  if (i.keypad?.state !== 'online' && !i.scanSellsPreset) return '键盘离线 / Keypad offline';
  return undefined;
}
