/**
 * `xpos-agent queue list | show ID | report`: what the ledger holds, for an operator at the kiosk.
 * It opens the ledger read-only while the daemon may be writing (WAL gives it a consistent snapshot
 * and never blocks the writer), runs no migration and writes nothing. The full payment code is never
 * printed: the formatters in agent/ledger/report.ts only know the mask.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { asError } from '../errors.js';
import { EXIT_FAILURE as EXIT_FAIL, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { SCHEMA_VERSION } from '../ledger/migrations.js';
import { corruptPrefix, openLedgerReadOnly } from '../ledger/open-file.js';
import { SaleQueries } from '../ledger/queries.js';
import {
  formatList,
  formatReport,
  formatShow,
  reportJson,
  saleJson,
  type ReportExtras,
} from '../ledger/report.js';
import { SALE_STATUSES, isSaleStatus } from '../ledger/rows.js';
import type { SaleRecord } from '../payment/sale.js';
import { usageLine } from './usage.js';

export interface QueueArgs {
  sub: 'list' | 'show' | 'report';
  /** For `show`: a sale id, out_biz_id or request_id. */
  ref?: string;
  json: boolean;
  /** The ledger file. */
  statePath: string;
  /** kiosk.time_zone: times are printed in it with the offset, as on receipts. */
  timeZone?: string;
  /** For `list`: only sales in this status. */
  status?: string;
  /** The clock for ages; tests pass a fixed one. */
  now?: () => number;
}

/** Resolves once the text is handed to the OS, so the caller may exit without cutting the output. */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (e) => {
      if (e) reject(e);
      else resolve();
    });
  });
}

/** `<ledger>.corrupt-*` files beside the ledger (not their -wal/-shm companions). */
export function movedAsideFiles(statePath: string): string[] {
  const dir = dirname(statePath);
  const prefix = corruptPrefix(statePath);
  try {
    return readdirSync(dir)
      .filter((n) => n.startsWith(prefix) && !/-(wal|shm|journal)$/.test(n))
      .sort()
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** What `list` shows by default: everything that still needs the kiosk or a person, oldest first. */
function attentionList(q: SaleQueries): SaleRecord[] {
  const seen = new Map<string, SaleRecord>();
  for (const r of [...q.unresolved(), ...q.queued(), ...q.list({ flagged: true }), ...q.unprinted()]) {
    seen.set(r.saleId, r);
  }
  return [...seen.values()].sort((a, b) => a.createdAt - b.createdAt);
}

/**
 * The command line's mistake, if any (a usage error, exit 64): a `--status` that names no status,
 * or a `queue show` without an ID. Told before the config (agent/cli/commands.ts) or the ledger
 * is read, so it is never reported as their problem.
 */
export function queueUsageProblem(args: {
  sub: QueueArgs['sub'];
  status?: string | undefined;
  ref?: string | undefined;
}): string | undefined {
  const { sub, status, ref } = args;
  if (sub === 'list' && status !== undefined && !isSaleStatus(status)) {
    return usageLine(
      `queue list --status: unknown status ${JSON.stringify(status)}; one of: ${SALE_STATUSES.join(', ')}`,
    );
  }
  if (sub === 'show' && (ref === undefined || ref === '')) {
    return usageLine(
      `queue show: ID ${ref === undefined ? 'missing' : 'is empty'} — expected a sale id, out_biz_id or request_id`,
    );
  }
  return undefined;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

interface Output {
  code: number;
  out?: string;
  err?: string;
}

function run(args: QueueArgs, q: SaleQueries, movedAside: string[], now: number): Output {
  const warn = movedAside.map((f) => `!!! LEDGER MOVED ASIDE: ${f} (run "queue report")\n`).join('');
  switch (args.sub) {
    case 'list': {
      // queueUsageProblem has turned away a status that is none.
      const records: SaleRecord[] =
        args.status !== undefined && isSaleStatus(args.status)
          ? q.list({ statuses: [args.status] }).reverse()
          : attentionList(q);
      const out = args.json
        ? json({ now, sales: records.map((r) => saleJson(r, now)) })
        : formatList(records, now, args.timeZone);
      return { code: EXIT_OK, out, err: warn };
    }
    case 'show': {
      // queueUsageProblem has turned away a missing or empty ID.
      const ref = args.ref ?? '';
      const sale = q.find(ref);
      if (!sale) {
        return {
          code: EXIT_FAIL,
          err: `${warn}no sale matches "${ref}" (looked for a sale id, out_biz_id and request_id)\n`,
        };
      }
      return {
        code: EXIT_OK,
        out: args.json ? json(saleJson(sale, now)) : formatShow(sale, now, args.timeZone),
        err: warn,
      };
    }
    case 'report': {
      const extras: ReportExtras = {
        ledgerPath: args.statePath,
        pending: q.unresolved(),
        queued: q.queued(),
        servedUnpaid: q.servedUnpaid(),
        flagged: q.list({ flagged: true }).reverse(),
        unprinted: q.unprinted(),
        movedAside,
      };
      const summary = q.summary();
      const out = args.json
        ? json(reportJson(summary, extras, now))
        : formatReport(summary, extras, now, args.timeZone);
      return { code: EXIT_OK, out };
    }
  }
}

/** The ledger opened read-only for a tool, or why it cannot be read (for stderr, exit 1). */
export type ReadOnlyLedger = { queries: SaleQueries; close: () => void } | { error: string };

/**
 * Opens the ledger read-only for an operator's tool: missing file, empty or older schema are
 * explained rather than thrown. Never migrates, never writes.
 */
export function openForReading(path: string, tool: string): ReadOnlyLedger {
  if (!existsSync(path)) {
    return { error: `no ledger at ${path}: no sale has been recorded there (is the state path right?)\n` };
  }
  // Run as root while the daemon is stopped, SQLite creates the -wal/-shm owned like the ledger file
  // (it fchowns them when euid is 0), so this never locks the daemon out of its own ledger.
  let db: Database.Database | undefined;
  try {
    const opened = openLedgerReadOnly(path);
    db = opened.db;
    if (opened.version === 0) {
      db.close();
      return { error: `ledger ${path} is empty: the agent has not set it up yet\n` };
    }
    if (opened.version < SCHEMA_VERSION) {
      db.close();
      return {
        error:
          `ledger ${path} has schema version ${opened.version}, older than this agent's ${SCHEMA_VERSION}: ` +
          'start the agent once to bring it up to date (this command never changes the ledger)\n',
      };
    }
    const open = db;
    return { queries: new SaleQueries(open), close: () => open.close() };
  } catch (e) {
    db?.close();
    return { error: `${tool}: ${asError(e).message}\n` };
  }
}

export async function queueCommand(
  args: QueueArgs,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const usage = queueUsageProblem(args);
  if (usage !== undefined) {
    await write(err, usage);
    return EXIT_USAGE;
  }
  const path = args.statePath;
  const ledger = openForReading(path, 'queue');
  let result: Output;
  if ('error' in ledger) {
    result = { code: EXIT_FAIL, err: ledger.error };
  } else {
    try {
      result = run(args, ledger.queries, movedAsideFiles(path), (args.now ?? Date.now)());
    } catch (e) {
      result = { code: EXIT_FAIL, err: `queue: ${asError(e).message}\n` };
    } finally {
      ledger.close();
    }
  }
  if (result.out !== undefined) await write(out, result.out);
  if (result.err !== undefined && result.err !== '') await write(err, result.err);
  return result.code;
}
