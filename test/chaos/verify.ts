/**
 * The money checks: the sandbox's charge ledger (what really moved) against the daemon's sales
 * ledger (what the kiosk believes) and the sales the daemons announced. A problem is remembered
 * per out_biz_id with its first reason, so one bad sale counts once however often it is seen.
 *
 * - duplicate: an out_biz_id charged more than once;
 * - lost: anything else that leaves money or a sale unaccounted for: a recorded or charged sale the
 *   ledger does not know, an amount that differs, and at the end a sale still open (created, sent,
 *   pending, queued and not flagged) or whose status contradicts the charges;
 * - wrong_status: at the end, a sale whose ledger status disagrees with the money, flagged or not
 *   (a flag asks a person to look; it does not make a wrong status right): charged but failed,
 *   refused or still open, or succeeded and never charged.
 */
import type { SeenSale } from './daemon.js';
import { FINAL, type LedgerView } from './ledger.js';
import type { Charges } from './sandbox.js';

export class Verdict {
  readonly duplicates = new Map<string, string>();
  readonly lost = new Map<string, string>();
  readonly wrongStatus = new Map<string, string>();

  duplicate(outBizId: string, why: string): void {
    if (!this.duplicates.has(outBizId)) this.duplicates.set(outBizId, why);
  }

  lose(outBizId: string, why: string): void {
    if (!this.lost.has(outBizId)) this.lost.set(outBizId, why);
  }

  wrong(outBizId: string, why: string): void {
    if (!this.wrongStatus.has(outBizId)) this.wrongStatus.set(outBizId, why);
  }

  /** Detail lines, at most `max` of each kind. */
  details(max: number): string[] {
    const lines: string[] = [];
    for (const [kind, map] of [
      ['duplicate', this.duplicates],
      ['lost', this.lost],
      ['wrong_status', this.wrongStatus],
    ] as const) {
      let n = 0;
      for (const [id, why] of map) {
        if (n++ < max) lines.push(`${kind} ${id}: ${why}`);
      }
      if (map.size > max) lines.push(`… and ${map.size - max} more ${kind}`);
    }
    return lines;
  }
}

/** Charged out_biz_ids (count ≥ 1). */
export function chargedIds(charges: Charges): string[] {
  return Object.entries(charges.byOutBizId)
    .filter(([, c]) => c.count > 0)
    .map(([id]) => id);
}

/**
 * After a restart, and whenever else: nothing charged twice, every payment the gateway saw belongs
 * to a sale the ledger holds, and every charge has that sale's amount. Read the charges BEFORE the
 * ledger: a sale is committed before its request leaves, so whatever the report shows must already
 * be in a ledger read afterwards.
 */
export function checkCharges(charges: Charges, ledger: LedgerView, v: Verdict): void {
  for (const id of charges.duplicates)
    v.duplicate(id, `charged ${charges.byOutBizId[id]?.count ?? '?'} times`);
  for (const [id, c] of Object.entries(charges.byOutBizId)) {
    if (c.count > 1) v.duplicate(id, `charged ${c.count} times`);
    const sale = ledger.sales.get(id);
    // Even an uncharged payment means a request left the kiosk, which happens after the commit.
    if (sale === undefined) {
      v.lose(
        id,
        c.count > 0
          ? `charged ${c.amountFen} fen but unknown to the ledger`
          : 'sent, but unknown to the ledger',
      );
    } else if (c.count > 0 && sale.amountFen * c.count !== c.amountFen) {
      v.lose(id, `charged ${c.amountFen} fen, ledger says ${sale.amountFen} fen`);
    }
  }
}

/** Every sale a daemon announced as recorded is in the ledger (it was committed before the log line). */
export function checkRecorded(seen: ReadonlyMap<string, SeenSale>, ledger: LedgerView, v: Verdict): void {
  for (const [id, s] of seen) {
    const sale = ledger.sales.get(id);
    if (sale === undefined) v.lose(id, `sale ${s.saleId} was recorded, the ledger does not have it`);
    else if (s.amountFen !== undefined && s.amountFen !== sale.amountFen) {
      v.lose(id, `sale ${s.saleId} started at ${s.amountFen} fen, ledger says ${sale.amountFen} fen`);
    }
  }
}

/** Open ledger sales (not final and not flagged): what the final phase waits for. */
export function openSales(ledger: LedgerView): string[] {
  return [...ledger.sales.values()].filter((s) => !FINAL.has(s.status) && !s.flagged).map((s) => s.outBizId);
}

/** At the end: everything above, every sale closed, and each final status agreeing with the money. */
export function checkFinal(
  charges: Charges,
  ledger: LedgerView,
  seen: ReadonlyMap<string, SeenSale>,
  v: Verdict,
): void {
  checkCharges(charges, ledger, v);
  checkRecorded(seen, ledger, v);
  for (const sale of ledger.sales.values()) {
    const count = charges.byOutBizId[sale.outBizId]?.count ?? 0;
    // A flagged sale is in a person's hands; the charges above still had to match it.
    if (sale.flagged) continue;
    if (!FINAL.has(sale.status)) v.lose(sale.outBizId, `left ${sale.status} at the end`);
    else if (sale.status === 'succeeded' && count === 0) v.lose(sale.outBizId, 'succeeded, never charged');
    else if (sale.status !== 'succeeded' && count > 0) v.lose(sale.outBizId, `${sale.status}, but charged`);
  }
  checkStatuses(charges, ledger, v);
}

/** Each sale's final status against the money, flagged sales included. */
export function checkStatuses(charges: Charges, ledger: LedgerView, v: Verdict): void {
  for (const sale of ledger.sales.values()) {
    const count = charges.byOutBizId[sale.outBizId]?.count ?? 0;
    const flag = sale.flagged ? ' (flagged)' : '';
    if (count > 0 && sale.status !== 'succeeded') {
      v.wrong(sale.outBizId, `charged ${count} time(s), ledger says ${sale.status}${flag}`);
    } else if (count === 0 && sale.status === 'succeeded') {
      v.wrong(sale.outBizId, `ledger says succeeded, never charged${flag}`);
    }
  }
}

/** Sales a person was asked to look at. */
export function flaggedCount(ledger: LedgerView): number {
  return [...ledger.sales.values()].filter((s) => s.flagged).length;
}

export interface Summary {
  kills: number;
  sales: number;
  charged: number;
  duplicates: number;
  lost: number;
  wrongStatus: number;
  flagged: number;
}

/** `kills=N sales=N charged=N duplicates=N lost=N wrong_status=N flagged=N` */
export function summaryLine(s: Summary): string {
  return (
    `kills=${s.kills} sales=${s.sales} charged=${s.charged} duplicates=${s.duplicates} lost=${s.lost} ` +
    `wrong_status=${s.wrongStatus} flagged=${s.flagged}`
  );
}

export function sumSummaries(all: readonly Summary[]): Summary {
  const total: Summary = {
    kills: 0,
    sales: 0,
    charged: 0,
    duplicates: 0,
    lost: 0,
    wrongStatus: 0,
    flagged: 0,
  };
  for (const s of all) for (const k of Object.keys(total) as (keyof Summary)[]) total[k] += s[k];
  return total;
}
