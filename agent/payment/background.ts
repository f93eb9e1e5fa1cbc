/**
 * What happens to sales after the member has left: recovery after a restart, background
 * resolution of pending sales with backoff, forwarding of sales accepted offline, and flags for the
 * sales a person must reconcile. Nothing here ever drops a sale or declares one paid without an
 * answer from the payment service.
 */
import type { Logger } from '../log.js';
import type { OfflinePolicy } from './offline.js';
import type { SaleAttempts } from './attempt.js';
import type { Cancel } from './payments.js';
import { FINAL_STATUSES, type SaleRecord } from './sale.js';

export interface BackgroundSettings {
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Unresolved longer than this → flagged for manual reconciliation (and still checked). */
  flagAfterMs: number;
}

export class Background {
  readonly #attempts: SaleAttempts;
  readonly #active: ReadonlySet<string>;
  readonly #settings: BackgroundSettings;
  readonly #offline: OfflinePolicy;
  readonly #log: Logger;
  readonly #now: () => number;
  /** When each unresolved sale is next checked, and its current backoff. */
  readonly #backoff = new Map<string, { at: number; delay: number }>();

  constructor(opts: {
    attempts: SaleAttempts;
    active: ReadonlySet<string>;
    settings: BackgroundSettings;
    offline: OfflinePolicy;
    log: Logger;
    now: () => number;
  }) {
    this.#attempts = opts.attempts;
    this.#active = opts.active;
    this.#settings = opts.settings;
    this.#offline = opts.offline;
    this.#log = opts.log.child({ module: 'background' });
    this.#now = opts.now;
  }

  /**
   * Sales a previous run left `created` or `sent` may have reached the service before the power
   * went: they become pending, so only the service's answer can end them (never a refusal).
   */
  recover(): number {
    const store = this.#attempts.store;
    let n = 0;
    for (const sale of store.unresolved()) {
      if (sale.status === 'pending' || this.#active.has(sale.saleId)) continue;
      store.update(sale.saleId, {
        status: 'pending',
        reason: 'recovered after restart',
        updatedAt: this.#now(),
      });
      n += 1;
    }
    if (n > 0) this.#log.warn({ sales: n }, 'recovered unresolved sales from the ledger');
    return n;
  }

  /** One pass over pending sales whose backoff has expired. Returns the sales that became final. */
  async resolvePending(cancel: Cancel = {}): Promise<SaleRecord[]> {
    const resolved: SaleRecord[] = [];
    for (const sale of this.#attempts.store.unresolved()) {
      if (cancel.stop?.aborted === true) break;
      if (this.#active.has(sale.saleId) || sale.status !== 'pending') continue;
      const now = this.#now();
      const b = this.#backoff.get(sale.saleId);
      if (b && now < b.at) continue;
      const { sale: after } = await this.#attempts.attempt(this.#flagIfOld(sale, now), cancel.abort);
      if (FINAL_STATUSES.includes(after.status)) {
        this.#backoff.delete(sale.saleId);
        resolved.push(after);
        this.#log.info({ saleId: after.saleId, status: after.status }, 'pending sale resolved');
      } else {
        const { minBackoffMs: min, maxBackoffMs: max } = this.#settings;
        const delay = b ? Math.min(max, b.delay * 2) : min;
        this.#backoff.set(sale.saleId, { at: this.#now() + delay, delay });
      }
    }
    return resolved;
  }

  /**
   * Forward sales accepted offline, oldest first, a few at a time. Stops at the first sign that the
   * gateway is still unreachable; a sale that provably did not leave goes back to the queue.
   */
  async forwardQueued(cancel: Cancel = {}): Promise<SaleRecord[]> {
    const store = this.#attempts.store;
    const done: SaleRecord[] = [];
    for (;;) {
      const batch = store.queued(this.#offline.concurrency);
      if (batch.length === 0 || cancel.stop?.aborted === true) return done;
      const results = await Promise.all(batch.map((sale) => this.#forward(sale, cancel)));
      done.push(...results.filter((r) => r.status !== 'queued'));
      if (results.some((r) => r.status === 'queued')) return done;
    }
  }

  async #forward(queued: SaleRecord, cancel: Cancel): Promise<SaleRecord> {
    const store = this.#attempts.store;
    const now = this.#now();
    const sale = store.update(queued.saleId, {
      status: 'sent',
      ...(queued.forwardedAt === undefined && { forwardedAt: now }),
      updatedAt: now,
    });
    const { sale: after, step } = await this.#attempts.attempt(sale, cancel.abort);
    if (after.status === 'sent' && (step.kind === 'not-sent' || step.kind === 'retry')) {
      // Never reached the service: back in the queue, in its place (ordered by creation).
      return store.update(after.saleId, { status: 'queued', updatedAt: this.#now() });
    }
    if (after.status === 'sent') {
      // Refused before dispatch for a reason a retry will not fix: a person must look.
      return store.update(after.saleId, { status: 'pending', flag: `forwarding refused: ${step.kind}` });
    }
    this.#log.info({ saleId: after.saleId, status: after.status }, 'offline sale forwarded');
    return after;
  }

  #flagIfOld(sale: SaleRecord, now: number): SaleRecord {
    if (sale.flag !== undefined || now - sale.createdAt < this.#settings.flagAfterMs) return sale;
    const hours = Math.round((now - sale.createdAt) / 3_600_000);
    this.#log.error({ saleId: sale.saleId, outBizId: sale.outBizId }, 'sale unresolved too long; flagged');
    return this.#attempts.store.update(sale.saleId, {
      flag: `unresolved after ${hours} h: reconcile manually`,
    });
  }
}
