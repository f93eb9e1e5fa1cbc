#!/usr/bin/env node
/**
 * The one binary: `xpos-agent run | sim | sandbox | config check`. Exit codes follow sysexits:
 * 78 for a configuration problem (systemd shows it, a technician fixes the file), 64 for a usage
 * error, 75 when another agent holds the state directory (temporary: it ends when that one stops),
 * 1 for anything else.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ConfigError, DEFAULT_CONFIG_PATH, EXIT_CONFIG, loadConfig, validateConfig } from '../config/load.js';
import { demoFlagMisuse, demoNote, demoRefusal } from '../config/demo.js';
import type { Config } from '../config/schema.js';
import { SecretError } from '../config/secret.js';
import { asError } from './errors.js';
import { createLogger } from './log.js';
import { EXIT_STATE_LOCKED, StateDirLocked } from './state-lock.js';
import { ledgerPath } from './store-open.js';
import { pino } from 'pino';
// Each command's code is imported in its case below, not here: `run` is what systemd starts and
// waits for, and loading the simulator, sandbox, doctor and operators' tools with it cost the
// daemon start-up time and resident memory it never uses (test/bench/breakdown.ts).

const EXIT_USAGE = 64;

const usage = (fleetUsage: string): string => `usage: xpos-agent <command> [options]

  run            [--config FILE] [--demo]
                                   the kiosk daemon (systemd starts this). gateway.url: sandbox (the
                                   embedded demo gateway, no real money) is refused unless --demo
  sim            [--config FILE] [--state-dir DIR]
                                   the kiosk in this terminal: simulated devices, embedded sandbox gateway
                                   (always a demo)
  sandbox        [--port P] [--app-key K] [--secret-file F] [--personality NAME]
                                   the embedded TOP sandbox gateway alone, on 127.0.0.1;
                                   NAME: today (default), replay-completes, query-completes,
                                   replay-declines-used, slow, no-dedup
  config check   [--config FILE]   validate a config file; prints every problem, exit 78 if any,
                                   and a note when run would need --demo
  queue list|show ID|report [--config FILE] [--status S] [--json]
                                   read the ledger (safe while the daemon runs)
  reprint ID|last [--config FILE]  print a receipt again (by sale id, out_biz_id or request_id)
${fleetUsage}
  doctor         [--config FILE] [--json] [--print-test]
                                   check config, secret, devices, printer, gateway, ledger; one
                                   OK/WARN/FAIL line each with the fix; exit 0 ok, 1 warn, 2 fail,
                                   78 invalid config. --print-test prints a test receipt

  --config defaults to ${DEFAULT_CONFIG_PATH}. One agent (run or sim) per state directory: a second
  one exits ${EXIT_STATE_LOCKED} at once, naming the directory and the pid holding it.`;

/** The simulator's built-in kiosk: demo store, four presets, the embedded sandbox. */
export async function simConfig(stateDir: string): Promise<Config> {
  const { DEMO_APP_KEY } = await import('./sandbox/cli.js');
  return validateConfig(
    {
      gateway: { url: 'sandbox', app_key: DEMO_APP_KEY },
      store: {
        store_id: '333333',
        store_name: '阿里体育健身中心',
        cashier_id: '346753',
        cashier_name: '张丽',
        machine_id: 'SIM01',
      },
      presets: {
        A: { label: '单次入场', price: 39, item_id: 1001 },
        B: { label: '月卡', price: 299, item_id: 1002 },
        C: { label: '毛巾租用', price: 5 },
        D: { label: '运动饮料', price: 6.5 },
      },
      payment: { customer_wait_ms: 20_000, poll_interval_ms: 2_000 },
      devices: { printer: { type: 'sim', columns: 32 } },
      paths: { state_dir: stateDir },
      log: { level: 'debug' },
    },
    '(built-in simulator config)',
  );
}

function fail(e: unknown): number {
  if (e instanceof ConfigError) {
    process.stderr.write(`config error: ${e.message}\n`);
    return EXIT_CONFIG;
  }
  if (e instanceof SecretError) {
    process.stderr.write(`config error: ${e.message}\n`);
    return EXIT_CONFIG;
  }
  if (e instanceof StateDirLocked) {
    process.stderr.write(`xpos-agent: ${e.message}\n`);
    return EXIT_STATE_LOCKED;
  }
  process.stderr.write(`xpos-agent: ${asError(e).message}\n`);
  return 1;
}

/** The usage text, with the fleet commands' lines from their own module. */
async function usageText(): Promise<string> {
  return usage((await import('./cli/fleet.js')).FLEET_USAGE);
}

async function main(argv: string[]): Promise<number> {
  // Only `ledger …` and `queue export` are fleet commands: anything else never loads their code.
  if (argv.includes('ledger') || argv.includes('export')) {
    const { fleetCommand, isFleetCommand } = await import('./cli/fleet.js');
    if (isFleetCommand(argv)) return fleetCommand(argv);
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      'state-dir': { type: 'string' },
      port: { type: 'string' },
      'app-key': { type: 'string' },
      'secret-file': { type: 'string' },
      personality: { type: 'string' },
      status: { type: 'string' },
      json: { type: 'boolean' },
      'print-test': { type: 'boolean' },
      demo: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub] = positionals;
  if (values.help === true || command === undefined) {
    process.stdout.write(`${await usageText()}\n`);
    return command === undefined && values.help !== true ? EXIT_USAGE : 0;
  }
  const configPath = values.config ?? DEFAULT_CONFIG_PATH;

  switch (command) {
    case 'config': {
      if (sub !== 'check') break;
      const note = demoNote(loadConfig(configPath));
      process.stdout.write(`${configPath}: OK\n${note === undefined ? '' : `${note}\n`}`);
      return 0;
    }
    case 'sim': {
      const stateDir = resolve(values['state-dir'] ?? 'state');
      const config =
        values.config !== undefined
          ? simOverride(loadConfig(configPath), stateDir)
          : await simConfig(stateDir);
      const { runSimulator } = await import('./sim/terminal.js');
      // The screen belongs to the simulator: logs go to a file beside the receipts.
      const logFile = resolve(config.paths.state_dir, 'sim.log');
      const log = createLogger(
        config.log.level,
        pino.destination({ dest: logFile, mkdir: true, sync: true }),
      );
      await runSimulator({ config, log, input: process.stdin, output: process.stdout });
      process.stdout.write(`log: ${logFile}\n`);
      return 0;
    }
    case 'queue': {
      if (sub !== 'list' && sub !== 'show' && sub !== 'report') break;
      const config = loadConfig(configPath);
      const { queueCommand } = await import('./cli/queue.js');
      return queueCommand(
        {
          sub,
          json: values.json === true,
          statePath: ledgerPath(config),
          ...(positionals[2] !== undefined && { ref: positionals[2] }),
          ...(values.status !== undefined && { status: values.status }),
        },
        process.stdout,
        process.stderr,
      );
    }
    case 'reprint': {
      if (sub === undefined) break;
      const config = loadConfig(configPath);
      const { reprintCommand } = await import('./cli/reprint.js');
      return reprintCommand(
        { ref: sub, ledgerPath: ledgerPath(config), log: createLogger('warn', pino.destination(2)) },
        process.stdout,
        process.stderr,
      );
    }
    case 'doctor': {
      const { doctorCommand } = await import('./doctor/doctor.js');
      const code = await doctorCommand(
        { configPath, json: values.json === true, printTest: values['print-test'] === true },
        process.stdout,
      );
      // A DNS lookup that timed out still holds a libuv thread; the report is out, so do not wait for it.
      return process.exit(code);
    }
    case 'sandbox': {
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`--port: ${values.port ?? ''} — expected 0..65535\n`);
        return EXIT_USAGE;
      }
      const { isPersonalityName, unknownPersonalityMessage } = await import('./sandbox/personality.js');
      const personality = values.personality ?? 'today';
      if (!isPersonalityName(personality)) {
        process.stderr.write(`--personality: ${unknownPersonalityMessage(personality)}\n`);
        return EXIT_USAGE;
      }
      const log = createLogger('info');
      const { runSandbox } = await import('./sandbox/cli.js');
      const gateway = await runSandbox(
        {
          port,
          ...(values['app-key'] !== undefined && { appKey: values['app-key'] }),
          ...(values['secret-file'] !== undefined && { secretFile: values['secret-file'] }),
          personality,
        },
        log,
        process.stdout,
      );
      await waitForSignal();
      await gateway.close();
      return 0;
    }
    case 'run': {
      const config = loadConfig(configPath);
      const demo = values.demo === true;
      const misuse = demo ? demoFlagMisuse(config) : undefined;
      if (misuse !== undefined) {
        process.stderr.write(`${misuse}\n`);
        return EXIT_USAGE;
      }
      const refusal = demoRefusal(config, demo);
      if (refusal) throw new ConfigError(configPath, [refusal]);
      const { runDaemon } = await import('./daemon.js');
      const code = await runDaemon(config, createLogger(config.log.level));
      // Everything is closed and recorded; exit now rather than wait for reads the kernel may hold
      // open on a quiet input device (an evdev read ends only at the next key press).
      return process.exit(code);
    }
    default:
      break;
  }
  process.stderr.write(
    `unknown command: ${[command, sub].filter(Boolean).join(' ')}\n${await usageText()}\n`,
  );
  return EXIT_USAGE;
}

/** A user's config in the simulator: its store and presets, but always the embedded sandbox. */
function simOverride(config: Config, stateDir: string): Config {
  return { ...config, gateway: { ...config.gateway, url: 'sandbox' }, paths: { state_dir: stateDir } };
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = fail(e);
  },
);
