/**
 * One call to the gateway for a recorded sale (pay, identical replay, or status query) and the
 * ledger change it implies. Shared by the member-facing payment loop and the background work.
 *
 * Rules that keep money exactly-once:
 * - every resend and replay is the identical request with the same ids;
 * - once an attempt may have reached the service (`pending`), only the service's answer ends the
 *   sale: an unreachable gateway or a refused replay never makes it failed or refused.
 */
import { asError, ErrorCode, isAgentError } from '../errors.js';
import type { Logger } from '../log.js';
import { fromQuery, toStep, type Step } from './answer.js';
import type { PayRequest, XposApi } from '../pay/types.js';
import { FINAL_STATUSES, type SaleRecord } from './sale.js';
import type { SalePatch, SaleStore } from './store.js';

export interface AttemptResult {
  sale: SaleRecord;
  step: Step;
}

export class SaleAttempts {
  readonly #api: XposApi;
  readonly #store: SaleStore;
  readonly #log: Logger;
  readonly #now: () => number;
  /** Since when every call ended `not-sent`: the kiosk is offline and should say so at once. */
  #offlineSince: number | undefined;

  constructor(api: XposApi, store: SaleStore, log: Logger, now: () => number) {
    this.#api = api;
    this.#store = store;
    this.#log = log;
    this.#now = now;
  }

  get store(): SaleStore {
    return this.#store;
  }

  /** True while the last call could not reach the gateway at all. */
  get offline(): boolean {
    return this.#offlineSince !== undefined;
  }

  async attempt(sale: SaleRecord, abort?: AbortSignal): Promise<AttemptResult> {
    const mayHaveCharged = sale.status === 'pending';
    let step: Step;
    const checkoutId = sale.result?.checkoutId;
    if (checkoutId !== undefined && mayHaveCharged) {
      step = fromQuery(await this.#api.queryStatus({ checkoutId }, abort), sale.outBizId);
    } else if (sale.qrCode === undefined) {
      // Only a final sale loses its code; an unresolved one without it cannot be replayed.
      step = { kind: 'unknown', reason: 'code unavailable for replay', flag: 'unresolved and code lost' };
    } else {
      step = await this.#callPay(sale, sale.qrCode, abort);
    }
    this.#offlineSince = step.kind === 'not-sent' ? (this.#offlineSince ?? this.#now()) : undefined;
    const attempts = sale.attempts + (checkoutId !== undefined && mayHaveCharged ? 0 : 1);
    this.#log.info({ saleId: sale.saleId, step: step.kind, attempt: attempts }, 'payment step');
    return { step, sale: this.#record(sale, step, attempts, mayHaveCharged) };
  }

  #record(sale: SaleRecord, step: Step, attempts: number, mayHaveCharged: boolean): SaleRecord {
    const at = this.#now();
    switch (step.kind) {
      case 'succeeded':
        return this.#update(sale, {
          status: 'succeeded',
          result: { ...sale.result, ...step.result },
          attempts,
          updatedAt: at,
        });
      case 'failed':
        return this.#update(sale, {
          status: 'failed',
          error: step.error,
          reason: step.reason,
          attempts,
          updatedAt: at,
          // The gym accepted this sale offline and carries the loss: someone must see it.
          ...(sale.offline === true && { flag: 'declined after offline acceptance' }),
        });
      case 'unknown':
        return this.#update(sale, {
          status: 'pending',
          ...(step.result && { result: { ...sale.result, ...step.result } }),
          ...(step.error && { error: step.error }),
          ...(step.flag !== undefined && sale.flag === undefined && { flag: step.flag }),
          reason: step.reason,
          attempts,
        });
      case 'retry':
      case 'not-sent':
        return sale;
      case 'refused':
        return mayHaveCharged ? sale : this.refuse(sale, step.reason);
    }
  }

  /** Final without any money moving: the request provably never reached the payment service. */
  refuse(sale: SaleRecord, reason: string): SaleRecord {
    this.#log.warn({ saleId: sale.saleId, reason }, 'sale refused before reaching the payment service');
    return this.#update(sale, { status: 'refused', reason, updatedAt: this.#now() });
  }

  /** Writes only what changed: a poll that learns nothing new costs no commit (SD cards wear). */
  #update(sale: SaleRecord, patch: SalePatch): SaleRecord {
    const changed = (Object.keys(patch) as (keyof SalePatch)[]).some(
      (k) => k !== 'attempts' && k !== 'updatedAt' && JSON.stringify(patch[k]) !== JSON.stringify(sale[k]),
    );
    if (!changed && !FINAL_STATUSES.includes(patch.status ?? sale.status)) return sale;
    return this.#store.update(sale.saleId, { updatedAt: this.#now(), ...patch });
  }

  async #callPay(sale: SaleRecord, qrCode: string, abort?: AbortSignal): Promise<Step> {
    try {
      return toStep(await this.#api.pay(payRequest(sale, qrCode), abort));
    } catch (e) {
      // The client validates before sending: an invalid request provably never left.
      if (isAgentError(e, ErrorCode.RequestInvalid)) return { kind: 'refused', reason: e.message };
      // Anything else is a bug somewhere after we may have sent: unknown, never guessed.
      this.#log.error({ saleId: sale.saleId, err: asError(e) }, 'pay call threw');
      return { kind: 'unknown', reason: `client error: ${asError(e).message}` };
    }
  }
}

export function payRequest(sale: SaleRecord, qrCode: string): PayRequest {
  return {
    negoPrice: sale.negoPrice,
    qrCode,
    requestId: sale.requestId,
    outBizId: sale.outBizId,
    storeId: sale.storeId,
    cashierId: sale.cashierId,
    cashierName: sale.cashierName,
    machineId: sale.machineId,
    ...(sale.itemId !== undefined && { itemId: sale.itemId }),
  };
}
