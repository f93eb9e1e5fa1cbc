/**
 * The ledger in front of the payment layer when a write fails after the gateway has answered (disk
 * full, I/O error on the SD card). Throwing then would tell a member who was charged "refused,
 * nothing was sent" and leave the sale `sent` until a restart. Instead the change is kept in memory,
 * every read sees it, and `flush()` (each background pass) writes it as soon as the ledger takes
 * writes again. A crash before that loses nothing that matters: the ledger still holds the sale as
 * sent or pending, and recovery asks the gateway again, which answers the same.
 *
 * Only "cannot write" errors are absorbed. A new sale that cannot be recorded still throws (nothing
 * was sent), and a refused change (a bug) is never hidden.
 */
import { ErrorCode, isAgentError } from '../errors.js';
import type { Logger } from '../log.js';
import { FINAL_STATUSES, type SaleRecord, type SaleStatus } from './sale.js';
import type { LedgerSummary, OfflineOpen, SalePatch, SaleStore, StatusTotals } from './store.js';

/** Recent records kept to answer for a sale whose change could not be written. */
const KNOWN_MAX = 256;

const UNRESOLVED: readonly SaleStatus[] = ['created', 'sent', 'pending'];

/** What the ledger would hold after `patch`: a final sale keeps only the mask of its code. */
export function applyPatch(record: SaleRecord, patch: SalePatch): SaleRecord {
  const next = { ...record, ...patch };
  if (FINAL_STATUSES.includes(next.status)) delete next.qrCode;
  return next;
}

export class UnsavedOutcomes implements SaleStore {
  readonly #inner: SaleStore;
  readonly #log: Logger;
  readonly #unsaved = new Map<string, SalePatch>();
  readonly #known = new Map<string, SaleRecord>();

  constructor(inner: SaleStore, log: Logger) {
    this.#inner = inner;
    this.#log = log.child({ module: 'unsaved' });
  }

  /** Changes held in memory because the ledger could not write them. */
  get unsavedCount(): number {
    return this.#unsaved.size;
  }

  create(record: SaleRecord): void {
    this.#inner.create(record);
    this.#remember(record);
  }

  update(saleId: string, patch: SalePatch): SaleRecord {
    const held = this.#unsaved.get(saleId);
    const merged = held === undefined ? patch : { ...held, ...patch };
    try {
      const record = this.#inner.update(saleId, merged);
      if (held !== undefined) {
        this.#unsaved.delete(saleId);
        this.#log.info({ saleId }, 'held outcome written to the ledger');
      }
      return this.#remember(record);
    } catch (e) {
      if (!isAgentError(e, ErrorCode.LedgerUnwritable)) throw e;
      const base = this.#known.get(saleId) ?? this.#read(saleId);
      if (base === undefined) throw e;
      this.#unsaved.set(saleId, merged);
      this.#log.error(
        { saleId, status: merged.status, err: e },
        'ledger cannot write: the sale is kept in memory and written when the ledger takes writes again',
      );
      return applyPatch(base, merged);
    }
  }

  /** Writes what is held, oldest first; stops at the first failure. Returns how many are still held. */
  flush(): number {
    for (const [saleId, patch] of this.#unsaved) {
      try {
        this.#remember(this.#inner.update(saleId, patch));
      } catch (e) {
        if (!isAgentError(e, ErrorCode.LedgerUnwritable)) throw e;
        return this.#unsaved.size;
      }
      this.#unsaved.delete(saleId);
      this.#log.info({ saleId }, 'held outcome written to the ledger');
    }
    return 0;
  }

  get(saleId: string): SaleRecord | undefined {
    return this.#overlay(this.#inner.get(saleId));
  }

  find(ref: string): SaleRecord | undefined {
    return this.#overlay(this.#inner.find(ref));
  }

  unresolved(): SaleRecord[] {
    return this.#all(this.#inner.unresolved()).filter((r) => UNRESOLVED.includes(r.status));
  }

  queued(limit?: number, gateway?: string): SaleRecord[] {
    return this.#all(this.#inner.queued(limit, gateway)).filter((r) => r.status === 'queued');
  }

  queuedTotals(): StatusTotals {
    return this.#inner.queuedTotals();
  }

  offlineOpen(): OfflineOpen {
    return this.#inner.offlineOpen();
  }

  unprinted(limit?: number): SaleRecord[] {
    return this.#all(this.#inner.unprinted(limit)).filter((r) => !r.printed);
  }

  last(): SaleRecord | undefined {
    return this.#overlay(this.#inner.last());
  }

  list(filter?: Parameters<SaleStore['list']>[0]): SaleRecord[] {
    return this.#all(this.#inner.list(filter));
  }

  summary(): LedgerSummary {
    return this.#inner.summary();
  }

  prune(before: number): number {
    return this.#inner.prune(before);
  }

  close(): void {
    if (this.#unsaved.size > 0) {
      this.#log.error(
        { sales: [...this.#unsaved.keys()] },
        'closing with outcomes the ledger never took: they are resolved again at the next start',
      );
    }
    this.#inner.close();
  }

  #read(saleId: string): SaleRecord | undefined {
    try {
      return this.#inner.get(saleId);
    } catch {
      return undefined;
    }
  }

  #all(records: SaleRecord[]): SaleRecord[] {
    return records.map((r) => this.#overlay(r) ?? r);
  }

  #overlay(record: SaleRecord | undefined): SaleRecord | undefined {
    if (record === undefined) return undefined;
    this.#remember(record);
    const held = this.#unsaved.get(record.saleId);
    return held === undefined ? record : applyPatch(record, held);
  }

  #remember(record: SaleRecord): SaleRecord {
    this.#known.delete(record.saleId);
    this.#known.set(record.saleId, record);
    if (this.#known.size > KNOWN_MAX) {
      const oldest = this.#known.keys().next().value;
      if (oldest !== undefined) this.#known.delete(oldest);
    }
    return record;
  }
}
