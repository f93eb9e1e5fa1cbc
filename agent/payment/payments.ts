/**
 * The member-facing payment loop: record the intent, send it, and drive it to a recorded state
 * while the member waits. `sent → succeeded | failed | refused | queued | pending`, each step decided by the table in
 * `table.ts`. What happens after the member leaves is `background.ts`.
 *
 * The sale (with its request_id) is committed before the first byte leaves; that one commit is the
 * intent; a sale costs four: intent, outcome, and the two of its receipt (print started, printed).
 */
import { newSaleIds } from './ids.js';
import type { Logger } from '../log.js';
import { maskCode } from '../mask.js';
import { Ages, SYSTEM_CLOCKS, type Clocks } from '../clocks.js';
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
  /** A sale that resolves after its receipt was printed gets a result receipt. */
  resultReceipts: boolean;
}

export const DEFAULT_PAYMENT_SETTINGS: PaymentSettings = {
  customerWaitMs: 45_000,
  pollIntervalMs: 3_000,
  notSentRetries: 2,
  backgroundMinMs: 5_000,
  backgroundMaxMs: 60_000,
  resultReceipts: true,
};

export interface StoreIdentity {
  storeId: string;
  cashierId: string;
  cashierName: string;
  machineId: string;
  /** Which gateway (URL and app key) the sales belong to; see `gatewayId`. */
  gateway?: string;
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
  clocks?: Clocks;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The kiosk's zone: the time inside an order number is the time the receipt prints. */
  timeZone?: string;
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
  /** Ages of stored sales, safe against wall-clock steps (offline limits). */
  readonly ages: Ages;
  /** Sales a member is waiting on right now; the background work leaves them alone. */
  readonly active = new Set<string>();

  constructor(deps: PaymentDeps) {
    this.#d = {
      clocks: SYSTEM_CLOCKS,
      sleep: abortableSleep,
      offline: NO_OFFLINE,
      timeZone: 'Asia/Shanghai',
      ...deps,
    };
    this.#log = deps.log.child({ module: 'payments' });
    this.attempts = new SaleAttempts(deps.api, deps.store, this.#log, this.#d.clocks.wall, {
      resultReceipts: deps.settings.resultReceipts,
    });
    this.ages = new Ages(this.#d.clocks);
  }

  /**
   * Take one sale from intent to a recorded state. Returns the record as stored: final, queued, or
   * `pending` once the member's wait is over. `onChecking` fires once when the outcome is unknown.
   * Throws, with nothing sent, when the intent cannot be recorded.
   */
  async pay(intent: SaleIntent, onChecking: () => void, cancel: Cancel = {}): Promise<SaleRecord> {
    const { identity, clocks } = this.#d;
    const now = clocks.wall();
    // The member's wait is a duration: on the monotonic clock, which a wall-clock step cannot move.
    const deadline = clocks.mono() + this.#d.settings.customerWaitMs;
    const record: SaleRecord = {
      saleId: intent.saleId,
      ...newSaleIds(identity.machineId, now, this.#d.timeZone),
      // The intent commit: recorded as sent because the request leaves right after it.
      status: 'sent',
      amountFen: intent.amountFen,
      negoPrice: intent.negoPrice,
      ...(intent.itemId !== undefined && { itemId: intent.itemId }),
      ...(intent.label !== undefined && { label: intent.label }),
      qrCode: intent.code,
      codeMask: maskCode(intent.code),
      codeKind: this.#d.offline.memberCode.test(intent.code) ? 'member' : 'payment',
      storeId: identity.storeId,
      machineId: identity.machineId,
      cashierId: identity.cashierId,
      cashierName: identity.cashierName,
      ...(identity.gateway !== undefined && { gateway: identity.gateway }),
      createdAt: now,
      updatedAt: now,
      attempts: 0,
      printed: false,
    };
    this.#d.store.create(record);
    this.ages.of(record.saleId, now);
    this.#log.info(
      { saleId: record.saleId, outBizId: record.outBizId, code: record.codeMask },
      'sale recorded',
    );
    this.active.add(record.saleId);
    try {
      const done = await this.#drive(record, deadline, onChecking, cancel);
      if (FINAL_STATUSES.includes(done.status)) this.ages.forget(done.saleId);
      return done;
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
    const { settings, clocks } = this.#d;
    const stopped = (): boolean => cancel.stop?.aborted === true;
    // Already offline: say so at once instead of making the member wait for more refusals.
    let notSentLeft = this.attempts.offline ? 0 : settings.notSentRetries;
    let sale = start;
    let checking = false;
    for (;;) {
      const { sale: after, answer, decision } = await this.attempts.attempt(sale, cancel.abort);
      sale = after;
      if (decision.final || sale.status === 'queued') return sale;
      const left = deadline - clocks.mono();
      let wait = settings.pollIntervalMs;
      if (sale.status === 'pending') {
        if (!checking) {
          checking = true;
          onChecking();
        }
        if (answer.kind === 'busy') wait = Math.max(wait, answer.retryAfterMs ?? 0);
      } else if (answer.kind === 'not-sent') {
        // Provably never left: resend at once, a few times, then queue or refuse now.
        if (notSentLeft <= 0 || left <= 0 || stopped()) return this.#offline(sale, answer.reason);
        notSentLeft -= 1;
        wait = 300;
      } else {
        // Refused before dispatch for a while: wait out the ban if the member can.
        const ban = answer.retryAfterMs ?? 0;
        if (ban >= left || stopped()) return this.attempts.refuse(sale, answer.reason);
        wait = ban;
      }
      if (left <= 0 || stopped()) {
        // After the member's wait an unanswered sale is pending, never failed while unknown.
        return sale.status === 'pending'
          ? sale
          : this.#d.store.update(sale.saleId, { status: 'pending', updatedAt: clocks.wall() });
      }
      await this.#d.sleep(Math.min(wait, left), cancel.stop);
    }
  }

  /** The gateway cannot be reached: a member code may be queued within limits, anything else is refused. */
  #offline(sale: SaleRecord, why: string): SaleRecord {
    const decision = offlineDecision(this.#d.offline, this.#d.store, sale.qrCode ?? '', sale.amountFen, (s) =>
      this.ages.of(s.saleId, s.createdAt),
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
      updatedAt: this.#d.clocks.wall(),
    });
  }
}
