/**
 * Where sales are recorded. The payment layer writes every state change here and relies on one
 * promise: `create` and `update` have returned only once the change is recorded. The in-memory
 * store keeps that promise for one process lifetime; the SQLite ledger keeps it across power cuts.
 */
import { FINAL_STATUSES, type SaleRecord } from './sale.js';

export type SalePatch = Partial<Omit<SaleRecord, 'saleId' | 'requestId' | 'outBizId' | 'createdAt'>>;

export interface SaleStore {
  create(record: SaleRecord): void;
  update(saleId: string, patch: SalePatch): SaleRecord;
  get(saleId: string): SaleRecord | undefined;
  /** Sales that are not final yet, oldest first. */
  unresolved(): SaleRecord[];
  /** The newest sale, for "reprint the last receipt". */
  last(): SaleRecord | undefined;
}

export class MemorySaleStore implements SaleStore {
  readonly #sales = new Map<string, SaleRecord>();
  #lastId: string | undefined;

  create(record: SaleRecord): void {
    if (this.#sales.has(record.saleId)) throw new Error(`sale ${record.saleId} already recorded`);
    this.#sales.set(record.saleId, { ...record });
    this.#lastId = record.saleId;
  }

  update(saleId: string, patch: SalePatch): SaleRecord {
    const current = this.#sales.get(saleId);
    if (!current) throw new Error(`sale ${saleId} is not recorded`);
    const next: SaleRecord = { ...current, ...patch };
    // A final sale keeps only the mask of its code.
    if (FINAL_STATUSES.includes(next.status)) delete next.qrCode;
    this.#sales.set(saleId, next);
    return { ...next };
  }

  get(saleId: string): SaleRecord | undefined {
    const r = this.#sales.get(saleId);
    return r ? { ...r } : undefined;
  }

  unresolved(): SaleRecord[] {
    return [...this.#sales.values()]
      .filter((r) => !FINAL_STATUSES.includes(r.status))
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((r) => ({ ...r }));
  }

  last(): SaleRecord | undefined {
    return this.#lastId === undefined ? undefined : this.get(this.#lastId);
  }
}
