/**
 * How the harness reads the daemon's sales ledger: the ONE place that knows where it lives and
 * how to read it.
 *
 * It uses the agent's own read-only path (`openLedgerReadOnly` + `SaleQueries`, what the `queue`
 * CLI runs on): a WAL snapshot that never blocks the daemon and writes nothing. Not the CLI itself,
 * because `queue list --json` shows the attention list (open, queued, flagged, unprinted sales),
 * and the checks need every sale; reading in-process also spares a node start per check.
 * No ledger file means an in-memory store, which the checks treat as an empty ledger.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openLedgerReadOnly } from '../../agent/ledger/open-file.js';
import { SaleQueries } from '../../agent/ledger/queries.js';
import { FINAL_STATUSES, type SaleRecord } from '../../agent/payment/sale.js';
import { LEDGER_FILE } from '../../agent/store-open.js';

export interface LedgerSale {
  outBizId: string;
  saleId: string;
  status: string;
  amountFen: number;
  /** A person was asked to look. */
  flagged: boolean;
}

export interface LedgerView {
  /** Where the rows came from, printed with the results. */
  source: 'ledger' | 'none';
  sales: Map<string, LedgerSale>;
  /** Why there are no rows, when there are none to read. */
  note?: string;
}

/** Statuses that end a sale; anything else is still open (created, sent, pending, queued). */
export const FINAL: ReadonlySet<string> = new Set(FINAL_STATUSES);

export function readLedger(stateDir: string): LedgerView {
  const file = join(stateDir, LEDGER_FILE);
  if (!existsSync(file)) return { source: 'none', sales: new Map(), note: `no ${file}` };
  const { db, version } = openLedgerReadOnly(file);
  try {
    // Version 0: created by a daemon killed before its first migration; nothing recorded yet.
    const records = version === 0 ? [] : new SaleQueries(db).list();
    return { source: 'ledger', sales: new Map(records.map((r) => [r.outBizId, toSale(r)])) };
  } finally {
    db.close();
  }
}

function toSale(r: SaleRecord): LedgerSale {
  return {
    outBizId: r.outBizId,
    saleId: r.saleId,
    status: r.status,
    amountFen: r.amountFen,
    flagged: r.flag !== undefined && r.flag !== '',
  };
}
