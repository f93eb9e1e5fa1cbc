/**
 * The sale the receipt and printer tests print: a 单次入场 of ￥12.50 at 19:30:05 Shanghai
 * time, with every gateway id a receipt can show. One builder, so both suites print the same paper.
 */
import type { SaleRecord, SaleStatus } from '../../agent/payment/sale.js';

export const RECEIPT_OUT_BIZ_ID = 'K01202611251930050001';

export function receiptSale(status: SaleStatus, extra: Partial<SaleRecord> = {}): SaleRecord {
  return {
    saleId: 'sale-1',
    requestId: 'req-1',
    outBizId: RECEIPT_OUT_BIZ_ID,
    status,
    amountFen: 1250,
    negoPrice: '1250',
    itemId: 3,
    label: '单次入场',
    codeMask: '****3456',
    storeId: '333333',
    machineId: 'K01',
    cashierId: '346753',
    cashierName: '张丽',
    createdAt: Date.UTC(2026, 10, 25, 11, 30, 5), // 19:30:05 in Shanghai
    updatedAt: Date.UTC(2026, 10, 25, 11, 30, 7),
    result: {
      checkoutId: '2026112522001234567890',
      paymentOrderId: '4200001234202611251234567890',
      currentPayFee: 1250,
    },
    attempts: 1,
    printed: false,
    ...extra,
  };
}
