/**
 * Loading and validating the YAML config. Every problem is collected and reported at once, each
 * naming the key, the value found and what was expected, so a technician fixes the file in one go.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_PATH = '/etc/xpos-agent/config.yaml';

/** sysexits.h EX_CONFIG: systemd and operators read 78 as "fix the configuration". */
export const EXIT_CONFIG = 78;

export interface ConfigProblem {
  key: string;
  value?: string;
  expected: string;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  readonly file: string;

  constructor(file: string, problems: ConfigProblem[]) {
    super(`${file}: ${problems.length} problem(s)\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblem): string {
  return p.value === undefined ? `  ${p.key}: ${p.expected}` : `  ${p.key}: ${p.value} — ${p.expected}`;
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = typeof value === 'object' && value !== null ? '(a mapping)' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function keyOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

function fromIssue(issue: z.core.$ZodIssue): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({
      key: keyOf([...issue.path, k]),
      expected: 'unknown key (misspelt, or in the wrong section?)',
    }));
  }
  const input = (issue as { input?: unknown }).input;
  const expected = issue.message.replace(/^Invalid input: /, '');
  return [{ key: keyOf(issue.path), value: show(input), expected }];
}

/** Checks that span several keys; zod checks each key alone. */
function crossCheck(c: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const maxFen = toFen(c.price.max_amount);
  if (maxFen <= 0)
    problems.push({ key: 'price.max_amount', value: show(c.price.max_amount), expected: 'more than 0' });
  for (const key of ['A', 'B', 'C', 'D'] as const) {
    const p = c.presets[key];
    if (!p) continue;
    const fen = toFen(p.price);
    if (fen <= 0)
      problems.push({ key: `presets.${key}.price`, value: show(p.price), expected: 'more than 0' });
    if (fen > maxFen) {
      problems.push({
        key: `presets.${key}.price`,
        value: show(p.price),
        expected: `at most price.max_amount (${c.price.max_amount})`,
      });
    }
    if (c.keypad.keymap[key] !== undefined) {
      problems.push({
        key: `keypad.keymap.${key}`,
        value: show(c.keypad.keymap[key]),
        expected: `not mapped, because presets.${key} uses that key`,
      });
    }
  }
  const idle = c.kiosk.idle_scan_preset;
  if (idle !== undefined && c.presets[idle] === undefined) {
    problems.push({
      key: 'kiosk.idle_scan_preset',
      value: show(idle),
      expected: `a preset defined under presets.${idle}`,
    });
  }
  const dk = c.price.decimal_key;
  if (c.price.decimal_places > 0 && /^[0-9]$/.test(dk)) {
    problems.push({ key: 'price.decimal_key', value: show(dk), expected: 'a key that is not a digit' });
  }
  const mapped = c.keypad.keymap[dk];
  if (c.price.decimal_places > 0 && mapped !== undefined && mapped !== 'decimal') {
    problems.push({
      key: `keypad.keymap.${dk}`,
      value: show(mapped),
      expected: `"decimal" or unmapped, because price.decimal_key is ${JSON.stringify(dk)}`,
    });
  }
  const g = c.gateway;
  if (g.response_timeout_ms > g.request_timeout_ms) {
    problems.push({
      key: 'gateway.response_timeout_ms',
      value: show(g.response_timeout_ms),
      expected: `at most gateway.request_timeout_ms (${g.request_timeout_ms})`,
    });
  }
  if (g.url !== 'sandbox') problems.push(...checkGatewayUrl(g.url));
  if (c.payment.poll_interval_ms >= c.payment.customer_wait_ms) {
    problems.push({
      key: 'payment.poll_interval_ms',
      value: show(c.payment.poll_interval_ms),
      expected: `less than payment.customer_wait_ms (${c.payment.customer_wait_ms})`,
    });
  }
  if (!validTimeZone(c.kiosk.time_zone)) {
    problems.push({
      key: 'kiosk.time_zone',
      value: show(c.kiosk.time_zone),
      expected: 'an IANA zone such as Asia/Shanghai',
    });
  }
  return problems;
}

/** Plain HTTP only to loopback: anything else would put the signed request on the network in clear. */
function checkGatewayUrl(url: string): ConfigProblem[] {
  const u = new URL(url);
  if (u.protocol === 'https:' || isLoopbackHost(u.hostname)) return [];
  return [
    {
      key: 'gateway.url',
      value: show(url),
      expected: 'an https:// URL (plain http only to 127.0.0.1/::1/localhost)',
    },
  ];
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The schema already guarantees the format; this is the exact integer conversion. */
export function toFen(yuan: string): number {
  const [whole = '0', frac = ''] = yuan.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** Validate an already-parsed document. Throws ConfigError listing every problem. */
export function validateConfig(data: unknown, file = '(inline)'): Config {
  const parsed = configSchema.safeParse(data ?? {}, { reportInput: true });
  if (!parsed.success) throw new ConfigError(file, parsed.error.issues.flatMap(fromIssue));
  const problems = crossCheck(parsed.data);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return parsed.data;
}

/** Read, parse and validate a YAML config file. */
export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(file, [{ key: '(file)', value: file, expected: `a readable YAML file (${code})` }]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        key: `(line ${e.linePos?.[0].line ?? '?'})`,
        expected: `valid YAML: ${e.message.split('\n')[0] ?? e.code}`,
      })),
    );
  }
  return validateConfig(doc.toJS(), file);
}
