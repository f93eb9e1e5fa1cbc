/**
 * One TOP call, from merged params to the reply body: the gateway's checks, then xpos.pay or
 * xpos.querystatus against the payment book. No I/O here; the HTTP server owns sockets and faults.
 */
import { LosslessNumber } from 'lossless-json';
import type { Logger } from '../log.js';
import { maskCode } from '../mask.js';
import { formatGmt8 } from '../pay/clock.js';
import { PAY_METHOD, QUERY_METHOD } from '../pay/types.js';
import { isTopError, parsePayParams, parseQueryParams } from './param0.js';
import type { Payment, PaymentBook } from './payments.js';
import {
  errorBody,
  newTraceId,
  successBody,
  verifySystemParams,
  type JsonObject,
  type Params,
  type TopError,
} from './protocol.js';

const RESULT_STATUS = { SUCCEEDED: 1, FAILED: 2, PROCESSING: 3 } as const;

/** xpos.pay's QingchengPayRespDTO. A failed payment also carries the query DTO's result_code/message. */
export function payModel(p: Payment): JsonObject {
  const model: JsonObject = {
    checkout_id: p.checkoutId,
    biz_order_id: new LosslessNumber(p.bizOrderId),
    success: p.status !== 'FAILED',
    current_pay_fee: p.status === 'SUCCEEDED' ? p.amountFen : 0,
    payment_order_id: p.paymentOrderId,
    result_status: RESULT_STATUS[p.status],
  };
  if (p.buyerId !== undefined) model['buyer_id'] = new LosslessNumber(p.buyerId);
  if (p.failure !== undefined) {
    model['result_code'] = p.failure.code;
    model['result_message'] = p.failure.message;
  }
  return model;
}

/**
 * The `replay-declines-used` personality's answer to a replay of a paid request: the code was spent
 * (by that same payment), so the gateway declines it. The ids are the original payment's.
 */
export function codeUsedModel(p: Payment): JsonObject {
  return {
    success: false,
    result_status: RESULT_STATUS.FAILED,
    result_code: 'PAY_CODE_USED',
    result_message: '付款码已使用',
    current_pay_fee: 0,
    checkout_id: p.checkoutId,
    biz_order_id: new LosslessNumber(p.bizOrderId),
  };
}

/** xpos.querystatus's QingchengQueryPayStatusRespDTO. */
export function queryModel(p: Payment): JsonObject {
  const model: JsonObject = {
    paid_fee: p.status === 'SUCCEEDED' ? p.amountFen : 0,
  };
  if (p.paidAtMs !== undefined) model['paid_time'] = formatGmt8(p.paidAtMs);
  model['checkout_status'] = p.status;
  model['checkout_id'] = p.checkoutId;
  model['out_biz_id'] = p.outBizId;
  switch (p.status) {
    case 'SUCCEEDED':
      model['result_message'] = '支付成功';
      model['result_code'] = 'SUCCESS';
      break;
    case 'PROCESSING':
      model['result_message'] = '支付处理中';
      model['result_code'] = 'PROCESSING';
      break;
    case 'FAILED':
      model['result_message'] = p.failure?.message ?? '支付失败';
      model['result_code'] = p.failure?.code ?? 'FAILED';
      break;
  }
  model['success'] = p.status !== 'FAILED';
  return model;
}

export interface RouterOptions {
  appKey: string;
  secret: string;
  book: PaymentBook;
  log: Logger;
}

export interface Reply {
  body: string;
  traceId: string;
}

export class TopRouter {
  readonly #opts: RouterOptions;

  constructor(opts: RouterOptions) {
    this.#opts = opts;
  }

  /** Answer one call. `serverNowMs` is the gateway's clock (skew included) for the timestamp check. */
  handle(params: Params, serverNowMs: number): Reply {
    const traceId = newTraceId();
    const log = this.#opts.log;
    const refusal = verifySystemParams(params, {
      appKey: this.#opts.appKey,
      secret: this.#opts.secret,
      serverNowMs,
    });
    if (refusal !== undefined) {
      log.warn({ traceId, code: refusal.error.code, reason: refusal.reason }, 'sandbox refused call');
      return { body: errorBody(refusal.error, traceId), traceId };
    }
    const simplify = params['simplify'] === 'true';
    const method = params['method'];
    const fail = (error: TopError, fields: Record<string, unknown>): Reply => {
      log.info(
        { traceId, ...fields, code: error.code, subCode: error.subCode },
        'sandbox call refused by service',
      );
      return { body: errorBody(error, traceId), traceId };
    };

    if (method === PAY_METHOD) {
      const pay = parsePayParams(params);
      if (isTopError(pay)) return fail(pay, { method: 'pay' });
      const fields = {
        method: 'pay',
        requestId: pay.requestId,
        outBizId: pay.outBizId,
        qrCode: maskCode(pay.qrCode),
        amountFen: pay.amountFen,
      };
      const result = this.#opts.book.pay(pay);
      if (result.kind === 'error') return fail(result.error, { ...fields, replay: result.replay });
      const p = result.payment;
      const codeUsed = result.codeUsed === true;
      log.info(
        { traceId, ...fields, replay: result.replay, status: p.status, checkoutId: p.checkoutId, codeUsed },
        'sandbox pay',
      );
      const model = codeUsed ? codeUsedModel(p) : payModel(p);
      return { body: successBody(PAY_METHOD, model, traceId, simplify), traceId };
    }

    const query = parseQueryParams(params);
    if (isTopError(query)) return fail(query, { method: 'query' });
    const found = this.#opts.book.query(query);
    if (isTopError(found)) return fail(found, { method: 'query', ...query });
    log.info(
      { traceId, method: 'query', checkoutId: found.checkoutId, status: found.status },
      'sandbox query',
    );
    return { body: successBody(QUERY_METHOD, queryModel(found), traceId, simplify), traceId };
  }
}
