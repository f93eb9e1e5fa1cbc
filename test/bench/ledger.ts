/**
 * `make bench` (ledger): what durability costs. Bytes written per sale, the intent commit's latency
 * on an empty ledger and on one holding 1,000,000 historical sales, and how fast a backlog of sales
 * accepted offline is forwarded when the gateway comes back. Figures are printed, never asserted.
 */
import { SYSTEM_CLOCKS } from '../../agent/clocks.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import { pino } from 'pino';
import { Ledger } from '../../agent/ledger/ledger.js';
import { newSaleIds } from '../../agent/payment/ids.js';
import { NO_OFFLINE } from '../../agent/payment/offline.js';
import { GatewayClock } from '../../agent/pay/clock.js';
import { TopClient } from '../../agent/pay/client.js';
import { Background } from '../../agent/payment/background.js';
import { Payments, DEFAULT_PAYMENT_SETTINGS } from '../../agent/payment/payments.js';
import type { SaleRecord } from '../../agent/payment/sale.js';
import { SandboxGateway } from '../../agent/sandbox/server.js';
import { ms, summarise } from './stats.js';

const log = pino({ level: 'silent' });
const identity = { storeId: '333333', cashierId: '346753', cashierName: '张丽', machineId: 'BENCH' };
const HISTORY = Number(process.env['BENCH_HISTORY_ROWS'] ?? 1_000_000);

/** Bytes this process has written (every write(2), which here is the ledger's WAL and checkpoints). */
function wchar(): number {
  const m = /wchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'));
  return Number(m?.[1] ?? 0);
}

function record(i: number, status: SaleRecord['status'], now: number): SaleRecord {
  // A trailing letter keeps clear of the sandbox's …0000 (pending) and …9999 (fail) demo codes.
  const code = `M${String(10_000_000 + i)}A`;
  return {
    saleId: `B-${i}`,
    ...newSaleIds('BENCH', now),
    status,
    amountFen: 100,
    negoPrice: '100',
    ...(status === 'queued' && { qrCode: code, offline: true }),
    codeMask: `****${code.slice(-4)}`,
    ...identity,
    createdAt: now + i,
    updatedAt: now + i,
    attempts: 0,
    printed: true,
  };
}

/** Historical final sales, written in one transaction (the kiosk would have taken years). */
function fillHistory(db: Database.Database, rows: number): void {
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
    INSERT INTO sales (out_biz_id, sale_id, request_id, status, amount_fen, nego_price, code_mask, store_id,
                       machine_id, cashier_id, cashier_name, created_at, updated_at, attempts, printed, result)
    SELECT 'H' || i, 'H-' || i, 'HR' || i, 'succeeded', 3900, '3900', '****1234', '333333', 'BENCH', '346753',
           '张丽', 1700000000000 + i * 1000, 1700000000000 + i * 1000, 1, 1,
           '{"checkoutId":"C' || i || '","bizOrderId":"2024112512345678901"}'
    FROM n;`);
}

function intentLatency(ledger: Ledger, label: string): void {
  const samples: number[] = [];
  const now = Date.now();
  for (let i = 0; i < 1000; i += 1) {
    const r = { ...record(i, 'sent', now), saleId: `${label}-${i}`, qrCode: '281234567890123456' };
    const t0 = performance.now();
    ledger.create(r);
    samples.push(performance.now() - t0);
  }
  const s = summarise(samples);
  console.log(
    `intent commit (${label.padEnd(18)}) p50 ${ms(s.p50).padStart(10)}   p99 ${ms(s.p99).padStart(10)}`,
  );
}

async function bytesPerSale(dir: string, gateway: SandboxGateway): Promise<void> {
  const ledger = Ledger.open({ path: join(dir, 'bytes.db'), log });
  const api = new TopClient({ url: gateway.url, appKey: 'bench', secret: 'bench-secret', log,
    timeouts: { connectMs: 1000, responseMs: 2000, requestMs: 3000 }, clock: new GatewayClock() }); // prettier-ignore
  const payments = new Payments({ api, store: ledger, log, identity, settings: DEFAULT_PAYMENT_SETTINGS });
  const sales = 300;
  const before = wchar();
  for (let i = 0; i < sales; i += 1) {
    const sale = await payments.pay(
      { saleId: `W-${i}`, amountFen: 3900, negoPrice: '3900', code: `28${String(1e15 + i)}` },
      () => undefined,
    );
    ledger.update(sale.saleId, { printed: true });
  }
  const perSale = (wchar() - before) / sales;
  console.log(
    `bytes written per sale (intent, outcome, printed)   ${(perSale / 1024).toFixed(1)} KiB   (target ≤ 64 KiB)`,
  );
  ledger.close();
}

async function forwardBacklog(dir: string, gateway: SandboxGateway, count: number): Promise<number> {
  const ledger = Ledger.open({ path: join(dir, `backlog-${count}.db`), log });
  const now = Date.now();
  for (let i = 0; i < count; i += 1) ledger.create(record(i, 'queued', now - 3_600_000));
  const api = new TopClient({ url: gateway.url, appKey: 'bench', secret: 'bench-secret', log,
    timeouts: { connectMs: 1000, responseMs: 5000, requestMs: 8000 }, clock: new GatewayClock() }); // prettier-ignore
  const payments = new Payments({ api, store: ledger, log, identity, settings: DEFAULT_PAYMENT_SETTINGS });
  const background = new Background({
    attempts: payments.attempts,
    active: payments.active,
    settings: { minBackoffMs: 5000, maxBackoffMs: 60000, flagAfterMs: 86_400_000 },
    offline: { ...NO_OFFLINE, enabled: true, concurrency: 2 },
    log,
    clocks: SYSTEM_CLOCKS,
    ages: payments.ages,
  });
  const t0 = performance.now();
  const done = await background.forwardQueued();
  const seconds = (performance.now() - t0) / 1000;
  const ok = done.filter((r) => r.status === 'succeeded').length;
  console.log(
    `forward ${String(count).padStart(6)} queued sales      ${seconds.toFixed(2)} s   ${(ok / seconds).toFixed(0)} sales/s   (${ok} succeeded)`,
  );
  ledger.close();
  return seconds;
}

// On the project's disk, not tmpfs: fsync must cost what it costs.
const dir = mkdtempSync(join(process.cwd(), '.bench-ledger-'));
try {
  const gateway = await SandboxGateway.start({ appKey: 'bench', secret: 'bench-secret', log });
  console.log(`ledger benchmark (state directory on the project's disk: ${dir})`);
  await bytesPerSale(dir, gateway);

  const empty = Ledger.open({ path: join(dir, 'empty.db'), log });
  intentLatency(empty, 'empty ledger');
  empty.close();
  let db: Database.Database | undefined;
  const big = Ledger.open({ path: join(dir, 'big.db'), log, afterOpen: (d) => (db = d) });
  const t0 = performance.now();
  if (db) fillHistory(db, HISTORY);
  console.log(`(filled ${HISTORY} historical rows in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  intentLatency(big, `${HISTORY / 1e6}M rows`);
  big.close();

  const t1k = await forwardBacklog(dir, gateway, 1_000);
  const t10k = await forwardBacklog(dir, gateway, 10_000);
  console.log(`forwarding growth 10,000 / 1,000 = ${(t10k / t1k).toFixed(2)}x   (linear = 10x)`);
  await gateway.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
