/**
 * Small decisions the runtime makes about what the kiosk is told: whether a sale can be taken at
 * all, and how a recorded sale reads as a result on the screen.
 */
import type { DeviceStatus } from '../drivers/device.js';
import type { SaleResult } from './kiosk-model.js';
import type { SaleRecord } from './payment/sale.js';

export interface ServiceInputs {
  /** Set when the ledger cannot record sales. */
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

export function saleResult(record: SaleRecord): SaleResult {
  switch (record.status) {
    case 'succeeded':
      return {
        status: 'succeeded',
        ...(record.result?.currentPayFee !== undefined && { paidFen: record.result.currentPayFee }),
      };
    case 'failed':
      return { status: 'failed', reason: record.reason ?? 'declined' };
    case 'refused':
      return { status: 'refused', reason: record.reason ?? 'refused' };
    case 'queued':
      return { status: 'queued' };
    case 'created':
    case 'sent':
    case 'pending':
      return { status: 'pending' };
  }
}
