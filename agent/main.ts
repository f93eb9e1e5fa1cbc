#!/usr/bin/env node
/**
 * The one binary: `xpos-agent run | sim | sandbox | config check | queue | reprint | doctor | …`.
 * This file parses the command line against the command table (agent/cli/commands.ts) and loads
 * nothing else until a command is chosen: a typo or `--help` costs no more than starting Node, and
 * each command imports only its own modules. Exit codes: agent/exit-codes.ts.
 */
import { parseArgs } from 'node:util';
import { ALL_OPTIONS, COMMANDS, configPathOf, findCommand } from './cli/commands.js';
import { GROUPS, USAGE, groupProblem, usageProblem, usageText } from './cli/usage.js';
import { EXIT_CONFIG, EXIT_DATAERR, EXIT_FAILURE, EXIT_STATE_LOCKED, EXIT_USAGE } from './exit-codes.js';

/**
 * Known failures by class name: importing the classes would load their modules (zod, SQLite) for
 * every command. Each prints one named line or block; never a stack trace.
 */
function fail(e: unknown): number {
  const name = e instanceof Error ? e.name : '';
  const message = e instanceof Error ? e.message : String(e);
  switch (name) {
    case 'ConfigError':
    case 'SecretError':
      process.stderr.write(`config error: ${message}\n`);
      return EXIT_CONFIG;
    case 'StateDirLocked':
      process.stderr.write(`xpos-agent: ${message}\n`);
      return EXIT_STATE_LOCKED;
    case 'ScriptLineError':
      process.stderr.write(`xpos-agent sim: ${message}\n`);
      return EXIT_DATAERR;
    default:
      process.stderr.write(`xpos-agent: ${message}\n`);
      return EXIT_FAILURE;
  }
}

/** A command line that does not parse: the problem, then the usage text (agent/cli/usage.ts). */
function usage(problem: string): number {
  process.stderr.write(usageText(problem));
  return EXIT_USAGE;
}

function help(): number {
  process.stdout.write(`${USAGE}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  // Loose first pass: only to find the command words; each command's own options are strict.
  const loose = parseArgs({ args: argv, allowPositionals: true, strict: false, options: ALL_OPTIONS });
  const [command, sub] = loose.positionals;
  const wantsHelp = loose.values['help'] === true;
  if (command === undefined) {
    const known = (a: string): boolean =>
      a === '-h' || Object.hasOwn(ALL_OPTIONS, a.replace(/^--|=.*$/g, ''));
    const unknown = argv.find((a) => a.startsWith('-') && !known(a));
    if (wantsHelp && unknown === undefined) return help();
    return usage(unknown === undefined ? 'no command given' : `unknown option ${unknown} (no command given)`);
  }
  // The fleet's commands parse their own options; `ledger` alone or with a wrong word is told below,
  // as for every command group.
  if (
    (command === 'ledger' && (sub === 'backup' || sub === 'restore')) ||
    (command === 'queue' && sub === 'export')
  ) {
    const { fleetCommand } = await import('./cli/fleet.js');
    return fleetCommand(argv);
  }
  const found = findCommand(loose.positionals);
  if (found === undefined) {
    if (GROUPS[command] === undefined) return usage(`unknown command: ${command}`);
    // `queue --help`: the usage; `queue` alone: what it needs; `queue frob`: unknown, and what it needs.
    if (sub === undefined && wantsHelp) return help();
    return usage(groupProblem(command, sub));
  }
  const spec = COMMANDS[found.key];
  if (spec === undefined) return usage(`unknown command: ${found.key}`);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    return usage(`${found.key}: ${usageProblem(e)}`);
  }
  if (parsed.values['help'] === true) return help();
  const args = parsed.positionals.slice(found.words);
  const [min, max] = spec.args;
  if (args.length < min) return usage(`${found.key}: ${spec.argNames ?? 'an argument'} missing`);
  if (args.length > max) return usage(`${found.key}: unexpected argument ${JSON.stringify(args[max])}`);
  return spec.run({ values: parsed.values, args, configPath: configPathOf(parsed.values) });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = fail(e);
  },
);
