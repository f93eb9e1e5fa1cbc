/**
 * The CLI's usage text and its usage errors (exit 64). Plain strings only: the entry point shows
 * these before any command module is loaded, so a typo costs no more than starting Node.
 *
 * Every usage error is one line `xpos-agent: …` naming the problem. When the command line itself
 * does not parse (an unknown command or option, a missing or extra argument, a command group
 * without its subcommand) the usage text follows; a bad value of a known option (`--port abc`)
 * ends with USAGE_HINT instead (usageLine).
 */
import { EXIT_CONFIG, EXIT_DATAERR, EXIT_STATE_LOCKED, EXIT_USAGE } from '../exit-codes.js';

export const DEFAULT_CONFIG_PATH = '/etc/xpos-agent/config.yaml';

export const FLEET_USAGE = `  queue export   --from DAY --to DAY [--format csv|json] [--config FILE] [--state-dir DIR]
                                   sales created on those days (YYYY-MM-DD, kiosk.time_zone, both
                                   included) for reconciliation; CSV with BOM for Excel by default
  ledger backup  [DEST] [--keep N] [--config FILE] [--state-dir DIR]
                                   consistent copy of the ledger while the daemon runs, checked, into
                                   folder DEST (default backup.dir, keeping backup.keep) or file DEST.db
  ledger restore BACKUP [--config FILE] [--state-dir DIR]
                                   put a backup back as the ledger (daemon stopped; the old one is kept)`;

export const USAGE = `usage: xpos-agent <command> [options]

  run            [--config FILE] [--demo]
                                   the kiosk daemon (systemd starts this). gateway.url: sandbox (the
                                   embedded demo gateway, no real money) is refused unless --demo
  sim            [--config FILE] [--state-dir DIR]
                                   the kiosk in this terminal: simulated devices, embedded sandbox gateway
                                   (always a demo); writes the config it runs with to DIR/sim.yaml
  sandbox        [--port P] [--app-key K] [--secret-file F] [--personality NAME]
                                   the embedded TOP sandbox gateway alone, on 127.0.0.1;
                                   NAME: today (default), replay-completes, query-completes,
                                   replay-declines-used, slow, no-dedup
  config check   [--config FILE]   validate a config file and the app secret exactly as run would;
                                   prints every problem, exit ${EXIT_CONFIG} if any, and a note when run
                                   would need --demo
  queue list|show ID|report [--config FILE] [--state-dir DIR] [--status S] [--json]
                                   read the ledger (safe while the daemon runs)
  reprint ID|last [--config FILE] [--state-dir DIR]
                                   WRITES: marks the receipt (sale id, out_biz_id or request_id)
                                   unprinted; the daemon prints it again on its next pass
${FLEET_USAGE}
  doctor         [--config FILE] [--state-dir DIR] [--json] [--print-test]
                                   check config, secret, devices, printer, gateway, ledger; one
                                   OK/WARN/FAIL line each with the fix; exit 0 ok, 1 warn, 2 fail,
                                   ${EXIT_CONFIG} invalid config. --print-test prints a test receipt

  --help (-h) after any command prints this text; a usage error exits ${EXIT_USAGE}. --config
  defaults to ${DEFAULT_CONFIG_PATH}; --state-dir replaces its paths.state_dir. One agent (run
  or sim) per state directory: a second one exits ${EXIT_STATE_LOCKED} at once, naming the directory
  and the pid holding it. A bad line in a piped sim script exits ${EXIT_DATAERR}.`;

/** Node's parseArgs wording ("Unknown option '--x'. To specify a positional…") in the CLI's words. */
export function usageProblem(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  const option = /'(-[^']*)'/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(message)
        ? `option ${option.split(/[ ,]/)[0] ?? option} needs a value`
        : `option ${option.split(/[ ,]/)[0] ?? option} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ''}`;
    default:
      return message;
  }
}

/** Ends a one-line usage error that is not followed by the usage text. */
export const USAGE_HINT = '(xpos-agent --help for usage)';

/** A usage error about a value, on one line with the hint: `xpos-agent: sandbox: --port: … (…)`. */
export function usageLine(problem: string): string {
  return `xpos-agent: ${problem} ${USAGE_HINT}\n`;
}

/** A usage error about the command line itself, followed by the usage text. */
export function usageText(problem: string): string {
  return `xpos-agent: ${problem}\n${USAGE}\n`;
}

/** Command groups and what must follow each word. */
export const GROUPS: Readonly<Record<string, string>> = {
  config: 'check',
  queue: 'list, show ID, report, export',
  ledger: 'backup [DEST], restore BACKUP',
};

/**
 * Why the words after a group name no command: `queue needs one of: list, show ID, report, export`
 * when nothing follows it, `unknown command: queue frob; queue needs one of: …` for a wrong word.
 */
export function groupProblem(group: string, sub: string | undefined): string {
  const list = GROUPS[group] ?? '';
  const needs = `${group} needs ${list.includes(',') ? 'one of' : 'a subcommand'}: ${list}`;
  return sub === undefined ? needs : `unknown command: ${group} ${sub}; ${needs}`;
}
