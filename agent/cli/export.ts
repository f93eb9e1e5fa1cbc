/**
 * `xpos-agent queue export --from DAY --to DAY [--format csv|json]`: the sales created on those
 * calendar days in the kiosk's zone (`kiosk.time_zone`), both days included, for finance. Read-only
 * like `queue list`: the daemon may be writing meanwhile (WAL gives a consistent snapshot).
 */
import { exportRow, exportTotals, toCsv, toJson } from '../ledger/export.js';
import { isTimeZone, nextDay, parseDay, startOfDay } from '../ledger/zoned-time.js';
import { EXIT_CONFIG } from '../../config/load.js';
import { asError } from '../errors.js';
import { openForReading, write } from './queue.js';
import { usageLine } from './usage.js';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportArgs {
  from: string | undefined;
  to: string | undefined;
  format: string | undefined;
  timeZone: string;
  /** The ledger file. */
  ledgerPath: string;
}

const EXIT_OK = 0;
const EXIT_FAIL = 1;
const EXIT_USAGE = 64;

type Checked =
  | { ok: true; fromDay: [number, number, number]; toDay: [number, number, number]; format: ExportFormat }
  | { ok: false; code: number; message: string };

/** The first problem found, naming the flag, the value and what is expected. */
function check(a: ExportArgs): Checked {
  const usage = (message: string): Checked => ({ ok: false, code: EXIT_USAGE, message });
  if (a.from === undefined)
    return usage('--from: missing — expected a day, YYYY-MM-DD (the first day exported)');
  if (a.to === undefined) return usage('--to: missing — expected a day, YYYY-MM-DD (the last day exported)');
  const fromDay = parseDay(a.from);
  if (!fromDay) return usage(`--from: "${a.from}" — expected a calendar day, YYYY-MM-DD`);
  const toDay = parseDay(a.to);
  if (!toDay) return usage(`--to: "${a.to}" — expected a calendar day, YYYY-MM-DD`);
  if (a.to < a.from) return usage(`--to: "${a.to}" — expected ${a.from} (--from) or a later day`);
  const format = a.format ?? 'csv';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    return usage(`--format: "${format}" — expected ${EXPORT_FORMATS.join(' or ')}`);
  }
  if (!isTimeZone(a.timeZone)) {
    return {
      ok: false,
      code: EXIT_CONFIG,
      message: `kiosk.time_zone: "${a.timeZone}" — expected an IANA time zone such as Asia/Shanghai`,
    };
  }
  return { ok: true, fromDay, toDay, format: format as ExportFormat };
}

export async function exportCommand(
  args: ExportArgs,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const c = check(args);
  if (!c.ok) {
    // A bad option value is a usage error, worded as every other (agent/cli/usage.ts).
    await write(
      err,
      c.code === EXIT_USAGE ? usageLine(`queue export: ${c.message}`) : `queue export: ${c.message}\n`,
    );
    return c.code;
  }
  const ledger = openForReading(args.ledgerPath, 'queue export');
  if ('error' in ledger) {
    await write(err, ledger.error);
    return EXIT_FAIL;
  }
  let text: string;
  try {
    // [first instant of --from, first instant of the day after --to): both days whole, in the zone.
    const from = startOfDay(c.fromDay, args.timeZone);
    const to = startOfDay(nextDay(c.toDay), args.timeZone);
    const records = ledger.queries.createdBetween(from, to);
    const rows = records.map((r) => exportRow(r, args.timeZone));
    const totals = exportTotals(records);
    text =
      c.format === 'csv'
        ? toCsv(rows, totals)
        : toJson({ from: args.from ?? '', to: args.to ?? '', timeZone: args.timeZone }, rows, totals);
  } catch (e) {
    await write(err, `queue export: ${asError(e).message}\n`);
    return EXIT_FAIL;
  } finally {
    ledger.close();
  }
  await write(out, text);
  return EXIT_OK;
}
