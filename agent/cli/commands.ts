/**
 * The command table: each command's options and positional arguments, and a handler that imports
 * only the modules that command needs (`await import()`), so `config check` never loads the ledger
 * or the sandbox and `run` never loads the simulator, the doctor or the operators' tools
 * (test/integration/cli-imports.test.ts watches the loader).
 */
import type { ParseArgsConfig } from 'node:util';
import { EXIT_USAGE } from '../exit-codes.js';
import { DEFAULT_CONFIG_PATH } from './usage.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** The positionals after the command's own words. */
  args: string[];
  configPath: string;
}

export interface CommandSpec {
  options: Options;
  /** How many positionals may follow the command's words: [min, max]. */
  args: readonly [number, number];
  /** Names the positionals in usage errors. */
  argNames?: string;
  run: (a: CommandArgs) => Promise<number>;
}

const CONFIG = { config: { type: 'string' } } as const;
const STATE_DIR = { 'state-dir': { type: 'string' } } as const;

const str = (v: CommandArgs['values'][string]): string | undefined => (typeof v === 'string' ? v : undefined);

async function configFor(a: CommandArgs) {
  const [load, path] = await Promise.all([import('../../config/load.js'), import('node:path')]);
  const config = load.loadConfig(a.configPath);
  const dir = str(a.values['state-dir']);
  return dir === undefined ? config : { ...config, paths: { ...config.paths, state_dir: path.resolve(dir) } };
}

async function queue(sub: 'list' | 'show' | 'report', a: CommandArgs): Promise<number> {
  const [{ queueCommand, queueUsageProblem }, { ledgerPath }] = await Promise.all([
    import('./queue.js'),
    import('../store-open.js'),
  ]);
  const status = str(a.values['status']);
  // The command line's mistake is told before the config is read (exit 64, not 78).
  const bad = queueUsageProblem({ sub, status, ref: a.args[0] });
  if (bad !== undefined) {
    process.stderr.write(bad);
    return EXIT_USAGE;
  }
  const config = await configFor(a);
  return queueCommand(
    {
      sub,
      json: a.values['json'] === true,
      statePath: ledgerPath(config),
      timeZone: config.kiosk.time_zone,
      ...(a.args[0] !== undefined && { ref: a.args[0] }),
      ...(status !== undefined && { status }),
    },
    process.stdout,
    process.stderr,
  );
}

const queueSpec = (sub: 'list' | 'show' | 'report', args: readonly [number, number]): CommandSpec => ({
  options: { ...CONFIG, ...STATE_DIR, status: { type: 'string' }, json: { type: 'boolean' } },
  args,
  ...(sub === 'show' && { argNames: 'ID' }),
  run: (a) => queue(sub, a),
});

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  run: {
    options: { ...CONFIG, demo: { type: 'boolean' } },
    args: [0, 0],
    run: async (a) => (await import('./run-command.js')).runCommand(a.configPath, a.values['demo'] === true),
  },
  sim: {
    options: { ...CONFIG, ...STATE_DIR },
    args: [0, 0],
    run: async (a) => {
      const { simCommand } = await import('../sim/command.js');
      return simCommand(
        a.values['config'] === undefined ? undefined : a.configPath,
        str(a.values['state-dir']),
      );
    },
  },
  sandbox: {
    options: {
      port: { type: 'string' },
      'app-key': { type: 'string' },
      'secret-file': { type: 'string' },
      personality: { type: 'string' },
    },
    args: [0, 0],
    run: async (a) =>
      (await import('../sandbox/command.js')).sandboxCommand({
        port: str(a.values['port']),
        appKey: str(a.values['app-key']),
        secretFile: str(a.values['secret-file']),
        personality: str(a.values['personality']),
      }),
  },
  'config check': {
    options: CONFIG,
    args: [0, 0],
    run: async (a) => (await import('./config-check.js')).configCheck(a.configPath),
  },
  'queue list': queueSpec('list', [0, 0]),
  'queue show': queueSpec('show', [1, 1]),
  'queue report': queueSpec('report', [0, 0]),
  reprint: {
    options: { ...CONFIG, ...STATE_DIR },
    args: [1, 1],
    argNames: 'ID|last',
    run: async (a) => {
      const config = await configFor(a);
      const [{ reprintCommand }, { ledgerPath }, { createStderrLogger }] = await Promise.all([
        import('./reprint.js'),
        import('../store-open.js'),
        import('../log.js'),
      ]);
      return reprintCommand(
        {
          ref: a.args[0] ?? 'last',
          ledgerPath: ledgerPath(config),
          log: createStderrLogger('warn'),
        },
        process.stdout,
        process.stderr,
      );
    },
  },
  doctor: {
    options: { ...CONFIG, ...STATE_DIR, json: { type: 'boolean' }, 'print-test': { type: 'boolean' } },
    args: [0, 0],
    run: async (a) => {
      const { doctorCommand } = await import('../doctor/doctor.js');
      const stateDir = str(a.values['state-dir']);
      const code = await doctorCommand(
        {
          configPath: a.configPath,
          json: a.values['json'] === true,
          printTest: a.values['print-test'] === true,
          ...(stateDir !== undefined && { stateDir }),
        },
        process.stdout,
      );
      // A DNS lookup that timed out still holds a libuv thread; the report is out, so do not wait for it.
      return process.exit(code);
    },
  },
};

/** The table's key for these positionals ('queue list', 'run'), and how many words it used. */
export function findCommand(positionals: readonly string[]): { key: string; words: number } | undefined {
  const [first = '', second = ''] = positionals;
  if (COMMANDS[`${first} ${second}`] !== undefined) return { key: `${first} ${second}`, words: 2 };
  if (COMMANDS[first] !== undefined) return { key: first, words: 1 };
  return undefined;
}

export function configPathOf(values: CommandArgs['values']): string {
  return str(values['config']) ?? DEFAULT_CONFIG_PATH;
}

export { EXIT_USAGE };

/** The options of `queue export`, `ledger backup` and `ledger restore` (agent/cli/fleet.ts). */
export const FLEET_OPTIONS = {
  config: { type: 'string' },
  'state-dir': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string' },
  keep: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Every option any command knows, for main's first, loose pass over the command line: an option
 * that takes a value must take it there too, or `queue --state-dir DIR list` reads DIR as the
 * subcommand.
 */
export const ALL_OPTIONS: Options = {
  ...FLEET_OPTIONS,
  ...Object.values(COMMANDS).reduce<Options>((all, c) => ({ ...all, ...c.options }), {}),
};
