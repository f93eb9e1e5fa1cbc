/**
 * The payment lifecycle: record the intent, send it, and drive it to a final state without ever
 * guessing. `created → sent → succeeded | failed | pending → …` as in docs/architecture.md.
 *
 * Rules that keep money exactly-once:
 * - the sale (with its request_id) is recorded before the first byte leaves;
 * - every retry and replay reuses the same request and ids;
 * - once any attempt may have reached the service, the sale is never declared failed or refused
 *   without an answer from the service: it stays pending and is resolved.
 */
import { asError, ErrorCode, isAgentError } from './errors.js';
import { newSaleIds } from './ids.js';
import type { Logger } from './log.js';
import { maskCode } from './mask.js';
import { toStep, fromQuery, type Step } from './payment-steps.js';
import type { PayRequest, XposApi } from './pay/types.js';
import { FINAL_STATUSES, type SaleRecord } from './sale.js';
import type { SaleStore } from './sale-store.js';

export interface PaymentSettings {
  /** How long the member waits while a pending payment is checked. */
  customerWaitMs: number;
  pollIntervalMs: number;
  /** Immediate resends of a request that provably never left. */
  notSentRetries: number;
  /** Background resolution backoff for sales still pending after the member left. */
  backgroundMinMs: number;
  backgroundMaxMs: number;
}

export const DEFAULT_PAYMENT_SETTINGS: PaymentSettings = {
  customerWaitMs: 45_000,
  pollIntervalMs: 3_000,
  notSentRetries: 2,
  backgroundMinMs: 5_000,
  backgroundMaxMs: 60_000,
};

export interface StoreIdentity {
  storeId: string;
  cashierId: string;
  cashierName: string;
  machineId: string;
}

export interface SaleIntent {
  saleId: string;
  amountFen: number;
  /** `nego_price` in the configured unit, formatted once. */
  negoPrice: string;
  code: string;
  label?: string;
  itemId?: number;
}

export interface PaymentDeps {
  api: XposApi;
  store: SaleStore;
  log: Logger;
  identity: StoreIdentity;
  settings: PaymentSettings;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Two ways to stop: `stop` ends waiting (no new poll, no resend; the sale stays as recorded), `abort`
 * also cancels a call in flight (its outcome is then unknown and recovered later).
 */
export interface Cancel {
  stop?: AbortSignal;
  abort?: AbortSignal;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class Payments {
  readonly #d: Required<PaymentDeps>;
  readonly #log: Logger;
  /** When each pending sale is next checked in the background, and its current backoff. */
  readonly #backoff = new Map<string, { at: number; delay: number }>();
  /** Sales a member is waiting on right now; the background pass leaves them alone. */
  readonly #active = new Set<string>();

  constructor(deps: PaymentDeps) {
    this.#d = { now: Date.now, sleep: abortableSleep, ...deps };
    this.#log = deps.log.child({ module: 'payments' });
  }

  /**
   * Take one sale from intent to a recorded state. Returns the record as stored: final, or
   * `pending` once the member's wait is over. `onChecking` fires once when the outcome is unknown.
   */
  async pay(intent: SaleIntent, onChecking: () => void, cancel: Cancel = {}): Promise<SaleRecord> {
    const { identity } = this.#d;
    const now = this.#d.now();
    const ids = newSaleIds(identity.machineId, now);
    const record: SaleRecord = {
      saleId: intent.saleId,
      ...ids,
      status: 'created',
      amountFen: intent.amountFen,
      negoPrice: intent.negoPrice,
      ...(intent.itemId !== undefined && { itemId: intent.itemId }),
      ...(intent.label !== undefined && { label: intent.label }),
      qrCode: intent.code,
      codeMask: maskCode(intent.code),
      ...identity,
      createdAt: now,
      updatedAt: now,
      attempts: 0,
      printed: false,
    };
    // Recorded before anything is sent: if this throws, no request ever leaves.
    this.#d.store.create(record);
    this.#log.info(
      { saleId: record.saleId, outBizId: record.outBizId, code: record.codeMask },
      'sale recorded',
    );
    this.#active.add(record.saleId);
    try {
      return await this.#drive(record, now + this.#d.settings.customerWaitMs, onChecking, cancel);
    } finally {
      this.#active.delete(record.saleId);
    }
  }

  /** One resolution pass over sales still pending; call it periodically. */
  async resolvePending(cancel: Cancel = {}): Promise<SaleRecord[]> {
    const resolved: SaleRecord[] = [];
    for (const sale of this.#d.store.unresolved()) {
      if (cancel.stop?.aborted === true) break;
      if (this.#active.has(sale.saleId)) continue;
      const now = this.#d.now();
      const b = this.#backoff.get(sale.saleId);
      if (b && now < b.at) continue;
      const { sale: after } = await this.#attempt(sale, cancel.abort);
      if (!FINAL_STATUSES.includes(after.status)) {
        const { backgroundMinMs: min, backgroundMaxMs: max } = this.#d.settings;
        const delay = b ? Math.min(max, b.delay * 2) : min;
        this.#backoff.set(sale.saleId, { at: this.#d.now() + delay, delay });
      } else {
        this.#backoff.delete(sale.saleId);
        resolved.push(after);
        this.#log.info({ saleId: after.saleId, status: after.status }, 'pending sale resolved');
      }
    }
    return resolved;
  }

  async #drive(
    start: SaleRecord,
    deadline: number,
    onChecking: () => void,
    cancel: Cancel,
  ): Promise<SaleRecord> {
    const stopped = (): boolean => cancel.stop?.aborted === true;
    const { store, settings } = this.#d;
    let sale = start;
    let notSentLeft = settings.notSentRetries;
    let checking = false;
    for (;;) {
      const attempt = await this.#attempt(sale, cancel.abort);
      sale = attempt.sale;
      if (FINAL_STATUSES.includes(sale.status)) return sale;
      const left = deadline - this.#d.now();
      const unknown = sale.status === 'pending';
      let wait = settings.pollIntervalMs;
      if (!unknown && attempt.step.kind === 'not-sent') {
        // Provably never left: resend at once, a few times, then tell the member now.
        if (notSentLeft <= 0 || left <= 0 || stopped()) return this.#refuse(sale, attempt.step.reason);
        notSentLeft -= 1;
        wait = 300;
      } else if (attempt.step.kind === 'retry') {
        if (!unknown && (attempt.step.afterMs >= left || stopped())) {
          return this.#refuse(sale, attempt.step.reason);
        }
        wait = attempt.step.afterMs;
      }
      if (left <= 0 || stopped()) {
        // After the member's wait an unanswered sale is pending, never failed while unknown.
        return unknown ? sale : store.update(sale.saleId, { status: 'pending', updatedAt: this.#d.now() });
      }
      if (unknown && !checking) {
        checking = true;
        onChecking();
      }
      await this.#d.sleep(Math.min(wait, left), cancel.stop);
    }
  }

  #refuse(sale: SaleRecord, reason: string): SaleRecord {
    this.#log.warn({ saleId: sale.saleId, reason }, 'sale refused before reaching the payment service');
    return this.#d.store.update(sale.saleId, { status: 'refused', reason, updatedAt: this.#d.now() });
  }

  /** One call to the gateway (pay, replay or query) and the state change it implies. */
  async #attempt(sale: SaleRecord, signal?: AbortSignal): Promise<{ sale: SaleRecord; step: Step }> {
    const { api, store } = this.#d;
    // Once an attempt may have reached the service, only the service's answer ends the sale.
    const mayHaveCharged = sale.status === 'pending';
    let step: Step;
    const checkoutId = sale.result?.checkoutId;
    if (checkoutId !== undefined && mayHaveCharged) {
      step = fromQuery(await api.queryStatus({ checkoutId }, signal), sale.outBizId);
    } else if (sale.qrCode === undefined) {
      // Only a final sale loses its code; an unresolved one without it cannot be replayed.
      step = { kind: 'unknown', reason: 'code unavailable for replay' };
    } else {
      sale = store.update(sale.saleId, {
        status: mayHaveCharged ? 'pending' : 'sent',
        attempts: sale.attempts + 1,
        updatedAt: this.#d.now(),
      });
      step = await this.#callPay(sale, sale.qrCode ?? '', signal);
    }
    const at = this.#d.now();
    this.#log.info({ saleId: sale.saleId, step: step.kind, attempt: sale.attempts }, 'payment step');
    switch (step.kind) {
      case 'succeeded':
        return {
          step,
          sale: store.update(sale.saleId, {
            status: 'succeeded',
            result: { ...sale.result, ...step.result },
            updatedAt: at,
          }),
        };
      case 'failed':
        return {
          step,
          sale: store.update(sale.saleId, {
            status: 'failed',
            error: step.error,
            reason: step.reason,
            updatedAt: at,
          }),
        };
      case 'unknown':
        return {
          step,
          sale: store.update(sale.saleId, {
            status: 'pending',
            ...(step.result && { result: { ...sale.result, ...step.result } }),
            ...(step.error && { error: step.error }),
            reason: step.reason,
            updatedAt: at,
          }),
        };
      case 'retry':
      case 'not-sent':
        return { step, sale };
      case 'refused':
        return { step, sale: mayHaveCharged ? sale : this.#refuse(sale, step.reason) };
    }
  }

  async #callPay(sale: SaleRecord, qrCode: string, signal?: AbortSignal): Promise<Step> {
    try {
      return toStep(await this.#d.api.pay(this.#request(sale, qrCode), signal));
    } catch (e) {
      // The client validates before sending: an invalid request provably never left.
      if (isAgentError(e, ErrorCode.RequestInvalid)) return { kind: 'refused', reason: e.message };
      // Anything else is a bug somewhere after we may have sent: unknown, never guessed.
      this.#log.error({ saleId: sale.saleId, err: asError(e) }, 'pay call threw');
      return { kind: 'unknown', reason: `client error: ${asError(e).message}` };
    }
  }

  #request(sale: SaleRecord, qrCode: string): PayRequest {
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
}
