/**
 * Opening the ledger for the daemon, with the corrupt-file policy of `ledger.on_corrupt`:
 * a corrupt ledger is always moved aside (never deleted) and said loudly; with `refuse` the kiosk
 * then takes no sales until a person has looked (the moved-aside file stays beside the ledger as
 * the marker; moving it elsewhere clears the refusal), with `start-new` a fresh ledger starts.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Config } from '../config/schema.js';
import { AgentError, ErrorCode, isAgentError } from './errors.js';
import { Ledger } from './ledger/ledger.js';
import { corruptPrefix, moveAside } from './ledger/open-file.js';
import type { Logger } from './log.js';
import type { SaleRecord } from './payment/sale.js';
import type { LedgerSummary, SaleStore, StatusTotals } from './payment/store.js';

export const LEDGER_FILE = 'ledger.db';

export interface OpenedStore {
  store: SaleStore;
  /** Why no sale can be taken; undefined when the ledger is healthy. */
  outOfService?: string;
}

export function ledgerPath(config: Config): string {
  return join(config.paths.state_dir, LEDGER_FILE);
}

function corruptSiblings(path: string): string[] {
  const prefix = corruptPrefix(path);
  try {
    return readdirSync(dirname(path)).filter((f) => f.startsWith(prefix) && !/-(wal|shm|journal)$/.test(f));
  } catch {
    return [];
  }
}

export function openStore(config: Config, log: Logger, now: () => number = Date.now): OpenedStore {
  const path = ledgerPath(config);
  const startNew = config.ledger.on_corrupt === 'start-new';
  const aside = corruptSiblings(path);
  if (!startNew && aside.length > 0 && !existsSync(path)) {
    return unavailable(
      log,
      `ledger was corrupt and moved aside (${aside.join(', ')}); a person must look first`,
    );
  }
  try {
    const ledger = Ledger.open({
      path,
      log,
      now,
      onCorrupt: startNew ? 'move-aside-and-start-new' : 'refuse',
    });
    if (ledger.movedAside !== undefined) {
      log.fatal({ movedAside: ledger.movedAside }, 'LEDGER WAS CORRUPT: moved aside, started a new one');
    }
    return { store: ledger };
  } catch (e) {
    if (!isAgentError(e, ErrorCode.LedgerCorrupt)) throw e;
    const moved = moveAside(path, now());
    return unavailable(log, `ledger corrupt, moved aside to ${basename(moved)}; a person must look first`);
  }
}

function unavailable(log: Logger, why: string): OpenedStore {
  log.fatal({ why }, 'LEDGER UNAVAILABLE: no sales will be taken');
  return { store: new UnavailableStore(why), outOfService: why };
}

const NONE: StatusTotals = { count: 0, amountFen: 0 };

/** A ledger that cannot record: every new sale is refused before anything is sent. */
class UnavailableStore implements SaleStore {
  readonly #why: string;
  constructor(why: string) {
    this.#why = why;
  }
  create(): void {
    throw new AgentError(ErrorCode.LedgerUnwritable, this.#why);
  }
  update(saleId: string): SaleRecord {
    throw new AgentError(ErrorCode.LedgerUnwritable, `${this.#why} (sale ${saleId})`);
  }
  get(): undefined {
    return undefined;
  }
  find(): undefined {
    return undefined;
  }
  unresolved(): SaleRecord[] {
    return [];
  }
  queued(): SaleRecord[] {
    return [];
  }
  queuedTotals(): StatusTotals {
    return NONE;
  }
  offlineOpen(): StatusTotals {
    return NONE;
  }
  unprinted(): SaleRecord[] {
    return [];
  }
  last(): undefined {
    return undefined;
  }
  list(): SaleRecord[] {
    return [];
  }
  summary(): LedgerSummary {
    const byStatus = Object.fromEntries(
      (['created', 'sent', 'succeeded', 'failed', 'pending', 'queued', 'refused'] as const).map((s) => [
        s,
        NONE,
      ]),
    ) as LedgerSummary['byStatus'];
    return { byStatus, flagged: 0, flagKinds: {}, servedUnpaid: NONE, unprinted: 0 };
  }
  prune(): number {
    return 0;
  }
  close(): void {
    // Nothing is open.
  }
}
