/**
 * The member-facing payment loop: record the intent, send it, and drive it to a recorded state
 * while the member waits. `sent → succeeded | failed | refused | queued | pending` as in
 * docs/architecture.md. What happens after the member leaves is `payment-background.ts`.
 *
 * The sale (with its request_id) is committed before the first byte leaves; that one commit is the
 * intent, so a sale costs three commits: intent, outcome, printed.
 */
import { newSaleIds } from './ids.js';
import type { Logger } from '../log.js';
import { maskCode } from '../mask.js';
import { offlineDecision, NO_OFFLINE, type OfflinePolicy } from './offline.js';
import { SaleAttempts } from './attempt.js';
import type { XposApi } from '../pay/types.js';
import { FINAL_STATUSES, type SaleRecord } from './sale.js';
import type { SaleStore } from './store.js';

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
  offline?: OfflinePolicy;
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
  readonly attempts: SaleAttempts;
  /** Sales a member is waiting on right now; the background work leaves them alone. */
  readonly active = new Set<string>();

  constructor(deps: PaymentDeps) {
    this.#d = { now: Date.now, sleep: abortableSleep, offline: NO_OFFLINE, ...deps };
    this.#log = deps.log.child({ module: 'payments' });
    this.attempts = new SaleAttempts(deps.api, deps.store, this.#log, this.#d.now);
  }

  /**
   * Take one sale from intent to a recorded state. Returns the record as stored: final, queued, or
   * `pending` once the member's wait is over. `onChecking` fires once when the outcome is unknown.
   * Throws, with nothing sent, when the intent cannot be recorded.
   */
  async pay(intent: SaleIntent, onChecking: () => void, cancel: Cancel = {}): Promise<SaleRecord> {
    const { identity } = this.#d;
    const now = this.#d.now();
    const record: SaleRecord = {
      saleId: intent.saleId,
      ...newSaleIds(identity.machineId, now),
      // The intent commit: recorded as sent because the request leaves right after it.
      status: 'sent',
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
    this.#d.store.create(record);
    this.#log.info(
      { saleId: record.saleId, outBizId: record.outBizId, code: record.codeMask },
      'sale recorded',
    );
    this.active.add(record.saleId);
    try {
      return await this.#drive(record, now + this.#d.settings.customerWaitMs, onChecking, cancel);
    } finally {
      this.active.delete(record.saleId);
    }
  }

  async #drive(
    start: SaleRecord,
    deadline: number,
    onChecking: () => void,
    cancel: Cancel,
  ): Promise<SaleRecord> {
    const { settings } = this.#d;
    const stopped = (): boolean => cancel.stop?.aborted === true;
    // Already offline: say so at once instead of making the member wait for more refusals.
    let notSentLeft = this.attempts.offline ? 0 : settings.notSentRetries;
    let sale = start;
    let checking = false;
    for (;;) {
      const attempt = await this.attempts.attempt(sale, cancel.abort);
      sale = attempt.sale;
      if (FINAL_STATUSES.includes(sale.status)) return sale;
      const left = deadline - this.#d.now();
      const unknown = sale.status === 'pending';
      let wait = settings.pollIntervalMs;
      if (!unknown && attempt.step.kind === 'not-sent') {
        // Provably never left: resend at once, a few times, then queue or refuse now.
        if (notSentLeft <= 0 || left <= 0 || stopped()) return this.#offline(sale, attempt.step.reason);
        notSentLeft -= 1;
        wait = 300;
      } else if (attempt.step.kind === 'retry') {
        if (!unknown && (attempt.step.afterMs >= left || stopped())) {
          return this.attempts.refuse(sale, attempt.step.reason);
        }
        wait = attempt.step.afterMs;
      }
      if (left <= 0 || stopped()) {
        // After the member's wait an unanswered sale is pending, never failed while unknown.
        return unknown
          ? sale
          : this.#d.store.update(sale.saleId, { status: 'pending', updatedAt: this.#d.now() });
      }
      if (unknown && !checking) {
        checking = true;
        onChecking();
      }
      await this.#d.sleep(Math.min(wait, left), cancel.stop);
    }
  }

  /** The gateway cannot be reached: a member code may be queued within limits, anything else is refused. */
  #offline(sale: SaleRecord, why: string): SaleRecord {
    const decision = offlineDecision(
      this.#d.offline,
      this.#d.store,
      sale.qrCode ?? '',
      sale.amountFen,
      this.#d.now(),
    );
    if (!decision.accept) {
      this.#log.warn({ saleId: sale.saleId, why }, 'gateway unreachable');
      return this.attempts.refuse(sale, decision.reason);
    }
    this.#log.warn(
      { saleId: sale.saleId, code: sale.codeMask },
      'gateway unreachable; member sale accepted offline',
    );
    return this.#d.store.update(sale.saleId, {
      status: 'queued',
      offline: true,
      reason: 'accepted offline, to be confirmed',
      updatedAt: this.#d.now(),
    });
  }
}
