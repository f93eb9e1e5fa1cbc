/**
 * The printer as the daemon sees it: built by the same factory, started, asked for its status
 * (DLE EOT on a two-way link), and with `--print-test` made to print a test receipt.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import type { PrintDocument } from '../../drivers/printer/document.js';
import type { Printer, PrinterStatus } from '../../drivers/printer/types.js';
import { buildDevices } from '../devices.js';
import { asError } from '../errors.js';
import { formatLocalTime } from '../receipt/build.js';
import { EXAMPLE_CONFIG, within, type DoctorContext } from './context.js';
import { fail, ok, warn, type CheckResult } from './report.js';

export const TEST_QR = 'xpos-agent test';
/** Opening and a status answer; a stuck link must not hold the doctor up. */
const START_MS = 3000;
const QUERY_MS = 3000;
const PRINT_MS = 10_000;

type PrinterConfig = NonNullable<Config['devices']['printer']>;

/** Where the printer is, as its driver names it ("/dev/usb/lp0", "tcp://10.0.0.9:9100", "sim"). */
function whereOf(p: PrinterConfig): string {
  if (p.type === 'sim') return 'sim';
  if (p.type === 'tcp') return `tcp://${p.host}:${p.port}`;
  return p.path;
}

export function testReceipt(config: Config, now: number): PrintDocument {
  const s = config.store;
  const p = config.devices.printer;
  const link =
    p === undefined ? 'none' : p.type === 'sim' || p.type === 'tcp' ? whereOf(p) : `${p.type} ${p.path}`;
  return {
    blocks: [
      { kind: 'text', text: '测试小票', align: 'center', bold: true, size: 2 },
      { kind: 'text', text: 'Test receipt', align: 'center', bold: true },
      { kind: 'rule' },
      { kind: 'pair', label: '门店 Store', value: `${s.store_name} (${s.store_id})` },
      { kind: 'pair', label: '机器 Machine', value: s.machine_id },
      { kind: 'pair', label: '时间 Time', value: formatLocalTime(now, config.kiosk.time_zone) },
      { kind: 'pair', label: '打印机 Printer', value: link },
      { kind: 'rule' },
      { kind: 'qr', data: TEST_QR },
      { kind: 'text', text: '不是收据 Not a receipt', align: 'center' },
      { kind: 'feed', lines: 3 },
      { kind: 'cut' },
    ],
  };
}

/** The driver's hint from a DeviceError message ("printer: not found (…); check the cable [E400]"). */
function hintOf(detail: string | undefined): string | undefined {
  return /; ([^;]+?) \[E\d+\]$/.exec(detail ?? '')?.[1];
}

/** The cause alone: the hint goes on the fix line, the device name is the check's. */
function causeOf(detail: string): string {
  return detail
    .replace(/^printer: /, '')
    .replace(/; [^;]+? \[E\d+\]$/, '')
    .replace(/ \[E\d+\]$/, '');
}

/** What the driver reports when the printer itself says it cannot print. */
const BLOCKED_FIXES: Record<string, string> = {
  'paper out': 'load a paper roll',
  'cover open': 'close the printer cover',
  'printer error': 'check the cutter and the print head, then power-cycle the printer',
};

function statusResult(s: PrinterStatus & { error?: boolean | 'unknown' }, where: string): CheckResult {
  const check = 'printer status';
  const blocked =
    s.paper === 'out'
      ? 'paper out'
      : s.coverOpen === true
        ? 'cover open'
        : s.error === true
          ? 'printer error'
          : undefined;
  if (blocked !== undefined) return fail(check, `${where}: ${blocked}`, BLOCKED_FIXES[blocked] ?? '');
  if (s.paper === 'near-end') return warn(check, `${where}: paper near end`, 'put in a new paper roll soon');
  if (s.paper === 'unknown' && s.coverOpen === 'unknown') {
    return ok(check, `${where}: online; status not readable on this link (one-way)`);
  }
  const cover = s.coverOpen === 'unknown' ? 'unknown' : 'closed';
  return ok(check, `${where}: online, paper ${s.paper}, cover ${cover}`);
}

/** Whether the running daemon holds (or may hold) the printer's device node. */
function heldByService(ctx: DoctorContext): string | undefined {
  const p = ctx.config.devices.printer;
  if (p?.type !== 'usblp' && p?.type !== 'serial') return undefined;
  let real: string;
  try {
    real = realpathSync(p.path);
  } catch {
    return undefined;
  }
  const daemon = ctx.open.holders.get(real)?.find((h) => h.daemon);
  if (daemon !== undefined) return `in use by the running service (pid ${daemon.pid})`;
  const [hidden] = ctx.open.hiddenDaemons;
  return hidden === undefined ? undefined : `the service is running (pid ${hidden}) and may hold it`;
}

async function probe(ctx: DoctorContext, printer: Printer, printTest: boolean): Promise<CheckResult[]> {
  const p = ctx.config.devices.printer;
  const where = p === undefined ? 'printer' : whereOf(p);
  const started = await within(printer.start(), START_MS);
  const st = printer.status();
  if (!started.done || st.state !== 'online') {
    const detail = started.done ? (st.detail ?? st.state) : `no answer within ${START_MS / 1000} s`;
    const busy = ctx.open.daemons.length > 0 ? ' (the running service may hold its only connection)' : '';
    const fix =
      BLOCKED_FIXES[st.detail ?? ''] ??
      hintOf(st.detail) ??
      `check the power, the cable and devices.printer${busy}`;
    const results = [fail('printer status', `${where}: ${st.state}: ${causeOf(detail)}`, fix)];
    if (printTest) results.push(fail('print test', 'not printed: the printer is not ready', fix));
    return results;
  }
  const status = await within(printer.query(), QUERY_MS);
  const results = [
    status.done
      ? statusResult(status.value, where)
      : fail(
          'printer status',
          `${where}: no status answer within ${QUERY_MS / 1000} s`,
          'power-cycle the printer',
        ),
  ];
  if (printTest) {
    try {
      const printed = await within(printer.print(testReceipt(ctx.config, Date.now())), PRINT_MS);
      results.push(
        printed.done
          ? ok('print test', `test receipt sent to ${where}: check that 测试小票 and a QR code came out`)
          : fail(
              'print test',
              `${where}: not printed within ${PRINT_MS / 1000} s`,
              'check paper and cover, power-cycle the printer',
            ),
      );
    } catch (e) {
      const message = asError(e).message;
      results.push(
        fail('print test', `${where}: ${causeOf(message)}`, hintOf(message) ?? 'see printer status'),
      );
    }
  }
  return results;
}

export async function checkPrinter(ctx: DoctorContext, printTest: boolean): Promise<CheckResult[]> {
  const p = ctx.config.devices.printer;
  if (p === undefined) {
    const fix = `add devices.printer; see ${EXAMPLE_CONFIG}`;
    const results = [
      warn('printer status', 'not configured (devices.printer): no receipts are printed', fix),
    ];
    if (printTest) results.push(fail('print test', 'no printer configured', fix));
    return results;
  }
  if (p.type === 'sim' && !printTest) {
    return [
      ok(
        'printer status',
        `simulated: receipts are saved as text under ${join(ctx.config.paths.state_dir, 'receipts')}`,
      ),
    ];
  }
  const held = heldByService(ctx);
  if (held !== undefined) {
    const where = whereOf(p);
    const results = [
      ok('printer status', `${where}: ${held}; not queried (systemctl status xpos-agent shows it)`),
    ];
    if (printTest) {
      results.push(
        fail(
          'print test',
          `${where}: ${held}`,
          'systemctl stop xpos-agent; xpos-agent doctor --print-test; systemctl start xpos-agent',
        ),
      );
    }
    return results;
  }
  const built = buildDevices(ctx.config, ctx.log);
  const { printer } = built.devices;
  try {
    return await probe(ctx, printer, printTest);
  } finally {
    await Promise.all(Object.values(built.devices).map((d: { close(): Promise<void> }) => d.close()));
  }
}
