/**
 * `xpos-agent sim`: the built-in demo kiosk (or the user's config, always on the embedded sandbox)
 * in this terminal. The config it runs with is written to `<state dir>/sim.yaml`, so the operators'
 * tools find this kiosk's ledger and zone with `--config state/sim.yaml`: its devices are the
 * simulator's twins (`type: sim`, which `doctor` reports as simulated) and its backups go to
 * `<state dir>/backups`, never the production folder.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { loadConfig, validateConfig } from '../../config/load.js';
import type { DevicesConfig } from '../../config/devices.js';
import type { Config } from '../../config/schema.js';
import { createLogger } from '../log.js';
import { DEMO_APP_KEY } from '../../config/demo.js';
import { runSimulator } from './terminal.js';

export const SIM_CONFIG_FILE = 'sim.yaml';

/** The devices the simulator runs with, whatever a config names: its terminal twins. */
function simDevices(columns: 32 | 48): DevicesConfig {
  return {
    keypad: { type: 'sim' },
    scanner: { type: 'sim' },
    printer: { type: 'sim', columns },
    feedback: { type: 'sim' },
    display: { type: 'sim' },
    gpio: {},
  };
}

/** `ledger backup --config state/sim.yaml` copies the demo ledger beside it, not into a system folder. */
function simBackupDir(stateDir: string): string {
  return resolve(stateDir, 'backups');
}

/** The simulator's built-in kiosk: demo store, four presets, the embedded sandbox. */
export function simConfig(stateDir: string): Config {
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
      devices: simDevices(32),
      backup: { dir: simBackupDir(stateDir) },
      paths: { state_dir: stateDir },
      log: { level: 'debug' },
    },
    '(built-in simulator config)',
  );
}

/**
 * A user's config in the simulator: its store and presets (and receipt width), but always the
 * embedded sandbox, the simulator's devices, and backups in the simulator's state folder.
 */
function simOverride(config: Config, stateDir: string): Config {
  return {
    ...config,
    gateway: { ...config.gateway, url: 'sandbox' },
    devices: simDevices(config.devices.printer?.columns ?? 32),
    backup: { ...config.backup, dir: simBackupDir(stateDir) },
    paths: { state_dir: stateDir },
  };
}

/** Written whole or not at all (rename), so a tool never reads half a file. */
function writeSimConfig(config: Config): string {
  const dir = config.paths.state_dir;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, SIM_CONFIG_FILE);
  const text =
    '# Written by `xpos-agent sim` at each start: the config this simulator runs with.\n' +
    `# Use it with the operators' tools: xpos-agent queue report --config ${path}\n` +
    stringify(config);
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  return path;
}

export async function simCommand(
  configPath: string | undefined,
  stateDirArg: string | undefined,
): Promise<number> {
  const stateDir = resolve(stateDirArg ?? 'state');
  const config =
    configPath !== undefined ? simOverride(loadConfig(configPath), stateDir) : simConfig(stateDir);
  const written = writeSimConfig(config);
  // The screen belongs to the simulator: logs go to a file beside the receipts.
  const logFile = resolve(config.paths.state_dir, 'sim.log');
  const log = createLogger(config.log.level, pino.destination({ dest: logFile, mkdir: true, sync: true }));
  await runSimulator({ config, log, input: process.stdin, output: process.stdout });
  process.stdout.write(`log: ${logFile}\nconfig: ${written}\n`);
  return 0;
}
