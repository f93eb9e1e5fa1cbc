/**
 * Why a sale failed or was refused, in the member's words and the receipt's language only. The raw
 * gateway code and our own log wording stay in the log and the ledger; the member gets one short
 * sentence, what to do next, and at most a short code in brackets for whoever helps them.
 */
import { OFFLINE_REFUSALS } from '../payment/offline.js';
import type { SaleRecord } from '../payment/sale.js';
import type { ReceiptLanguage } from './labels.js';

interface Words {
  zh: string;
  en: string;
}

/** Gateway codes (sub_code or the service's result_code), lower-cased, without the `isv.`/`isp.` prefix. */
const GATEWAY: Readonly<Record<string, Words>> = {
  'balance-not-enough': { zh: '余额不足', en: 'Insufficient balance' },
  balance_not_enough: { zh: '余额不足', en: 'Insufficient balance' },
  pay_code_invalid: { zh: '付款码无效', en: 'Invalid payment code' },
  'invalid-code': { zh: '付款码无效', en: 'Invalid payment code' },
  pay_code_used: { zh: '付款码已使用', en: 'This code was already used' },
  'pay-code-used': { zh: '付款码已使用', en: 'This code was already used' },
  pay_code_expired: { zh: '付款码已过期，请刷新', en: 'The code has expired: refresh it' },
  buyer_not_confirmed: { zh: '未在手机上确认支付', en: 'The payment was not confirmed on the phone' },
  'amount-over-limit': { zh: '超过单笔支付限额', en: 'Over the limit for one payment' },
  'member-card-frozen': { zh: '会员卡已冻结', en: 'The member card is frozen' },
  'request-id-conflict': { zh: '订单重复，请联系工作人员', en: 'Duplicate order: please ask staff' },
};

const OFFLINE: Readonly<Record<(typeof OFFLINE_REFUSALS)[keyof typeof OFFLINE_REFUSALS], Words>> = {
  [OFFLINE_REFUSALS.needsNetwork]: {
    zh: '网络不可用，付款码需联网使用',
    en: 'No network: payment codes need the network',
  },
  [OFFLINE_REFUSALS.overSale]: { zh: '超过离线单笔限额', en: 'Over the offline limit for one sale' },
  [OFFLINE_REFUSALS.tooMany]: { zh: '离线笔数已满', en: 'Too many sales waiting offline' },
  [OFFLINE_REFUSALS.overTotal]: { zh: '离线金额已满', en: 'The offline amount limit is reached' },
  [OFFLINE_REFUSALS.tooOld]: { zh: '离线时间过长', en: 'Offline for too long' },
};

const DEFAULT_FAILED: Words = { zh: '支付未成功', en: 'The payment was declined' };
const DEFAULT_REFUSED: Words = { zh: '本次未受理', en: 'The sale was not accepted' };
const BUSY: Words = { zh: '支付服务繁忙', en: 'The payment service is busy' };
const GATEWAY_REFUSED: Words = { zh: '支付网关拒绝了请求', en: 'The payment gateway refused the request' };
const NOT_RECORDED: Words = { zh: '本机暂时无法记录交易', en: 'This kiosk cannot record sales right now' };

export interface MemberReason {
  text: string;
  /** A short code for support, printed in brackets (never a raw message). */
  code?: string;
}

function gatewayCode(sale: SaleRecord): string | undefined {
  const raw = sale.error?.subCode;
  if (raw === undefined) return sale.error?.code === undefined ? undefined : String(sale.error.code);
  return raw.replace(/^(isv|isp)\./, '');
}

export function memberReason(sale: SaleRecord, language: ReceiptLanguage): MemberReason {
  const reason = sale.reason ?? '';
  const offline = (Object.values(OFFLINE_REFUSALS) as string[]).includes(reason)
    ? OFFLINE[reason as keyof typeof OFFLINE]
    : undefined;
  if (offline) return { text: offline[language] };
  const code = gatewayCode(sale);
  const known = code === undefined ? undefined : GATEWAY[code.toLowerCase()];
  let words: Words;
  if (known) words = known;
  else if (reason.startsWith('rate limited')) words = BUSY;
  else if (reason.startsWith('gateway refused the request')) words = GATEWAY_REFUSED;
  else if (reason.startsWith('the kiosk cannot record')) words = NOT_RECORDED;
  else words = sale.status === 'refused' ? DEFAULT_REFUSED : DEFAULT_FAILED;
  // A short code only: sub codes are ASCII identifiers; anything long or odd stays in the log.
  const short = code !== undefined && /^[\w.-]{1,32}$/.test(code) ? code : undefined;
  return { text: words[language], ...(short !== undefined && { code: short }) };
}
