/**
 * The gauges the fleet's alerting rules (`systemd/monitoring/xpos-agent.rules.yml`) need beyond the
 * ledger totals: how old the oldest stuck payment is apart from the offline queue, the offline
 * queue against its own limits (so "80 % of a limit" is a division in PromQL, not a copy of each
 * kiosk's config in the rules), the printer's paper, and which devices this kiosk is meant to have
 * (a kiosk without a printer must not page anyone about it).
 */
import type { Config } from '../config/schema.js';
import type { DeviceStatus } from '../drivers/device.js';
import { PAPER_NEAR_END, PAPER_OUT } from '../drivers/printer/escpos-status.js';
import type { LedgerSummary } from './payment/store.js';
import { offlinePolicy } from './settings.js';

/** What the gauges need from the config, read once at start-up. */
export interface FleetSettings {
  offline: { enabled: boolean; maxCount: number; maxTotalFen: number; maxAgeMs: number };
  /** Devices present in the config's `devices` section. */
  configured: { scanner: boolean; keypad: boolean; printer: boolean };
}

export function fleetSettings(config: Config): FleetSettings {
  const o = offlinePolicy(config);
  const d = config.devices;
  return {
    offline: { enabled: o.enabled, maxCount: o.maxCount, maxTotalFen: o.maxTotalFen, maxAgeMs: o.maxAgeMs },
    configured: {
      scanner: d.scanner !== undefined,
      keypad: d.keypad !== undefined,
      printer: d.printer !== undefined,
    },
  };
}

export interface MetricBlock {
  name: string;
  type: 'gauge';
  help: string;
  rows: string[];
}

function gauge(name: string, help: string, value: number | string): MetricBlock {
  return { name, type: 'gauge', help, rows: [`${name} ${value}`] };
}

/** Seconds since `at` (epoch ms), 0 when there is nothing: a missing series would read as "fine". */
function ageSeconds(at: number | undefined, now: number): string {
  return at === undefined ? '0' : Math.max(0, (now - at) / 1000).toFixed(0);
}

/** The ledger gauges; none when the ledger cannot be read (`xpos_ledger_readable 0` says so). */
export function ledgerFleetGauges(summary: LedgerSummary, now: number): MetricBlock[] {
  const blocks = [
    gauge(
      'xpos_oldest_pending_sale_seconds',
      'Age of the oldest unresolved sale (created, sent or pending; not queued) (0: none).',
      ageSeconds(summary.oldestPendingAt, now),
    ),
  ];
  const offline = summary.offlineOpen;
  if (offline !== undefined) {
    blocks.push(
      gauge(
        'xpos_offline_open_sales',
        'Offline sales the payment service has not confirmed (what the offline limits count).',
        offline.count,
      ),
      gauge('xpos_offline_open_amount_fen', 'Their amount in fen.', offline.amountFen),
      gauge(
        'xpos_offline_oldest_open_sale_seconds',
        'Age of the oldest of them (0: none).',
        ageSeconds(offline.oldestAt, now),
      ),
    );
  }
  return blocks;
}

/** Config-derived gauges and the printer's paper: present whether or not the ledger answers. */
export function settingsFleetGauges(
  settings: FleetSettings,
  devices: readonly DeviceStatus[],
): MetricBlock[] {
  const o = settings.offline;
  const printer = devices.find((d) => d.device === 'printer');
  // The printer reports its paper in the status detail (two-way links only; one-way links never say).
  const paperOut = printer?.state === 'offline' && printer.detail === PAPER_OUT;
  const nearEnd = printer?.state === 'online' && printer.detail === PAPER_NEAR_END;
  const configured = Object.entries(settings.configured).map(
    ([device, yes]) => `xpos_device_configured{device="${device}"} ${yes ? 1 : 0}`,
  );
  return [
    gauge('xpos_offline_enabled', '1 when offline sales (member codes) are accepted.', o.enabled ? 1 : 0),
    gauge('xpos_offline_limit_sales', 'offline.max_count: offline sales held at most.', o.maxCount),
    gauge('xpos_offline_limit_amount_fen', 'offline.max_total in fen.', o.maxTotalFen),
    gauge('xpos_offline_limit_age_seconds', 'offline.max_age_ms in seconds.', o.maxAgeMs / 1000),
    gauge('xpos_printer_paper_out', '1 while the printer reports its paper out.', paperOut ? 1 : 0),
    gauge(
      'xpos_printer_paper_near_end',
      '1 while the printer reports its roll near its end.',
      nearEnd ? 1 : 0,
    ),
    {
      name: 'xpos_device_configured',
      type: 'gauge',
      help: '1 for each device the config says this kiosk has.',
      rows: configured,
    },
  ];
}
