/**
 * The sandbox's record of money that moved. Tests read it to prove exactly-once: every retry,
 * replay, timeout and reset must still leave one charge per sale. A charge is counted when a
 * payment reaches success (at once, or when a pending one resolves), never for a decline.
 */
import type { CheckoutStatus } from '../pay/types.js';

export interface OutBizIdCharges {
  /** How many payments for this order reached success. More than one is a double charge. */
  count: number;
  /** Fen charged for this order across those payments. */
  amountFen: number;
  /** The status of the latest payment made for this order. */
  status: CheckoutStatus;
}

export interface ChargeReport {
  charges: number;
  totalFen: number;
  byOutBizId: Record<string, OutBizIdCharges>;
  /** Orders charged more than once, in the order they were first seen. */
  duplicates: string[];
}

export class ChargeLedger {
  readonly #byOutBizId = new Map<string, OutBizIdCharges>();
  /** Orders whose tally changed since takeChanged() was last asked (the book file's journal). */
  readonly #changed = new Set<string>();
  /** Lets pending payments whose time has come settle before anyone reads the ledger. */
  readonly #settle: () => void;

  constructor(settle: () => void = () => undefined) {
    this.#settle = settle;
  }

  /** A payment for this order was created or changed status; no money moves. */
  track(outBizId: string, status: CheckoutStatus): void {
    this.#changed.add(outBizId);
    const entry = this.#byOutBizId.get(outBizId);
    if (entry === undefined) this.#byOutBizId.set(outBizId, { count: 0, amountFen: 0, status });
    else entry.status = status;
  }

  /** A payment for this order succeeded: the customer paid `amountFen`. */
  charge(outBizId: string, amountFen: number): void {
    this.track(outBizId, 'SUCCEEDED');
    const entry = this.#byOutBizId.get(outBizId);
    if (entry === undefined) return; // unreachable: track() just created it
    entry.count += 1;
    entry.amountFen += amountFen;
  }

  /** Every order's tally, for the sandbox's book file (book-file.ts). */
  entries(): [string, OutBizIdCharges][] {
    return [...this.#byOutBizId].map(([id, c]) => [id, { ...c }]);
  }

  /** The tallies changed since the last call, as entries() gives them. */
  takeChanged(): [string, OutBizIdCharges][] {
    const changed: [string, OutBizIdCharges][] = [];
    for (const id of this.#changed) {
      const c = this.#byOutBizId.get(id);
      if (c !== undefined) changed.push([id, { ...c }]);
    }
    this.#changed.clear();
    return changed;
  }

  /** Tallies saved before, as entries() gave them. */
  load(entries: readonly [string, OutBizIdCharges][]): void {
    for (const [id, c] of entries) this.#byOutBizId.set(id, { ...c });
  }

  /** Successful payments so far. */
  get charges(): number {
    return this.report().charges;
  }

  get totalFen(): number {
    return this.report().totalFen;
  }

  /** How many times this order was charged (0 when unknown). */
  count(outBizId: string): number {
    this.#settle();
    return this.#byOutBizId.get(outBizId)?.count ?? 0;
  }

  /** A plain-JSON snapshot; `GET /_sandbox/charges` serves exactly this. */
  report(): ChargeReport {
    this.#settle();
    const byOutBizId: Record<string, OutBizIdCharges> = {};
    const duplicates: string[] = [];
    let charges = 0;
    let totalFen = 0;
    for (const [outBizId, entry] of this.#byOutBizId) {
      byOutBizId[outBizId] = { ...entry };
      charges += entry.count;
      totalFen += entry.amountFen;
      if (entry.count > 1) duplicates.push(outBizId);
    }
    return { charges, totalFen, byOutBizId, duplicates };
  }
}
