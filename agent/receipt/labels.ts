/**
 * Every word a receipt prints, per language. A zh receipt is Chinese only and an en receipt English
 * only; separators are ones a Chinese-mode printer's code page has (no "·", which prints as ".").
 */
import type { SaleStatus } from '../payment/sale.js';

export type ReceiptLanguage = 'zh' | 'en';

export interface Labels {
  store: string;
  machine: string;
  cashier: string;
  time: string;
  resolvedAt: string;
  reprintedAt: string;
  item: string;
  amount: string;
  paid: string;
  status: string;
  reason: string;
  order: string;
  checkout: string;
  paymentOrder: string;
  paymentCode: string;
  memberCode: string;
  states: Record<SaleStatus, string>;
  unresolvedNote: string;
  queuedNote: string;
  resultFollows: string;
  notCharged: string;
  failedNext: string;
  refusedNext: string;
  /** The support line, with the language's own colon. */
  support: (text: string) => string;
  paidMismatchNote: string;
  clockNote: string;
  /** Marks of what this paper is besides the original receipt. */
  resultMark: string;
  copyMark: string;
  reprintMark: string;
  /** On every demo receipt. */
  demoMark: string;
}

export const LABELS: Readonly<Record<ReceiptLanguage, Labels>> = {
  zh: {
    store: '门店',
    machine: '机器号',
    cashier: '收银员',
    time: '时间',
    resolvedAt: '结果时间',
    reprintedAt: '重印时间',
    item: '项目',
    amount: '金额',
    paid: '实付',
    status: '状态',
    reason: '原因',
    order: '订单号',
    checkout: '收银单号',
    paymentOrder: '支付单号',
    paymentCode: '付款码',
    memberCode: '会员码',
    states: {
      created: '处理中',
      sent: '处理中',
      pending: '处理中',
      succeeded: '成功',
      failed: '失败',
      queued: '离线受理',
      refused: '未受理',
    },
    unresolvedNote: '结果确认中，请保留小票',
    queuedNote: '离线受理，联网后确认，请保留小票',
    resultFollows: '确认后将打印结果通知',
    notCharged: '未扣款',
    failedNext: '请换一个付款码或其他方式支付',
    refusedNext: '请稍后再试',
    support: (text) => `咨询：${text}`,
    paidMismatchNote: '实付与金额不符，已通知工作人员',
    clockNote: '时钟未同步，时间可能不准',
    resultMark: '结果通知',
    copyMark: '副本',
    reprintMark: '重印',
    demoMark: '演示 - 非真实交易',
  },
  en: {
    store: 'Store',
    machine: 'Machine',
    cashier: 'Cashier',
    time: 'Time',
    resolvedAt: 'Result at',
    reprintedAt: 'Reprinted',
    item: 'Item',
    amount: 'Amount',
    paid: 'Paid',
    status: 'Status',
    reason: 'Reason',
    order: 'Order',
    checkout: 'Checkout',
    paymentOrder: 'Payment',
    paymentCode: 'Payment code',
    memberCode: 'Member code',
    states: {
      created: 'Processing',
      sent: 'Processing',
      pending: 'Processing',
      succeeded: 'Succeeded',
      failed: 'Failed',
      queued: 'Accepted offline',
      refused: 'Not accepted',
    },
    unresolvedNote: 'We are confirming the payment. Please keep this receipt.',
    queuedNote: 'Accepted offline, to be confirmed online. Please keep this receipt.',
    resultFollows: 'A result receipt will follow.',
    notCharged: 'Not charged',
    failedNext: 'Please use another code or another way to pay.',
    refusedNext: 'Please try again later.',
    support: (text) => `Help: ${text}`,
    paidMismatchNote: 'The amount charged differs from the price; staff have been told.',
    clockNote: 'Clock not synced: the time may be wrong',
    resultMark: 'RESULT UPDATE',
    copyMark: 'COPY',
    reprintMark: 'REPRINT',
    demoMark: 'DEMO - not a real payment',
  },
};
