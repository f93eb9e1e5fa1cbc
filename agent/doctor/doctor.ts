/**
 * `xpos-agent doctor [--config FILE] [--json] [--print-test]`: everything a field technician
 * needs to know about a kiosk, one line per check with the fix, safe to run beside the daemon
 * (devices it holds are not opened, the ledger is read read-only, the gateway call moves no money).
 *
 * Exit codes (report.ts): 0 all OK, 1 some WARN, 2 some FAIL, 78 the config is invalid.
 */
import { resolve } from 'node:path';
import { pino } from 'pino';
import { asError } from '../errors.js';
import { checkConfig, checkSecret, type SecretCheck } from './checks-config.js';
import { checkDevices, devicePaths } from './checks-devices.js';
import { checkGateway } from './checks-gateway.js';
import { checkLedger } from './checks-ledger.js';
import { checkPrinter } from './checks-printer.js';
import { DEFAULT_FILES, type DoctorContext, type DoctorFiles } from './context.js';
import { SERVICE_USER, scanOpenFiles } from './host.js';
import {
  EXIT_CONFIG_INVALID,
  exitCodeOf,
  fail,
  formatResult,
  formatSummary,
  reportJson,
  type CheckResult,
} from './report.js';

export interface DoctorOptions {
  configPath: string;
  /** --state-dir: replaces the config's paths.state_dir (ledger, disk, receipts). */
  stateDir?: string;
  /** Print a test receipt on the configured printer. */
  printTest?: boolean;
  /** Where $CREDENTIALS_DIRECTORY is read from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Host files to read instead of the real ones (tests). */
  files?: Partial<DoctorFiles>;
  /** Default xpos-agent. */
  serviceUser?: string;
  /** Told each result as soon as its section is done, in report order. */
  onResult?: (r: CheckResult) => void;
}

export interface DoctorRun {
  results: CheckResult[];
  exitCode: number;
}

/** A check that throws is a FAIL of that check, never a crash that hides the others. */
async function guarded(
  name: string,
  run: () => CheckResult[] | Promise<CheckResult[]>,
): Promise<CheckResult[]> {
  try {
    return await run();
  } catch (e) {
    return [
      fail(
        name,
        `the check itself failed: ${asError(e).message}`,
        'report this with the output of doctor --json',
      ),
    ];
  }
}

export async function runDoctor(opts: DoctorOptions): Promise<DoctorRun> {
  const results: CheckResult[] = [];
  const emit = (rs: readonly CheckResult[]): void => {
    for (const r of rs) {
      results.push(r);
      opts.onResult?.(r);
    }
  };
  const cfg = checkConfig(opts.configPath);
  emit([cfg.result]);
  if (!cfg.valid) return { results, exitCode: EXIT_CONFIG_INVALID };
  const config =
    opts.stateDir === undefined
      ? cfg.config
      : { ...cfg.config, paths: { ...cfg.config.paths, state_dir: resolve(opts.stateDir) } };

  const files = { ...DEFAULT_FILES, ...opts.files };
  const ctx: DoctorContext = {
    config,
    configPath: opts.configPath,
    env: opts.env ?? process.env,
    files,
    serviceUser: opts.serviceUser ?? SERVICE_USER,
    // The report is the output; driver and client logs would only interleave with it.
    log: pino({ level: 'silent' }),
    open: scanOpenFiles(devicePaths(config), files.proc),
  };
  let secret: SecretCheck = { results: [] };
  emit(
    await guarded('secret', () => {
      secret = checkSecret(ctx);
      return secret.results;
    }),
  );
  // The network steps are the slow ones: they run while the local checks go on.
  const gateway = guarded('gateway', () => checkGateway(ctx, secret.secret));
  emit(await guarded('devices', () => checkDevices(ctx)));
  emit(await guarded('printer status', () => checkPrinter(ctx, opts.printTest === true)));
  emit(await guarded('ledger', () => checkLedger(ctx)));
  emit(await gateway);
  return { results, exitCode: exitCodeOf(results) };
}

export interface DoctorArgs {
  configPath: string;
  stateDir?: string;
  json: boolean;
  printTest: boolean;
}

/**
 * Resolves once the text is handed to the OS, so the caller may exit right after. A reader that
 * went away (`doctor | head`) ends the output, not the run: the exit code still tells.
 */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

export async function doctorCommand(args: DoctorArgs, out: NodeJS.WritableStream): Promise<number> {
  const ignore = (): void => undefined;
  out.on('error', ignore);
  const pending: Promise<void>[] = [];
  const run = await runDoctor({
    configPath: args.configPath,
    ...(args.stateDir !== undefined && { stateDir: args.stateDir }),
    printTest: args.printTest,
    ...(!args.json && {
      onResult: (r: CheckResult) => {
        pending.push(write(out, formatResult(r)));
      },
    }),
  });
  await Promise.all(pending);
  await write(
    out,
    args.json
      ? `${JSON.stringify(reportJson(run.results, run.exitCode), null, 2)}\n`
      : formatSummary(run.results, run.exitCode),
  );
  out.off('error', ignore);
  return run.exitCode;
}
