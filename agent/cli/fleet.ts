/**
 * The fleet's commands: `queue export` (finance's spreadsheet), `ledger backup` and `ledger restore`.
 * They parse their own options, so `agent/main.ts` only hands them the arguments. Config problems
 * are thrown (main turns a ConfigError into exit 78); usage problems exit 64 with the flag named,
 * worded as main's (agent/cli/usage.ts): `xpos-agent: …`, then the usage text or the hint.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { asError } from '../errors.js';
import { backupLedger } from '../ledger/backup.js';
import { restoreLedger } from '../ledger/restore.js';
import { ledgerPath } from '../store-open.js';
import { exportCommand } from './export.js';
import { write } from './queue.js';
import { FLEET_OPTIONS } from './commands.js';
import { USAGE, usageLine, usageProblem, usageText } from './usage.js';

import { EXIT_FAILURE as EXIT_FAIL, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export async function fleetCommand(
  argv: string[],
  io: Io = { out: process.stdout, err: process.stderr },
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    const loose = parseArgs({ args: argv, allowPositionals: true, options: FLEET_OPTIONS, strict: false });
    await write(io.err, usageText(`${loose.positionals.slice(0, 2).join(' ')}: ${usageProblem(e)}`));
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  const [command, sub, arg, extra] = positionals;
  const name = positionals.slice(0, 2).join(' ');
  if (values.help === true) {
    await write(io.out, `${USAGE}\n`);
    return EXIT_OK;
  }
  const configPath = values.config ?? DEFAULT_CONFIG_PATH;
  const stateDir = values['state-dir'];
  // --state-dir replaces paths.state_dir (where the ledger is), as for queue list/report and reprint.
  const config = (): Config => {
    const c = loadConfig(configPath);
    return stateDir === undefined ? c : { ...c, paths: { ...c.paths, state_dir: resolve(stateDir) } };
  };
  if (extra !== undefined || (command === 'queue' && arg !== undefined)) {
    await write(io.err, usageText(`${name}: unexpected argument "${command === 'queue' ? arg : extra}"`));
    return EXIT_USAGE;
  }
  if (command === 'queue') {
    const cfg = config();
    return exportCommand(
      {
        from: values.from,
        to: values.to,
        format: values.format,
        timeZone: cfg.kiosk.time_zone,
        ledgerPath: ledgerPath(cfg),
      },
      io.out,
      io.err,
    );
  }
  if (sub === 'backup') {
    let keep: number | undefined;
    if (values.keep !== undefined) {
      keep = Number(values.keep);
      if (!/^\d+$/.test(values.keep) || keep < 1 || keep > 365) {
        await write(
          io.err,
          usageLine(`${name}: --keep: "${values.keep}" — expected a whole number of copies, 1..365`),
        );
        return EXIT_USAGE;
      }
    }
    const cfg = config();
    const dest = arg ?? cfg.backup.dir;
    try {
      const r = backupLedger({
        ledgerPath: ledgerPath(cfg),
        dest,
        machineId: cfg.store.machine_id,
        keep: keep ?? cfg.backup.keep,
      });
      const pruned =
        r.pruned.length === 0
          ? ''
          : `; removed ${r.pruned.length} older cop${r.pruned.length === 1 ? 'y' : 'ies'}`;
      await write(io.out, `${r.path}: ${r.sales} sales, ${r.bytes} bytes, integrity ok${pruned}\n`);
      return EXIT_OK;
    } catch (e) {
      await write(io.err, `ledger backup: ${asError(e).message}\n`);
      return EXIT_FAIL;
    }
  }
  if (sub === 'restore') {
    if (arg === undefined) {
      await write(io.err, usageText(`${name}: BACKUP missing — expected the backup file to restore`));
      return EXIT_USAGE;
    }
    const cfg = config();
    const path = ledgerPath(cfg);
    try {
      const r = restoreLedger({ backup: arg, ledgerPath: path });
      const kept =
        r.replaced === undefined
          ? ''
          : `the ledger it replaced is kept as ${r.replaced}: sales made after the backup are only there, reconcile them\n`;
      await write(
        io.out,
        `restored ${r.sales} sales from ${arg} into ${path}; integrity ok\n${kept}next: systemctl start xpos-agent, then xpos-agent queue report\n`,
      );
      return EXIT_OK;
    } catch (e) {
      await write(io.err, `ledger restore: ${asError(e).message}\n`);
      return EXIT_FAIL;
    }
  }
  // main hands over only `queue export`, `ledger backup` and `ledger restore`.
  await write(io.err, usageText(`unknown command: ${name}`));
  return EXIT_USAGE;
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: FLEET_OPTIONS });
}
