/**
 * Fleet metrics without opening a port: a Prometheus text file that node_exporter's textfile
 * collector picks up. Counters live in this process (they restart at 0, which Prometheus handles);
 * gauges are read from the ledger and the devices when the file is written.
 */
import { rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeviceState, DeviceStatus } from '../drivers/device.js';
import type { SaleResult } from './kiosk/model.js';
import type { Logger } from './log.js';
import type { LedgerSummary } from './payment/store.js';
import { FLAG_KINDS } from './payment/flags.js';
import type { SaleStatus } from './payment/sale.js';
import { ledgerFleetGauges, settingsFleetGauges, type FleetSettings } from './metrics-fleet.js';

const LATENCY_BUCKETS_MS = [100, 250, 500, 1000, 2500, 5000, 10_000, 20_000];
const DEVICE_STATES: readonly DeviceState[] = ['online', 'offline', 'absent'];
const SALE_STATUSES: readonly SaleStatus[] = [
  'created',
  'sent',
  'pending',
  'queued',
  'succeeded',
  'failed',
  'refused',
];

export interface MetricsSnapshot {
  devices: readonly DeviceStatus[];
  /** Sale changes the ledger could not write, held in memory. */
  unsaved?: number;
  /** False once the gateway answered a replay with a new checkout (replays stopped). */
  replaysSafe?: boolean;
  /** undefined when the ledger cannot be read. */
  summary: LedgerSummary | undefined;
  outOfService: boolean;
  clockSynced: boolean;
  clockOffsetMs: number;
}

export class Metrics {
  readonly #sales = new Map<string, number>();
  readonly #calls = new Map<string, number>();
  readonly #buckets = LATENCY_BUCKETS_MS.map(() => 0);
  #latencyCount = 0;
  #latencySumMs = 0;
  #printerErrors = 0;
  readonly #started = Date.now();
  readonly #fleet: FleetSettings | undefined;

  /** Without `fleet` (tests of the counters alone) the config-derived gauges are left out. */
  constructor(fleet?: FleetSettings) {
    this.#fleet = fleet;
  }

  /** A member-facing sale ended on the screen with this result. */
  sale(status: SaleResult['status']): void {
    this.#sales.set(status, (this.#sales.get(status) ?? 0) + 1);
  }

  gatewayCall(call: { method: string; outcome: string; latencyMs: number }): void {
    const key = `${call.method}\u0000${call.outcome}`;
    this.#calls.set(key, (this.#calls.get(key) ?? 0) + 1);
    this.#latencyCount += 1;
    this.#latencySumMs += call.latencyMs;
    LATENCY_BUCKETS_MS.forEach((le, i) => {
      if (call.latencyMs <= le) this.#buckets[i] = (this.#buckets[i] ?? 0) + 1;
    });
  }

  printerError(): void {
    this.#printerErrors += 1;
  }

  render(s: MetricsSnapshot): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, rows: string[]): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows);
    };
    metric(
      'xpos_sales_total',
      'counter',
      'Sales finished on the kiosk screen since the agent started, by result.',
      ['succeeded', 'failed', 'pending', 'queued', 'refused'].map(
        (r) => `xpos_sales_total{result="${r}"} ${this.#sales.get(r) ?? 0}`,
      ),
    );
    if (s.summary) {
      const summary = s.summary;
      metric(
        'xpos_ledger_sales',
        'gauge',
        'Sales held in the ledger, by status.',
        SALE_STATUSES.map((st) => `xpos_ledger_sales{status="${st}"} ${summary.byStatus[st].count}`),
      );
      metric(
        'xpos_ledger_amount_fen',
        'gauge',
        'Amounts held in the ledger in fen, by status (pending and queued are money still open).',
        SALE_STATUSES.map((st) => `xpos_ledger_amount_fen{status="${st}"} ${summary.byStatus[st].amountFen}`),
      );
      metric('xpos_ledger_flagged', 'gauge', 'Sales flagged for a person to reconcile.', [
        `xpos_ledger_flagged ${summary.flagged}`,
      ]);
      metric(
        'xpos_ledger_flagged_by_kind',
        'gauge',
        'Flagged sales by kind of flag (a sale flagged twice counts under both).',
        FLAG_KINDS.map((k) => `xpos_ledger_flagged_by_kind{kind="${k}"} ${summary.flagKinds[k] ?? 0}`),
      );
      metric(
        'xpos_offline_served_unpaid_sales',
        'gauge',
        'Sales accepted offline (member served) that the payment service then declined.',
        [`xpos_offline_served_unpaid_sales ${summary.servedUnpaid.count}`],
      );
      metric(
        'xpos_offline_served_unpaid_amount_fen',
        'gauge',
        'What those sales should have brought, in fen.',
        [`xpos_offline_served_unpaid_amount_fen ${summary.servedUnpaid.amountFen}`],
      );
      metric('xpos_receipts_unprinted', 'gauge', 'Receipts waiting for the printer.', [
        `xpos_receipts_unprinted ${summary.unprinted}`,
      ]);
      const age =
        summary.oldestOpenAt === undefined ? 0 : Math.max(0, (Date.now() - summary.oldestOpenAt) / 1000);
      metric(
        'xpos_oldest_open_sale_seconds',
        'gauge',
        'Age of the oldest pending or queued sale (0: none).',
        [`xpos_oldest_open_sale_seconds ${age.toFixed(0)}`],
      );
      for (const b of ledgerFleetGauges(summary, Date.now())) metric(b.name, b.type, b.help, b.rows);
    }
    metric('xpos_ledger_readable', 'gauge', '1 when the ledger answered when this file was written.', [
      `xpos_ledger_readable ${s.summary ? 1 : 0}`,
    ]);
    metric(
      'xpos_ledger_unsaved',
      'gauge',
      'Sale outcomes the ledger could not write (disk full, I/O error), held in memory until it can.',
      [`xpos_ledger_unsaved ${s.unsaved ?? 0}`],
    );
    metric(
      'xpos_gateway_replays_safe',
      'gauge',
      '0 once the gateway answered an identical replay with a new checkout (possible double charge).',
      [`xpos_gateway_replays_safe ${s.replaysSafe === false ? 0 : 1}`],
    );
    const calls = [...this.#calls.entries()].map(([key, n]) => {
      const [method = '', outcome = ''] = key.split('\u0000');
      return `xpos_gateway_calls_total{method="${method}",outcome="${outcome}"} ${n}`;
    });
    metric('xpos_gateway_calls_total', 'counter', 'Gateway calls by method and outcome.', calls);
    metric('xpos_gateway_latency_ms', 'histogram', 'Gateway call wall time in milliseconds.', [
      ...LATENCY_BUCKETS_MS.map(
        (le, i) => `xpos_gateway_latency_ms_bucket{le="${le}"} ${this.#buckets[i] ?? 0}`,
      ),
      `xpos_gateway_latency_ms_bucket{le="+Inf"} ${this.#latencyCount}`,
      `xpos_gateway_latency_ms_sum ${this.#latencySumMs}`,
      `xpos_gateway_latency_ms_count ${this.#latencyCount}`,
    ]);
    metric(
      'xpos_device_state',
      'gauge',
      '1 for the state each device is in.',
      s.devices.flatMap((d) =>
        DEVICE_STATES.map(
          (st) => `xpos_device_state{device="${d.device}",state="${st}"} ${d.state === st ? 1 : 0}`,
        ),
      ),
    );
    metric('xpos_printer_errors_total', 'counter', 'Receipts that failed to print (kept for reprint).', [
      `xpos_printer_errors_total ${this.#printerErrors}`,
    ]);
    metric('xpos_out_of_service', 'gauge', '1 while the kiosk refuses sales.', [
      `xpos_out_of_service ${s.outOfService ? 1 : 0}`,
    ]);
    metric('xpos_clock_synced', 'gauge', '1 once the clock is confirmed by the gateway or NTP.', [
      `xpos_clock_synced ${s.clockSynced ? 1 : 0}`,
    ]);
    metric('xpos_clock_offset_seconds', 'gauge', 'Gateway time minus local time.', [
      `xpos_clock_offset_seconds ${(s.clockOffsetMs / 1000).toFixed(3)}`,
    ]);
    metric('xpos_agent_start_time_seconds', 'gauge', 'When this agent process started (unix time).', [
      `xpos_agent_start_time_seconds ${Math.floor(this.#started / 1000)}`,
    ]);
    if (this.#fleet) {
      for (const b of settingsFleetGauges(this.#fleet, s.devices)) metric(b.name, b.type, b.help, b.rows);
    }
    return out.join('\n') + '\n';
  }
}

/**
 * Writes the file every `intervalMs`, atomically (temp file + rename) so the collector never reads
 * half a file. A failed write is logged once per streak and never stops the kiosk.
 */
export class MetricsTextfile {
  readonly #path: string;
  readonly #render: () => string;
  readonly #log: Logger;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #failing = false;

  constructor(opts: { path: string; intervalMs: number; render: () => string; log: Logger }) {
    this.#path = opts.path;
    this.#render = opts.render;
    this.#intervalMs = opts.intervalMs;
    this.#log = opts.log.child({ module: 'metrics' });
  }

  start(): void {
    void this.write();
    this.#timer = setInterval(() => void this.write(), this.#intervalMs);
    this.#timer.unref();
  }

  async write(): Promise<void> {
    const tmp = `${this.#path}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.#path), { recursive: true });
      await writeFile(tmp, this.#render(), { mode: 0o644 });
      await rename(tmp, this.#path);
      if (this.#failing) this.#log.info({ path: this.#path }, 'metrics file written again');
      this.#failing = false;
    } catch (e) {
      if (!this.#failing) this.#log.warn({ path: this.#path, err: e }, 'metrics file not written');
      this.#failing = true;
    }
  }

  /** Stops writing; the last file stays (its timestamp tells the collector it is stale). */
  stop(): void {
    clearInterval(this.#timer);
  }
}
