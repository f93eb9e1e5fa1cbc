/**
 * How a recorded sale reads as a result on the kiosk's screen. Unresolved sales read as pending,
 * never as failed: the member may well have been charged.
 */
import type { SaleResult } from '../kiosk/model.js';
import { memberReason } from '../receipt/reasons.js';
import type { SaleRecord } from './sale.js';

/** The member's words, "中文 / English" as the screen shows both; the raw reason stays in the log. */
function screenReason(record: SaleRecord): string {
  const zh = memberReason(record, 'zh');
  const en = memberReason(record, 'en');
  return `${zh.text} / ${en.text}${en.code === undefined ? '' : ` (${en.code})`}`;
}

export function saleResult(record: SaleRecord): SaleResult {
  switch (record.status) {
    case 'succeeded':
      return {
        status: 'succeeded',
        ...(record.result?.currentPayFee !== undefined && { paidFen: record.result.currentPayFee }),
      };
    case 'failed':
    case 'refused':
      return { status: record.status, reason: screenReason(record) };
    case 'queued':
      return { status: 'queued' };
    case 'created':
    case 'sent':
    case 'pending':
      return { status: 'pending' };
  }
}
