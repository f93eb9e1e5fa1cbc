/**
 * A whole kiosk for integration tests: the real agent (runtime, payments, TOP client) wired to
 * the simulator's device twins, talking over loopback HTTP to a real sandbox gateway. Every log
 * line is captured so tests can prove what never appears in it.
 */
import { Writable } from 'node:stream';
import { startAgent, type Agent } from '../../agent/app.js';
import type { Devices } from '../../agent/runtime.js';
import type { SaleRecord } from '../../agent/payment/sale.js';
import type { SaleStore } from '../../agent/payment/store.js';
import { createLogger } from '../../agent/log.js';
import { validateConfig } from '../../config/load.js';
import type { ConfigInput } from '../../config/schema.js';
import { SimFeedback } from '../../drivers/feedback/sim.js';
import { SimKeypad } from '../../drivers/keypad/sim.js';
import { SimPrinter } from '../../drivers/printer/sim.js';
import { SimScanner } from '../../drivers/scanner/sim.js';
import type { KeyName } from '../../config/keys.js';
import { APP_KEY, SECRET, startSandbox, type Teardown } from './top-request.js';
import type { SandboxGateway } from '../../agent/sandbox/server.js';
import type { SandboxOptions } from '../../agent/sandbox/server.js';

export interface KioskHarness {
  agent: Agent;
  gateway: SandboxGateway;
  keypad: SimKeypad;
  scanner: SimScanner;
  printer: SimPrinter;
  feedback: SimFeedback;
  logs: string[];
  /** Resolves once `cond` holds (polled), rejects after 10 s. */
  until(cond: () => boolean): Promise<void>;
  /** Press keys, scan `code`, and wait for the receipt; returns the sale as recorded. */
  sale(keys: KeyName[], code: string): Promise<{ sale: SaleRecord; receipt: string }>;
}

export interface HarnessOptions {
  config?: Partial<ConfigInput>;
  secret?: string;
  sandbox?: Partial<SandboxOptions>;
  resolveEveryMs?: number;
  responseTimeoutMs?: number;
  /** Use this store instead of the ledger the agent would open in the test directory. */
  store?: SaleStore;
  /** Real drivers to use instead of the twins (the twins are still returned, unused). */
  devices?: Partial<Devices>;
}

export async function startKiosk(
  t: Teardown & { testdirName: string },
  opts: HarnessOptions = {},
): Promise<KioskHarness> {
  const gateway = await startSandbox(t, opts.sandbox);
  const config = validateConfig({
    gateway: {
      url: gateway.url,
      app_key: APP_KEY,
      response_timeout_ms: opts.responseTimeoutMs ?? 2_000,
      request_timeout_ms: 3_000,
    },
    store: {
      store_id: '333333',
      store_name: '测试健身',
      cashier_id: '346753',
      cashier_name: '张丽',
      machine_id: 'T01',
    },
    presets: {
      A: { label: '单次入场', price: 39, item_id: 1001 },
      B: { label: '月卡', price: 299, item_id: 1002 },
    },
    payment: { customer_wait_ms: 6_000, poll_interval_ms: 1_000 },
    kiosk: { key_bounce_ms: 0 },
    paths: { state_dir: t.testdirName },
    log: { level: 'debug' },
    ...opts.config,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  const keypad = new SimKeypad();
  const scanner = new SimScanner();
  const printer = new SimPrinter({ columns: 32 });
  const feedback = new SimFeedback();
  const agent = await startAgent({
    config,
    log: createLogger('debug', sink),
    secret: opts.secret ?? SECRET,
    devices: { keypad, scanner, printer, feedback, ...opts.devices },
    resolveEveryMs: opts.resolveEveryMs ?? 60_000,
    ...(opts.store && { store: opts.store }),
  });
  t.teardown(() => agent.stop(2_000));

  const sale = async (keys: KeyName[], code: string): Promise<{ sale: SaleRecord; receipt: string }> => {
    const before = printer.printed.length;
    const printed = new Promise<string>((resolve, reject) => {
      const poll = setInterval(() => {
        if (printer.printed.length > before) {
          clearInterval(poll);
          clearTimeout(limit);
          resolve(printer.printed.at(-1) ?? '');
        }
      }, 5);
      const limit = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`no receipt; kiosk is ${agent.runtime.kiosk.state.mode}`));
      }, 15_000);
    });
    for (const k of keys) keypad.press(k);
    scanner.scan(code);
    const receipt = await printed;
    const last = agent.store.last();
    if (!last) throw new Error('no sale recorded');
    return { sale: last, receipt };
  };
  const until = (cond: () => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (cond()) {
          clearInterval(poll);
          resolve();
        } else if (Date.now() - started > 10_000) {
          clearInterval(poll);
          reject(new Error('condition not reached in 10 s'));
        }
      }, 5);
    });
  return { agent, gateway, keypad, scanner, printer, feedback, logs, until, sale };
}
