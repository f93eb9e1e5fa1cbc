/**
 * The environment systemd gives the daemon, read from systemd/xpos-agent.service itself so a bench
 * can never measure flags the kiosk does not run with (or miss one it does). Only the unit's plain
 * `Environment=NAME=value` lines are understood; the unit uses no quoting, and a line this reader
 * cannot take whole is an error rather than a silently different figure.
 */
import { readFileSync } from 'node:fs';

// Compiled to dist-bench/test/bench/; the unit is in the source tree.
const UNIT = new URL('../../../systemd/xpos-agent.service', import.meta.url);

/** Every `Environment=` of the [Service] section, in order (a later one for a name wins). */
export function unitEnvironment(text: string = readFileSync(UNIT, 'utf8')): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('Environment=')) continue;
    const value = line.slice('Environment='.length);
    const m = /^([A-Z_][A-Z0-9_]*)=(\S*(?: \S+)*)$/.exec(value);
    if (!m?.[1] || m[2] === undefined || /["']/.test(value)) {
      throw new Error(`systemd/xpos-agent.service: cannot read "${line}" (one NAME=value, no quotes)`);
    }
    env[m[1]] = m[2];
  }
  return env;
}

/**
 * The unit's environment for a bench child, with `extraNodeOptions` (the bench's own probes, such
 * as --expose-gc) after the unit's NODE_OPTIONS. BENCH_DAEMON_NODE_OPTIONS, when set, replaces the
 * unit's NODE_OPTIONS to try other flags (empty: none); the benches print which were used.
 */
export function daemonEnv(extraNodeOptions: readonly string[] = []): Record<string, string> {
  const env = unitEnvironment();
  const tried = process.env['BENCH_DAEMON_NODE_OPTIONS'];
  const nodeOptions = [tried ?? env['NODE_OPTIONS'] ?? '', ...extraNodeOptions].join(' ').trim();
  return { ...env, NODE_OPTIONS: nodeOptions };
}

/** One line saying what the bench ran with, for the top of its output. */
export function describeEnv(env: Record<string, string>): string {
  const shown = Object.entries(env).map(([k, v]) => `${k}=${v === '' ? '""' : v}`);
  const from =
    process.env['BENCH_DAEMON_NODE_OPTIONS'] === undefined
      ? 'the systemd unit'
      : 'the unit, NODE_OPTIONS from BENCH_DAEMON_NODE_OPTIONS';
  return `environment (${from}): ${shown.join(' ')}`;
}
