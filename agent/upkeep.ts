/**
 * The runtime's background work, one pass at a time on an interval: write what the ledger could
 * not take, resolve unresolved sales, forward offline ones, print owed receipts, prune old sales.
 * The first pass after start-up is recovery: receipts wait for it (bounded), so a restart never
 * prints 处理中 for a sale the next second shows as paid.
 */
import type { Config } from '../config/schema.js';
import type { Clocks } from './clocks.js';
import { asError } from './errors.js';
import type { Logger } from './log.js';
import type { GatewayClock } from './pay/clock.js';
import type { Background } from './payment/background.js';
import type { Cancel } from './payment/payments.js';
import type { SaleRecord } from './payment/sale.js';
import type { UnsavedOutcomes } from './payment/unsaved.js';
import type { Receipts } from './receipt/print.js';

/** How long recovery at start-up may resolve sales before owed receipts are printed anyway. */
export const RECOVERY_BUDGET_MS = 10_000;
const PRUNE_EVERY_MS = 3_600_000;

export interface UpkeepDeps {
  config: Config;
  log: Logger;
  clocks: Clocks;
  background: Background;
  receipts: Receipts;
  store: UnsavedOutcomes;
  cancel: Required<Cancel>;
  /** A sale the kiosk is still handling (its receipt is the kiosk's own effect). */
  busy: (saleId: string) => boolean;
  /** The ledger's write health changed: the runtime re-decides whether the kiosk can sell. */
  onUnsavedChange: () => void;
  onResolved?: (sale: SaleRecord) => void;
  gatewayClock?: GatewayClock;
}

export class Upkeep {
  readonly #d: UpkeepDeps;
  #running = false;
  #recovered = false;
  #prunedAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: UpkeepDeps) {
    this.#d = deps;
  }

  /** False until the first pass has tried to resolve what a previous run left open. */
  get recovered(): boolean {
    return this.#recovered;
  }

  /** Recovery now, then a pass every `everyMs`; each pass is handed to `track` (shutdown waits). */
  start(everyMs: number, track: (p: Promise<unknown>) => void): void {
    // Whatever a previous run left created/sent becomes pending before anything else runs.
    this.#d.background.recover();
    track(this.pass());
    this.#timer = setInterval(() => track(this.pass()), everyMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async pass(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const { background, receipts, cancel } = this.#d;
    try {
      this.flushUnsaved();
      const budget = this.#recovered ? undefined : RECOVERY_BUDGET_MS;
      const resolved = await background.resolvePending(cancel, budget);
      this.#recovered = true;
      const forwarded = await background.forwardQueued(cancel);
      for (const sale of [...resolved, ...forwarded]) this.#d.onResolved?.(sale);
      if (!cancel.stop.aborted) await receipts.sweep(this.#d.busy);
      this.#prune();
    } finally {
      this.#recovered = true;
      this.#running = false;
    }
  }

  /** Outcomes the ledger could not take are written as soon as it takes writes again. */
  flushUnsaved(): void {
    if (this.#d.store.unsavedCount === 0) return;
    try {
      this.#d.store.flush();
    } catch (e) {
      this.#d.log.error({ err: asError(e) }, 'held outcomes not written');
    }
    this.#d.onUnsavedChange();
  }

  /**
   * Final sales past retention are deleted at most once an hour; the ledger stays bounded. Only by a
   * confirmed clock: a Pi that booted at a wrong date must not delete by it.
   */
  #prune(): void {
    const mono = this.#d.clocks.mono();
    if (this.#prunedAt !== undefined && mono - this.#prunedAt < PRUNE_EVERY_MS) return;
    if (this.#d.gatewayClock?.synced === false) return;
    this.#prunedAt = mono;
    const days = this.#d.config.ledger.retention_days;
    const removed = this.#d.store.prune(this.#d.clocks.wall() - days * 86_400_000);
    if (removed > 0) this.#d.log.info({ removed, retentionDays: days }, 'pruned old final sales');
  }
}
