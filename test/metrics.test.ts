/**
 * The metrics text file as node_exporter reads it: the gauges the fleet's alerting rules rely on,
 * computed from a real ledger, and the file accepted by promtool's own parser.
 */
import t from 'tap';
import { Ledger } from '../agent/ledger/ledger.js';
import { createLogger } from '../agent/log.js';
import { Metrics, type MetricsSnapshot } from '../agent/metrics.js';
import { fleetSettings, type FleetSettings } from '../agent/metrics-fleet.js';
import { validateConfig } from '../config/load.js';
import type { SaleRecord, SaleStatus } from '../agent/payment/sale.js';
import { mustPromtool, needsPromtool } from './monitoring/promtool.js';

const log = createLogger('silent');
const MIN = 60_000;

const FLEET: FleetSettings = {
  offline: { enabled: true, maxCount: 50, maxTotalFen: 200_000, maxAgeMs: 86_400_000 },
  configured: { scanner: true, keypad: true, printer: false },
};

function sale(n: number, status: SaleStatus, createdAt: number, extra: Partial<SaleRecord> = {}): SaleRecord {
  return {
    saleId: `boot1-${n}`,
    requestId: `req-${n}`,
    outBizId: `K01${String(n).padStart(6, '0')}`,
    status,
    amountFen: 1000 * n,
    negoPrice: String(1000 * n),
    codeMask: '****3456',
    storeId: '333333',
    machineId: 'K01',
    cashierId: '346753',
    cashierName: '张丽',
    createdAt,
    updatedAt: createdAt,
    attempts: 1,
    printed: true,
    ...extra,
  };
}

/** Every `name{labels} value` line as name{labels} → value. */
function samples(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

/** No ledger: as when it cannot be read. */
const snapshotless: MetricsSnapshot = {
  devices: [],
  summary: undefined,
  outOfService: false,
  clockSynced: true,
  clockOffsetMs: 0,
};

function snapshot(ledger: Ledger, extra: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  return {
    devices: [],
    summary: ledger.summary(),
    outOfService: false,
    clockSynced: true,
    clockOffsetMs: 0,
    ...extra,
  };
}

t.test('ages: the oldest pending sale apart from the oldest queued one, and the offline queue', (t) => {
  const now = Date.now();
  const ledger = Ledger.open({ path: ':memory:', log });
  t.teardown(() => ledger.close());
  ledger.create(sale(1, 'queued', now - 90 * MIN, { offline: true, qrCode: 'M1234567' }));
  ledger.create(sale(2, 'pending', now - 20 * MIN, { qrCode: '281234567890123456' }));
  ledger.create(sale(3, 'pending', now - 5 * MIN, { offline: true, qrCode: 'M7654321' }));
  ledger.create(sale(4, 'succeeded', now - 200 * MIN, { offline: true }));
  const m = samples(new Metrics(FLEET).render(snapshot(ledger)));
  const secs = (name: string): number => Number(m.get(name));
  // Within a minute: the render reads the clock itself.
  t.ok(Math.abs(secs('xpos_oldest_pending_sale_seconds') - 20 * 60) < 60, 'pending: the 20-minute one');
  t.ok(Math.abs(secs('xpos_oldest_open_sale_seconds') - 90 * 60) < 60, 'open: the queued one (unchanged)');
  t.equal(m.get('xpos_offline_open_sales'), '2', 'queued + offline pending, not the confirmed one');
  t.equal(m.get('xpos_offline_open_amount_fen'), String(1000 + 3000));
  t.ok(Math.abs(secs('xpos_offline_oldest_open_sale_seconds') - 90 * 60) < 60);
  t.end();
});

t.test('an empty ledger reports zero ages rather than no series', (t) => {
  const ledger = Ledger.open({ path: ':memory:', log });
  t.teardown(() => ledger.close());
  const m = samples(new Metrics(FLEET).render(snapshot(ledger)));
  t.equal(m.get('xpos_oldest_pending_sale_seconds'), '0');
  t.equal(m.get('xpos_offline_open_sales'), '0');
  t.equal(m.get('xpos_offline_oldest_open_sale_seconds'), '0');
  t.end();
});

t.test('offline limits and configured devices come from the config', (t) => {
  const config = validateConfig({
    gateway: { url: 'sandbox', app_key: '12345678' },
    store: { store_id: '1', cashier_id: '1', cashier_name: 'x', machine_id: 'K01' },
    offline: { enabled: true, max_count: 20, max_total: '1500.50', max_age_ms: 7_200_000 },
    devices: { scanner: { type: 'sim' }, printer: { type: 'sim', columns: 32 } },
  });
  const m = samples(new Metrics(fleetSettings(config)).render({ ...snapshotless, devices: [] }));
  t.equal(m.get('xpos_offline_enabled'), '1');
  t.equal(m.get('xpos_offline_limit_sales'), '20');
  t.equal(m.get('xpos_offline_limit_amount_fen'), '150050');
  t.equal(m.get('xpos_offline_limit_age_seconds'), '7200');
  t.equal(m.get('xpos_device_configured{device="scanner"}'), '1');
  t.equal(m.get('xpos_device_configured{device="keypad"}'), '0');
  t.equal(m.get('xpos_device_configured{device="printer"}'), '1');
  t.notOk(m.has('xpos_oldest_pending_sale_seconds'), 'no ledger gauges without a readable ledger');
  t.equal(m.get('xpos_ledger_readable'), '0');
  t.end();
});

t.test("the printer's paper, from its own status detail", (t) => {
  const render = (state: 'online' | 'offline' | 'absent', detail: string): Map<string, string> =>
    samples(new Metrics(FLEET).render({ ...snapshotless, devices: [{ device: 'printer', state, detail }] }));
  const out = render('offline', 'paper out');
  t.equal(out.get('xpos_printer_paper_out'), '1');
  t.equal(out.get('xpos_printer_paper_near_end'), '0');
  const near = render('online', 'paper near end');
  t.equal(near.get('xpos_printer_paper_out'), '0');
  t.equal(near.get('xpos_printer_paper_near_end'), '1');
  const cover = render('offline', 'cover open');
  t.equal(cover.get('xpos_printer_paper_out'), '0', 'cover open is offline, not paper out');
  t.equal(cover.get('xpos_device_state{device="printer",state="offline"}'), '1');
  t.end();
});

t.test(
  'the file keeps every metric name it had, and promtool parses it',
  await needsPromtool(),
  async (t) => {
    const ledger = Ledger.open({ path: ':memory:', log });
    t.teardown(() => ledger.close());
    const metrics = new Metrics(FLEET);
    metrics.sale('succeeded');
    metrics.gatewayCall({ method: 'alibaba.alisports.lianbei.xpos.pay', outcome: 'success', latencyMs: 300 });
    const text = metrics.render(
      snapshot(ledger, { devices: [{ device: 'scanner', state: 'online' }], replaysSafe: true, unsaved: 0 }),
    );
    const names = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    for (const name of [
      'xpos_sales_total',
      'xpos_ledger_sales',
      'xpos_ledger_amount_fen',
      'xpos_ledger_flagged',
      'xpos_ledger_flagged_by_kind',
      'xpos_offline_served_unpaid_sales',
      'xpos_offline_served_unpaid_amount_fen',
      'xpos_receipts_unprinted',
      'xpos_oldest_open_sale_seconds',
      'xpos_ledger_readable',
      'xpos_ledger_unsaved',
      'xpos_gateway_replays_safe',
      'xpos_gateway_calls_total',
      'xpos_gateway_latency_ms',
      'xpos_device_state',
      'xpos_printer_errors_total',
      'xpos_out_of_service',
      'xpos_clock_synced',
      'xpos_clock_offset_seconds',
      'xpos_agent_start_time_seconds',
    ]) {
      t.ok(names.has(name), name);
    }
    const r = await mustPromtool(['check', 'metrics'], text);
    // Exit 3 is lint only; the one lint is the histogram's name, which dashboards already use.
    const lint = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
    t.strictSame(lint, ['xpos_gateway_latency_ms metric names should not contain abbreviated units']);
    t.equal(r.code, 3, 'parsed; lint only');
  },
);
