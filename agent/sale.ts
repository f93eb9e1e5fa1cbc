/**
 * One sale as the payment layer records it. The in-memory store holds these now; the ledger
 * (SQLite) stores the same shape. `qrCode` is kept in full only while the sale is unresolved.
 */
import type { GatewayError, PaySuccess } from './pay/types.js';

export type SaleStatus = 'created' | 'sent' | 'succeeded' | 'failed' | 'pending' | 'queued' | 'refused';

export const FINAL_STATUSES: readonly SaleStatus[] = ['succeeded', 'failed', 'refused'];

export interface SaleRecord {
  /** Local correlation id (the kiosk's). */
  saleId: string;
  /** Idempotency key of xpos.pay: the same on every retry. */
  requestId: string;
  /** Our order reference, printed on the receipt. */
  outBizId: string;
  status: SaleStatus;
  amountFen: number;
  /** The `nego_price` string exactly as signed and sent. */
  negoPrice: string;
  itemId?: number;
  label?: string;
  /** Full code while unresolved; replaced by `codeMask` once final. */
  qrCode?: string;
  codeMask: string;
  storeId: string;
  machineId: string;
  cashierId: string;
  cashierName: string;
  createdAt: number;
  updatedAt: number;
  /** What the gateway answered last. */
  result?: PaySuccess;
  error?: GatewayError;
  /** Words for the member and the operator ("declined by the payment service: isv.balance-not-enough"). */
  reason?: string;
  attempts: number;
  printed: boolean;
}
