/**
 * `make bench` (sale overhead): the agent's own time on one sale, from the scan event to the pay
 * request going on the wire and from the gateway's response to the receipt bytes, over many sales
 * against the embedded sandbox, beside the bare floor: a plain got POST to the same sandbox.
 *
 * Wire moments come from Node's http diagnostics channels, so the agent is not instrumented.
 */
import dc from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { got } from 'got';
import { pino } from 'pino';
import { validateConfig } from '../../config/load.js';
import { SimFeedback } from '../../drivers/feedback/sim.js';
import { SimKeypad } from '../../drivers/keypad/sim.js';
import { SimPrinter } from '../../drivers/printer/sim.js';
import { SimScanner } from '../../drivers/scanner/sim.js';
import { startAgent } from '../../agent/app.js';
import { createLogger } from '../../agent/log.js';
import { formatGmt8 } from '../../agent/pay/clock.js';
import { sign } from '../../agent/pay/sign.js';
import { DEMO_APP_KEY, DEMO_SECRET } from '../../agent/sandbox/cli.js';
import { summarise, ms, type Summary } from './stats.js';

const SALES = Number(process.env['BENCH_SALES'] ?? 1000);
// A new state folder each run: a ledger and sandbox book left by earlier runs would be measured too.
const stateDir = mkdtempSync(join(tmpdir(), 'xpos-bench-'));
const WARMUP = 100;

let lastRequestStart = 0;
let lastResponseStart = 0;
dc.subscribe('http.client.request.start', () => {
  lastRequestStart = performance.now();
});
dc.subscribe('http.client.response.finish', () => {
  lastResponseStart = performance.now();
});

interface Split {
  out: number;
  back: number;
  total: number;
}

function report(name: string, s: Summary): string {
  return `${name.padEnd(34)} p50 ${ms(s.p50).padStart(10)}   p99 ${ms(s.p99).padStart(10)}`;
}

async function agentSales(): Promise<{ splits: Split[]; url: string; stop: () => Promise<void> }> {
  const config = validateConfig({
    gateway: { url: 'sandbox', app_key: DEMO_APP_KEY },
    store: { store_id: '333333', cashier_id: '346753', cashier_name: '张丽', machine_id: 'BENCH' },
    presets: { A: { label: '单次入场', price: 39, item_id: 1001 } },
    kiosk: { key_bounce_ms: 0, duplicate_scan_window_ms: 0 },
    paths: { state_dir: stateDir },
  });
  const keypad = new SimKeypad();
  const scanner = new SimScanner();
  let printed: (() => void) | undefined;
  let printedAt = 0;
  const printer = new SimPrinter({
    columns: 32,
    output: () => {
      printedAt = performance.now();
      printed?.();
    },
  });
  // Production logs at info; write them where they cost what they cost, but off the screen.
  const log = createLogger('info', pino.destination({ dest: '/dev/null', sync: true }));
  const agent = await startAgent({
    config,
    log,
    secret: DEMO_SECRET,
    devices: { keypad, scanner, printer, feedback: new SimFeedback() },
  });
  const splits: Split[] = [];
  for (let i = 0; i < SALES + WARMUP; i += 1) {
    if (agent.runtime.kiosk.state.mode !== 'idle') keypad.press('ESC');
    keypad.press('A');
    const done = new Promise<void>((r) => (printed = r));
    const t0 = performance.now();
    scanner.scan(`28${String(1e15 + i)}`);
    await done;
    if (i >= WARMUP) {
      splits.push({ out: lastRequestStart - t0, back: printedAt - lastResponseStart, total: printedAt - t0 });
    }
  }
  return { splits, url: agent.gatewayUrl, stop: () => agent.stop() };
}

async function floorPosts(url: string): Promise<Split[]> {
  const splits: Split[] = [];
  for (let i = 0; i < SALES + WARMUP; i += 1) {
    const param0 = JSON.stringify({ nego_price: '3900', qr_code: `29${String(1e15 + i)}`, request_id: `floor-${i}`,
      out_biz_id: `floor-${i}`, cashier_name: '张丽', cashier_id: '346753', store_id: '333333' }); // prettier-ignore
    const params: Record<string, string> = {
      method: 'alibaba.alisports.lianbei.xpos.pay',
      app_key: DEMO_APP_KEY,
      timestamp: formatGmt8(Date.now()),
      v: '2.0',
      sign_method: 'hmac-sha256',
      format: 'json',
      param0,
    };
    params['sign'] = sign(params, DEMO_SECRET, 'hmac-sha256');
    const t0 = performance.now();
    await got.post(url, { form: params, retry: { limit: 0 } }).text();
    const t1 = performance.now();
    if (i >= WARMUP)
      splits.push({ out: lastRequestStart - t0, back: t1 - lastResponseStart, total: t1 - t0 });
  }
  return splits;
}

const agent = await agentSales();
const floor = await floorPosts(agent.url);
await agent.stop();
rmSync(stateDir, { recursive: true, force: true });

const a = {
  out: summarise(agent.splits.map((s) => s.out)),
  back: summarise(agent.splits.map((s) => s.back)),
};
const f = { out: summarise(floor.map((s) => s.out)), back: summarise(floor.map((s) => s.back)) };
const own = summarise(agent.splits.map((s) => s.out + s.back));
const floorOwn = summarise(floor.map((s) => s.out + s.back));
const total = summarise(agent.splits.map((s) => s.total));
const floorTotal = summarise(floor.map((s) => s.total));

console.log(`sale overhead, ${SALES} sales after ${WARMUP} warm-up, embedded sandbox on loopback`);
console.log(report('agent: scan → request on wire', a.out));
console.log(report('agent: response → receipt bytes', a.back));
console.log(report('agent: own overhead (sum)', own));
console.log(report('floor: got.post → request on wire', f.out));
console.log(report('floor: response → body read', f.back));
console.log(report('floor: own overhead (sum)', floorOwn));
console.log(report('agent: whole sale scan → receipt', total));
console.log(report('floor: whole plain POST', floorTotal));
console.log(
  `ratio whole sale / plain POST       p50 ${(total.p50 / floorTotal.p50).toFixed(3)}   p99 ${(total.p99 / floorTotal.p99).toFixed(3)}   (target ≤ 1.2)`,
);
console.log(`agent own overhead p99 ${ms(own.p99)} (target ≤ 2 ms)`);
