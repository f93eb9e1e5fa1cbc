/**
 * Loading and validating the YAML config. Every problem is collected and reported at once, each
 * naming the key, the value found and what was expected, so a technician fixes the file in one go.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { checkDevices } from './devices.js';
import { yuanToFen } from './money.js';
import { configSchema, type Config } from './schema.js';

export { DEFAULT_CONFIG_PATH } from '../agent/cli/usage.js';

/** sysexits.h EX_CONFIG (agent/exit-codes.ts): operators read 78 as "fix the configuration". */
export { EXIT_CONFIG } from '../agent/exit-codes.js';

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
  const mapping = typeof value === 'object' && value !== null && !Array.isArray(value);
  const text = mapping ? '(a mapping)' : JSON.stringify(value);
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
  let input = (issue as { input?: unknown }).input;
  // A bad `type` is reported on the mapping that holds it: show the type, not "(a mapping)".
  const last = issue.path.at(-1);
  if (typeof input === 'object' && input !== null && typeof last === 'string' && last in input) {
    input = (input as Record<string, unknown>)[last];
  }
  let expected = issue.message
    .replace(/^Invalid input: /, '')
    .replace(/^Invalid discriminator value\. Expected (.*)$/, (_, list: string) => `expected one of ${list}`);
  // YAML reads an unquoted 12345678 as a number: the fix is the quotes, so say so.
  if (typeof input === 'number' && expected === 'expected string, received number') {
    expected = `${expected}: quote it: '${String(input)}'`;
  }
  return [{ key: keyOf(issue.path), value: show(input), expected }];
}

type Sections = Partial<Config>;

/**
 * Checks that span several keys; zod checks each key alone. Each rule runs when the sections it
 * reads are valid on their own, so a mistake elsewhere never hides these.
 */
function crossCheck(c: Sections): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (key: string, value: unknown, expected: string): void => {
    problems.push({ key, value: show(value), expected });
  };
  const { price, presets, keypad, kiosk, gateway, payment } = c;
  const maxFen = price ? yuanToFen(price.max_amount) : undefined;
  if (price && maxFen === 0) add('price.max_amount', price.max_amount, 'more than 0');
  for (const key of ['A', 'B', 'C', 'D'] as const) {
    const p = presets?.[key];
    if (!p) continue;
    const fen = yuanToFen(p.price);
    if (fen <= 0) add(`presets.${key}.price`, p.price, 'more than 0');
    if (price && maxFen !== undefined && fen > maxFen) {
      add(`presets.${key}.price`, p.price, `at most price.max_amount (${price.max_amount})`);
    }
    if (keypad?.keymap[key] !== undefined) {
      add(`keypad.keymap.${key}`, keypad.keymap[key], `not mapped, because presets.${key} uses that key`);
    }
  }
  const idle = kiosk?.idle_scan_preset;
  if (idle !== undefined && presets && presets[idle] === undefined) {
    add('kiosk.idle_scan_preset', idle, `a preset defined under presets.${idle}`);
  }
  if (price && price.decimal_places > 0) {
    const dk = price.decimal_key;
    if (/^[0-9]$/.test(dk)) add('price.decimal_key', dk, 'a key that is not a digit');
    const mapped = keypad?.keymap[dk];
    if (mapped !== undefined && mapped !== 'decimal') {
      add(
        `keypad.keymap.${dk}`,
        mapped,
        `"decimal" or unmapped, because price.decimal_key is ${JSON.stringify(dk)}`,
      );
    }
  }
  if (gateway && gateway.response_timeout_ms > gateway.request_timeout_ms) {
    add(
      'gateway.response_timeout_ms',
      gateway.response_timeout_ms,
      `at most gateway.request_timeout_ms (${gateway.request_timeout_ms})`,
    );
  }
  if (payment && payment.poll_interval_ms >= payment.customer_wait_ms) {
    add(
      'payment.poll_interval_ms',
      payment.poll_interval_ms,
      `less than payment.customer_wait_ms (${payment.customer_wait_ms})`,
    );
  }
  const { offline } = c;
  if (offline && yuanToFen(offline.max_sale) > yuanToFen(offline.max_total)) {
    add('offline.max_sale', offline.max_sale, `at most offline.max_total (${offline.max_total})`);
  }
  if (kiosk && !validTimeZone(kiosk.time_zone)) {
    add('kiosk.time_zone', kiosk.time_zone, 'an IANA zone such as Asia/Shanghai');
  }
  if (c.devices) for (const p of checkDevices(c.devices)) add(p.key, p.value, p.expected);
  return problems;
}

/** Each top-level section parsed alone: the valid ones feed the cross-key rules. */
function validSections(data: unknown): Sections {
  const input = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(configSchema.shape)) {
    const r = schema.safeParse(input[name]);
    if (r.success) out[name] = r.data;
  }
  return out;
}

function validTimeZone(tz: string): boolean {
  // The list is ~10x cheaper than a formatter (which loads locale data: ~20 ms of `config check`);
  // it holds canonical names only, so an alias (UTC, PRC, Asia/Chongqing) takes the formatter.
  if (Intl.supportedValuesOf('timeZone').includes(tz)) return true;
  // A named zone only: newer ICU (Node 22+) also accepts offsets such as "+08:00", which mean
  // something else as the daemon's TZ (POSIX reads the sign the other way), and follow no DST.
  if (!/^[A-Za-z]/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Validate an already-parsed document. Throws ConfigError listing every problem. */
export function validateConfig(data: unknown, file = '(inline)'): Config {
  // jitless: zod would compile a fast path for each object schema, which pays only over many parses.
  const parsed = configSchema.safeParse(data ?? {}, { reportInput: true, jitless: true });
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap(fromIssue)),
    ...crossCheck(parsed.success ? parsed.data : validSections(data ?? {})),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(file, problems);
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
  if (text.trim() === '') {
    // Every section would be "missing": the one cause is worth one line.
    throw new ConfigError(file, [
      { key: '(file)', value: file, expected: 'a YAML config: the file is empty' },
    ]);
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
