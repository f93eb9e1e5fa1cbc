/**
 * What happens to sales after the member has left: recovery after a restart, background
 * resolution of unresolved sales with backoff, forwarding of sales accepted offline, and flags for
 * the sales a person must reconcile. Nothing here ever drops a sale or declares one paid without an
 * answer from the payment service, and a sale is only ever checked against its own gateway.
 */
import type { Ages, Clocks } from '../clocks.js';
import type { Logger } from '../log.js';
import type { SaleAttempts } from './attempt.js';
import { addFlag } from './flags.js';
import type { OfflinePolicy } from './offline.js';
import type { Cancel } from './payments.js';
import { FINAL_STATUSES, type SaleRecord } from './sale.js';

export interface BackgroundSettings {
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Unresolved longer than this → flagged for manual reconciliation (and still checked). */
  flagAfterMs: number;
}

interface Backoff {
  /** Monotonic time of the next check. */
  at: number;
  delay: number;
}

export class Background {
  readonly #attempts: SaleAttempts;
  readonly #active: ReadonlySet<string>;
  readonly #settings: BackgroundSettings;
  readonly #offline: OfflinePolicy;
  readonly #log: Logger;
  readonly #clocks: Clocks;
  readonly #ages: Ages;
  readonly #gateway: string | undefined;
  /** When each unresolved sale is next checked, and its current backoff. */
  readonly #backoff = new Map<string, Backoff>();
  /** Forwarding waits too while the gateway refuses or cannot be reached. */
  #forwardBackoff: Backoff | undefined;
  readonly #otherGateway = new Set<string>();
  readonly #random: () => number;

  constructor(opts: {
    attempts: SaleAttempts;
    active: ReadonlySet<string>;
    settings: BackgroundSettings;
    offline: OfflinePolicy;
    log: Logger;
    clocks: Clocks;
    ages: Ages;
    /** This agent's gateway (`gatewayId`); sales of another are left alone. */
    gateway?: string;
    /** For the backoff's jitter; tests pass a fixed one. */
    random?: () => number;
  }) {
    this.#random = opts.random ?? Math.random;
    this.#attempts = opts.attempts;
    this.#active = opts.active;
    this.#settings = opts.settings;
    this.#offline = opts.offline;
    this.#log = opts.log.child({ module: 'background' });
    this.#clocks = opts.clocks;
    this.#ages = opts.ages;
    this.#gateway = opts.gateway;
  }

  /** Unresolved or queued sales that belong to another gateway (left alone, reported). */
  get otherGatewaySales(): number {
    return this.#otherGateway.size;
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
      this.#toPending(sale, 'recovered after restart');
      n += 1;
    }
    if (n > 0) this.#log.warn({ sales: n }, 'recovered unresolved sales from the ledger');
    return n;
  }

  /**
   * One pass over unresolved sales whose backoff has expired. A sale left `sent` by this run (its
   * outcome could not be written, or the member's wait was cut short) is resolved here too, without
   * waiting for a restart. With `budgetMs`, no new check starts after it. Returns the sales that
   * became final.
   */
  async resolvePending(cancel: Cancel = {}, budgetMs?: number): Promise<SaleRecord[]> {
    const resolved: SaleRecord[] = [];
    const until = budgetMs === undefined ? Infinity : this.#clocks.mono() + budgetMs;
    for (const found of this.#attempts.store.unresolved()) {
      if (cancel.stop?.aborted === true || this.#clocks.mono() >= until) break;
      if (this.#active.has(found.saleId) || !this.#ours(found)) continue;
      const b = this.#backoff.get(found.saleId);
      if (b && this.#clocks.mono() < b.at) continue;
      let sale = found.status === 'pending' ? found : this.#toPending(found, 'unanswered; resolving');
      sale = this.#flagIfOld(sale);
      let { sale: after, answer } = await this.#attempts.attempt(sale, cancel.abort);
      // One background check asks both ways (query and identical replay, alternating), so a gateway
      // that completes only on one of them is not kept waiting two backoff periods per step.
      const bothWays = after.result?.checkoutId !== undefined && this.#attempts.replaysSafe;
      if (
        bothWays &&
        after.status === 'pending' &&
        (answer.kind === 'pending' || answer.kind === 'unknown')
      ) {
        ({ sale: after, answer } = await this.#attempts.attempt(after, cancel.abort));
      }
      if (FINAL_STATUSES.includes(after.status)) {
        this.#backoff.delete(sale.saleId);
        this.#ages.forget(sale.saleId);
        resolved.push(after);
        this.#log.info({ saleId: after.saleId, status: after.status }, 'pending sale resolved');
      } else {
        this.#backoff.set(sale.saleId, this.#next(b, answer.retryAfterMs));
      }
    }
    return resolved;
  }

  /**
   * Forward sales accepted offline, oldest first, a few at a time. Stops at the first sign that the
   * gateway is still unreachable or refusing (the sale is back in the queue, in its place) and waits
   * with backoff before trying again. A forwarded sale is `sent` before its request leaves, so a
   * crash mid-forward leaves it to be resolved, never forwarded blind as new.
   */
  async forwardQueued(cancel: Cancel = {}): Promise<SaleRecord[]> {
    const store = this.#attempts.store;
    const done: SaleRecord[] = [];
    if (this.#forwardBackoff && this.#clocks.mono() < this.#forwardBackoff.at) return done;
    for (;;) {
      const batch = store.queued(this.#offline.concurrency, this.#gateway);
      if (batch.length === 0 || cancel.stop?.aborted === true) return done;
      const results = await Promise.all(batch.map((sale) => this.#forward(sale, cancel)));
      done.push(...results.filter((r) => r.status !== 'queued'));
      if (results.some((r) => r.status === 'queued')) {
        this.#forwardBackoff = this.#next(this.#forwardBackoff);
        return done;
      }
      this.#forwardBackoff = undefined;
    }
  }

  async #forward(queued: SaleRecord, cancel: Cancel): Promise<SaleRecord> {
    const store = this.#attempts.store;
    const now = this.#clocks.wall();
    const sale = store.update(queued.saleId, {
      status: 'sent',
      ...(queued.forwardedAt === undefined && { forwardedAt: now }),
      updatedAt: now,
    });
    const { sale: after, answer } = await this.#attempts.attempt(sale, cancel.abort);
    if (after.status === 'queued') {
      this.#log.info({ saleId: after.saleId, answer: answer.kind }, 'offline sale not forwarded yet');
    } else {
      this.#log.info({ saleId: after.saleId, status: after.status }, 'offline sale forwarded');
    }
    return after;
  }

  #next(b: Backoff | undefined, atLeastMs = 0): Backoff {
    const { minBackoffMs: min, maxBackoffMs: max } = this.#settings;
    const delay = Math.max(atLeastMs, b ? Math.min(max, b.delay * 2) : min);
    // ±20 % so checks do not fall into step with a gateway's own rhythm (a busy period, a cache).
    const jitter = delay * 0.2 * (2 * this.#random() - 1);
    return { at: this.#clocks.mono() + Math.max(atLeastMs, delay + jitter), delay };
  }

  #toPending(sale: SaleRecord, reason: string): SaleRecord {
    return this.#attempts.store.update(sale.saleId, {
      status: 'pending',
      reason,
      updatedAt: this.#clocks.wall(),
    });
  }

  /** Sales recorded against another gateway (another URL or app key) are never resolved here. */
  #ours(sale: SaleRecord): boolean {
    if (sale.gateway === undefined || this.#gateway === undefined || sale.gateway === this.#gateway) {
      return true;
    }
    if (!this.#otherGateway.has(sale.saleId)) {
      this.#otherGateway.add(sale.saleId);
      this.#log.error(
        { saleId: sale.saleId, outBizId: sale.outBizId, gateway: sale.gateway, current: this.#gateway },
        'sale belongs to another gateway; left alone (reconcile it there or restore that config)',
      );
    }
    return false;
  }

  #flagIfOld(sale: SaleRecord): SaleRecord {
    const age = this.#ages.of(sale.saleId, sale.createdAt);
    if (age < this.#settings.flagAfterMs) return sale;
    const hours = Math.round(age / 3_600_000);
    const flag = addFlag(sale.flag, 'unresolved', `unresolved after ${hours} h: reconcile manually`);
    if (flag === sale.flag) return sale;
    this.#log.error({ saleId: sale.saleId, outBizId: sale.outBizId }, 'sale unresolved too long; flagged');
    return this.#attempts.store.update(sale.saleId, { flag });
  }
}
