/**
 * One example receipt of each kind, as the README shows them: built by the agent's own receipt code
 * from fixed sales, rendered as the paper's text. `test/receipt/readme.test.ts` keeps the README in
 * step with this.
 */
import { buildReceipt, type ReceiptOptions } from '../../agent/receipt/build.js';
import type { SaleRecord } from '../../agent/payment/sale.js';
import { renderText } from '../../drivers/printer/text-render.js';

const AT = Date.UTC(2026, 11, 4, 13, 41, 57); // 21:41:57 in Shanghai

function sale(extra: Partial<SaleRecord>): SaleRecord {
  return {
    saleId: 'A1B2C3-7',
    requestId: 'K01261204214157A1B2C3D4-R0F1E2D',
    outBizId: 'K01261204214157A1B2C3D4',
    status: 'succeeded',
    amountFen: 3900,
    negoPrice: '3900',
    label: '单次入场',
    codeMask: '****3456',
    codeKind: 'payment',
    storeId: '333333',
    machineId: 'K01',
    cashierId: '346753',
    cashierName: '张丽',
    createdAt: AT,
    updatedAt: AT + 65_000,
    attempts: 1,
    printed: false,
    result: { checkoutId: 'SBX2612040000001', paymentOrderId: 'PO2612040000000001', currentPayFee: 3900 },
    ...extra,
  };
}

const ZH: ReceiptOptions = {
  storeName: '健身中心',
  language: 'zh',
  timeZone: 'Asia/Shanghai',
  demo: false,
  supportText: '请联系前台',
};
const EN: ReceiptOptions = { ...ZH, language: 'en', supportText: 'ask at the front desk' };

const pendingSale = { status: 'pending' as const, result: { checkoutId: 'SBX2612040000001' } };

export const RECEIPT_EXAMPLES: { title: string; sale: SaleRecord; opts: ReceiptOptions; cols: 32 | 48 }[] = [
  { title: 'Paid (zh, 58 mm)', sale: sale({}), opts: ZH, cols: 32 },
  { title: 'Pending when the member left (zh)', sale: sale(pendingSale), opts: ZH, cols: 32 },
  { title: 'Result receipt that follows it (zh)', sale: sale({}), opts: { ...ZH, result: true }, cols: 32 },
  {
    title: 'Declined (en, 80 mm)',
    sale: sale({
      status: 'failed',
      reason: 'declined: 余额不足 · BALANCE_NOT_ENOUGH',
      error: { subCode: 'BALANCE_NOT_ENOUGH', subMsg: '余额不足' },
    }),
    opts: EN,
    cols: 48,
  },
  {
    title: 'Refused: the gateway unreachable, a payment code (zh)',
    sale: sale({ status: 'refused', reason: 'payment service unreachable; payment codes need the network' }),
    opts: ZH,
    cols: 32,
  },
  {
    title: 'Accepted offline, a member code (zh)',
    sale: (() => {
      const { result: _none, ...s } = sale({
        status: 'queued',
        codeKind: 'member',
        codeMask: '****5678',
        offline: true,
      });
      return s;
    })(),
    opts: ZH,
    cols: 32,
  },
  {
    title: 'A copy, printed again after a crash cut the first print (en)',
    sale: sale({}),
    opts: { ...EN, copy: true },
    cols: 48,
  },
];

/** The README's examples section, exactly. */
export function receiptExamples(): string {
  return RECEIPT_EXAMPLES.map((e) => {
    const paper = renderText(buildReceipt(e.sale, e.opts), e.cols)
      .split('\n')
      .filter((l) => l.startsWith('| '))
      .map((l) => l.slice(2, -2).trimEnd())
      .filter((l, i, all) => !(l === '' && (all[i - 1] ?? '') === ''));
    return `**${e.title}**\n\n\`\`\`\n${paper.join('\n').trimEnd()}\n\`\`\``;
  }).join('\n\n');
}
