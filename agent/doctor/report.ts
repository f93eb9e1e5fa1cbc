/**
 * What `xpos-agent doctor` says: one line per check, OK/WARN/FAIL, a fix under every WARN and FAIL,
 * and an exit code a script or a fleet tool can branch on. The codes follow the Nagios plugin
 * convention (0 OK, 1 WARNING, 2 CRITICAL), so existing monitoring reads them as they are, plus
 * sysexits' 78 when the config itself is invalid (the other checks need it and do not run).
 */

export type Level = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Short, stable name: "scanner", "gateway clock", "ledger"… */
  check: string;
  level: Level;
  detail: string;
  /** What to do about it; present on every WARN and FAIL. */
  fix?: string;
  /** Extra lines under the detail (each config problem). */
  lines?: string[];
  /** Values for `--json` (counts, amounts, milliseconds, paths). Never the secret. */
  data?: Record<string, unknown>;
}

export const EXIT_OK = 0;
export const EXIT_WARN = 1;
export const EXIT_FAIL = 2;
/** Same as `config check`: sysexits EX_CONFIG. */
export const EXIT_CONFIG_INVALID = 78;

const RANK: Record<Level, number> = { ok: 0, warn: 1, fail: 2 };

export function ok(check: string, detail: string, data?: Record<string, unknown>): CheckResult {
  return { check, level: 'ok', detail, ...(data && { data }) };
}

export function warn(
  check: string,
  detail: string,
  fix: string,
  data?: Record<string, unknown>,
): CheckResult {
  return { check, level: 'warn', detail, fix, ...(data && { data }) };
}

export function fail(
  check: string,
  detail: string,
  fix: string,
  data?: Record<string, unknown>,
): CheckResult {
  return { check, level: 'fail', detail, fix, ...(data && { data }) };
}

export function worst(results: readonly CheckResult[]): Level {
  let level: Level = 'ok';
  for (const r of results) if (RANK[r.level] > RANK[level]) level = r.level;
  return level;
}

export function exitCodeOf(results: readonly CheckResult[], configInvalid = false): number {
  if (configInvalid) return EXIT_CONFIG_INVALID;
  const w = worst(results);
  return w === 'fail' ? EXIT_FAIL : w === 'warn' ? EXIT_WARN : EXIT_OK;
}

/** The name column is this wide, so details line up in a terminal. */
export const CHECK_WIDTH = 19;

export function formatResult(r: CheckResult): string {
  const head = `${r.level.toUpperCase().padEnd(4)}  ${r.check.padEnd(CHECK_WIDTH)}  ${r.detail}`;
  const lines = [head, ...(r.lines ?? []).map((l) => `      ${l}`)];
  if (r.fix !== undefined && r.level !== 'ok') lines.push(`  fix: ${r.fix}`);
  return `${lines.join('\n')}\n`;
}

export function formatSummary(results: readonly CheckResult[], code: number): string {
  const count = (l: Level): number => results.filter((r) => r.level === l).length;
  return `doctor: ${count('ok')} OK, ${count('warn')} WARN, ${count('fail')} FAIL (exit ${code})\n`;
}

export interface DoctorJson {
  exitCode: number;
  worst: Level;
  checks: CheckResult[];
}

export function reportJson(results: readonly CheckResult[], code: number): DoctorJson {
  return { exitCode: code, worst: worst(results), checks: [...results] };
}
