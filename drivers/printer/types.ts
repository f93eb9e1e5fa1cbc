import type { Device, DeviceStatus } from '../device.js';
import type { PrintDocument } from './document.js';

export type PaperState = 'ok' | 'near-end' | 'out' | 'unknown';

export interface PrinterStatus {
  paper: PaperState;
  coverOpen: boolean | 'unknown';
}

/**
 * A printer prints a whole document or rejects: a rejected print is kept unprinted by the caller and
 * printed again later, so `print` must not report success before the bytes were handed over.
 */
export interface Printer extends Device {
  /** `state` fires when the printer goes offline (unplugged, no paper, cover open) and when it is back. */
  on(event: 'state', listener: (status: DeviceStatus) => void): this;
  off(event: 'state', listener: (status: DeviceStatus) => void): this;
  print(doc: PrintDocument): Promise<void>;
  /** Best effort: one-way links answer `unknown`. */
  query(): Promise<PrinterStatus>;
}
