/**
 * The composition root: config in, a running agent out. `run` and `sim` both come through here,
 * so the simulator exercises exactly the wiring the kiosk runs.
 */
import { SYSTEM_CLOCKS } from './clocks.js';
import { join } from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import { isDemo } from '../config/demo.js';
import type { Config } from '../config/schema.js';
import { loadSecret } from '../config/secret.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { fleetSettings } from './metrics-fleet.js';
import { GatewayClock } from './pay/clock.js';
import { TopClient } from './pay/client.js';
import { gatewayId } from './payment/ids.js';
import { Runtime, type Devices, type RuntimeDeps } from './runtime.js';
import type { SaleStore } from './payment/store.js';
import { lockStateDir } from './state-lock.js';
import { openStore } from './store-open.js';
// Type only: the sandbox's code is loaded below, and only for a demo kiosk.
import type { SandboxGateway } from './sandbox/server.js';

export interface AgentOptions {
  config: Config;
  log: Logger;
  devices: Devices;
  /** Overrides where the secret comes from (tests, simulator). */
  secret?: string;
  store?: SaleStore;
  onView?: RuntimeDeps['onView'];
  onResolved?: RuntimeDeps['onResolved'];
  resolveEveryMs?: number;
}

export interface Agent {
  runtime: Runtime;
  store: SaleStore;
  clock: GatewayClock;
  metrics: Metrics;
  /** Set when `gateway.url` is `sandbox`: the embedded gateway this agent talks to. */
  sandbox?: SandboxGateway;
  gatewayUrl: string;
  /** Loads the gateway client's HTTP side (got) now; the daemon calls it right after READY. */
  warm(): Promise<void>;
  stop(deadlineMs?: number): Promise<void>;
}

/**
 * Takes the state directory (agent/state-lock.ts: a second agent is refused with StateDirLocked)
 * before the ledger opens, and gives it up once the agent has stopped or failed to start.
 */
export async function startAgent(opts: AgentOptions): Promise<Agent> {
  mkdirSync(opts.config.paths.state_dir, { recursive: true, mode: 0o750 });
  const lock = lockStateDir(opts.config.paths.state_dir);
  try {
    const agent = await startUnlocked(opts);
    const stop = (deadlineMs?: number): Promise<void> => agent.stop(deadlineMs).finally(() => lock.release());
    return { ...agent, stop };
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function startUnlocked(opts: AgentOptions): Promise<Agent> {
  const { config, log } = opts;

  let sandbox: SandboxGateway | undefined;
  let url = config.gateway.url;
  let secret = opts.secret;
  if (isDemo(config)) {
    // Loaded only here, so a production kiosk never holds the demo gateway or its published
    // secret in memory (test/integration/sandbox-import.test.ts watches the loader).
    const [{ SandboxGateway }, { DEMO_SECRET }, { BOOK_FILE }] = await Promise.all([
      import('./sandbox/server.js'),
      import('./sandbox/cli.js'),
      import('./sandbox/book-file.js'),
    ]);
    secret ??= DEMO_SECRET;
    sandbox = await SandboxGateway.start({
      port: 0,
      appKey: config.gateway.app_key,
      secret,
      log: log.child({ module: 'sandbox' }),
      // The demo gateway's payments live beside the kiosk's ledger: a restart finds its pending ones.
      bookFile: join(config.paths.state_dir, BOOK_FILE),
    });
    url = sandbox.url;
  }
  secret ??= loadSecret(config.gateway.secret_file).secret;

  // timesyncd's marker: present once NTP has set the clock since boot (a Pi has no RTC).
  const clock = new GatewayClock(Date.now, () => existsSync('/run/systemd/timesync/synchronized'));
  const metrics = new Metrics(fleetSettings(config));
  const api = new TopClient({
    url,
    appKey: config.gateway.app_key,
    secret,
    signMethod: config.gateway.sign_method,
    timeouts: {
      connectMs: config.gateway.connect_timeout_ms,
      responseMs: config.gateway.response_timeout_ms,
      requestMs: config.gateway.request_timeout_ms,
    },
    clock,
    log,
    onCall: (call) => metrics.gatewayCall(call),
  });
  const opened = opts.store ? { store: opts.store } : openStore(config, log);
  const { store } = opened;
  const runtime = new Runtime({
    config,
    log,
    api,
    store,
    devices: opts.devices,
    gatewayClock: clock,
    // What is stored and printed is the gateway-corrected time (a Pi has no RTC); durations are monotonic.
    clocks: { wall: () => clock.now(), mono: SYSTEM_CLOCKS.mono },
    // The configured URL (`sandbox` for the demo, whatever port it gets), not the resolved one.
    gateway: gatewayId(config.gateway.url, config.gateway.app_key),
    metrics,
    ...(opened.outOfService !== undefined && { outOfService: opened.outOfService }),
    ...(opts.onView && { onView: opts.onView }),
    ...(opts.onResolved && { onResolved: opts.onResolved }),
    ...(opts.resolveEveryMs !== undefined && { resolveEveryMs: opts.resolveEveryMs }),
  });
  await runtime.start();
  log.info({ gateway: url, machine: config.store.machine_id }, 'agent ready');

  let stopping: Promise<void> | undefined;
  const stop = (deadlineMs?: number): Promise<void> => {
    stopping ??= (async () => {
      await runtime.stop(deadlineMs);
      store.close();
      await sandbox?.close();
    })();
    return stopping;
  };
  const warm = (): Promise<void> => api.warm();
  return { runtime, store, clock, metrics, ...(sandbox && { sandbox }), gatewayUrl: url, warm, stop };
}
