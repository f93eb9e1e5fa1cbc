/**
 * `xpos-agent run`: the daemon under systemd. Crash-only: a SIGKILL at any moment is recovered at
 * the next start; a SIGTERM gets an orderly stop bounded by a deadline that is armed first, so a
 * wedged device can never hang the kiosk.
 */
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import type { Config } from '../config/schema.js';
import { startAgent, type Agent } from './app.js';
import { buildDevices } from './devices.js';
import { asError } from './errors.js';
import { useProcessZone } from './local-time.js';
import type { Logger } from './log.js';
import { MetricsTextfile } from './metrics.js';
import type { LedgerSummary } from './payment/store.js';
import { createNotifier } from './systemd/notify.js';
import { statusLine } from './systemd/status.js';

export const SHUTDOWN_DEADLINE_MS = 10_000;

export async function runDaemon(config: Config, log: Logger): Promise<number> {
  // No optimising compiler, and V8's heap sized for memory: a kiosk makes a sale a minute, and
  // TurboFan's compile zones and optimised code kept ~12 MB of RSS for speed it never needs
  // (make bench: memory). The interpreter and the Sparkplug baseline compiler still run; the
  // memory bench's sale rate drops from ~255/s to ~165/s. Set here, not on node's command line
  // (NODE_OPTIONS refuses V8 flags), so every way the daemon starts runs it alike.
  setFlagsFromString('--no-turbofan');
  setFlagsFromString('--optimize-for-size');
  useProcessZone(config.kiosk.time_zone);
  const fatal = (kind: string) => (e: unknown) => {
    log.fatal({ err: asError(e) }, kind);
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled rejection'));
  // Handlers go in before anything else: until a listener exists a SIGTERM kills the process
  // outright, and systemd may send one the moment it has read READY. One that arrives during
  // start-up is honoured as soon as there is something to stop.
  let early: NodeJS.Signals | undefined;
  const onEarly = (signal: NodeJS.Signals): void => {
    early ??= signal;
  };
  process.on('SIGTERM', onEarly);
  process.on('SIGINT', onEarly);

  const built = buildDevices(config, log);
  const agent = await startAgent({ config, log, devices: built.devices });
  const health = agentHealth(agent);
  const notifier = createNotifier({ log });
  // READY only now: the ledger is open, recovery has run and every device has been tried.
  notifier.ready(health.line());
  // The gateway client's HTTP side is loaded after READY (the ready screen sooner); a sale typed
  // in the meantime waits for it. It fails only when the install is broken: fatal, as at start.
  agent.warm().catch(fatal('gateway client failed to load'));
  notifier.watchdog(() => health.healthy());
  const statusTimer = setInterval(() => notifier.status(health.line()), 10_000);
  statusTimer.unref();
  const textfile = config.metrics.textfile;
  const metricsFile =
    textfile === undefined
      ? undefined
      : new MetricsTextfile({
          path: textfile,
          intervalMs: config.metrics.interval_ms,
          render: health.metrics,
          log,
        });
  metricsFile?.start();

  const { simKeypad, simScanner } = built;
  // Scripted devices read line commands from stdin (the crash harness drives the daemon this way).
  const script = simKeypad && simScanner ? createInterface({ input: process.stdin }) : undefined;
  // Taken now: readline keeps the lines that arrive while the script code is still being imported
  // only once an iterator exists (without one they would be emitted to no one and lost).
  const scriptIterator = script?.[Symbol.asyncIterator]();

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (why: string, code: number): void => {
      if (stopping) return;
      stopping = true;
      log.info({ why }, 'stopping');
      clearInterval(statusTimer);
      metricsFile?.stop();
      notifier.stopping(`stopping (${why}): finishing the sale in progress`);
      const hard = setTimeout(() => {
        log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown deadline passed; exiting now');
        process.exit(code === 0 ? 1 : code);
      }, SHUTDOWN_DEADLINE_MS + 2_000);
      hard.unref();
      agent.stop(SHUTDOWN_DEADLINE_MS).then(
        () => {
          notifier.close();
          clearTimeout(hard);
          script?.close();
          if (script) process.stdin.destroy();
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          log.info('stopped');
          resolve(code);
        },
        (e: unknown) => {
          clearTimeout(hard);
          script?.close();
          log.error({ err: asError(e) }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A second signal means "now": the in-flight sale stays recorded as pending for recovery.
        log.warn({ signal }, 'second signal; exiting immediately');
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      stop(signal, 0);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.off('SIGTERM', onEarly);
    process.off('SIGINT', onEarly);
    if (early !== undefined) stop(early, 0);

    if (script && simKeypad && simScanner) {
      const noteLog = log.child({ module: 'script' });
      // Script devices only (tests, the crash harness): a kiosk's daemon never loads the sim code.
      void Promise.all([import('./sim/script.js'), import('./sim/demo-codes.js')])
        .then(([{ runScript }, { DEMO_SCANS }]) =>
          runScript(
            { [Symbol.asyncIterator]: () => scriptIterator ?? script[Symbol.asyncIterator]() },
            {
              keypad: simKeypad,
              scanner: simScanner,
              scanDemo: (key) => {
                const demo = DEMO_SCANS.find((d) => d.key === key);
                if (demo) simScanner.scan(demo.make());
                return demo !== undefined;
              },
              note: (line) => noteLog.info(line),
            },
          ),
        )
        .then(
          () => stop('script ended', 0),
          (e: unknown) => stop(`script failed: ${asError(e).message}`, 1),
        );
    }
  });
}

/**
 * What systemd and the fleet are told. Healthy means the ledger answers a read; a kiosk that is out
 * of service on purpose (corrupt ledger refused, scanner unplugged) is still healthy, because a
 * restart would not fix it and would only hide it.
 */
function agentHealth(agent: Agent): { healthy: () => boolean; line: () => string; metrics: () => string } {
  const summary = (): LedgerSummary | undefined => {
    try {
      return agent.store.summary();
    } catch {
      return undefined;
    }
  };
  const snapshot = () => {
    const outOfService = agent.runtime.kiosk.memory.outOfService;
    return {
      outOfService,
      devices: agent.runtime.deviceStates(),
      summary: summary(),
      clockSynced: agent.clock.synced,
      replaysSafe: agent.runtime.replaysSafe,
      unsaved: agent.runtime.unsavedCount,
    };
  };
  return {
    healthy: () => summary() !== undefined,
    line: () => statusLine(snapshot()),
    metrics: () => {
      const s = snapshot();
      return agent.metrics.render({
        ...s,
        outOfService: s.outOfService !== undefined,
        clockOffsetMs: agent.clock.offsetMs,
      });
    },
  };
}
