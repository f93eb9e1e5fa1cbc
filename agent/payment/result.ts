/**
 * How a recorded sale reads as a result on the kiosk's screen. Unresolved sales read as pending,
 * never as failed: the member may well have been charged.
 */
import type { SaleResult } from '../kiosk/model.js';
import type { SaleRecord } from './sale.js';

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
