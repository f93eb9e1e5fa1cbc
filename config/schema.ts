/**
 * The one configuration schema: types, defaults and ranges in one place. Every object is strict,
 * so a misspelt key is an error rather than a silently ignored setting. The YAML file uses
 * snake_case keys (as the TOP API does); durations carry their unit in the key name.
 */
import { z } from 'zod';
import { devicesSchema } from './devices.js';
import { KEY_NAMES } from './keys.js';
import { isLoopbackHost } from './loopback.js';
import { parseYuan, yuanExpectation } from './money.js';

/**
 * A yuan amount as people write it: 12, 12.5, "12.50". Judged by the same parser as the keypad
 * (config/money.ts), so the file accepts exactly the amounts a member could type, up to MAX_FEN.
 */
const yuan = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(
    z.string().check((ctx) => {
      const parsed = parseYuan(ctx.value);
      if (!parsed.ok)
        ctx.issues.push({ code: 'custom', message: yuanExpectation(parsed.error), input: ctx.value });
    }),
  );

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

const URL_EXPECTED = 'expected an https:// URL or "sandbox"';

/**
 * Why a gateway.url is refused, in one message: a text that is no URL at all (`not a url`) and
 * one with the wrong scheme (`ftp://…`) are each one problem, never an exception or two lines.
 */
export function gatewayUrlProblem(value: string): string | undefined {
  if (value === 'sandbox') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return URL_EXPECTED;
  }
  if (url.protocol === 'https:') return undefined;
  // Plain HTTP would put the signed request and the payment code on the network in clear.
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname)
      ? undefined
      : 'expected an https:// URL (plain http only to 127.0.0.1/::1/localhost)';
  }
  return `${URL_EXPECTED} (${url.protocol.slice(0, -1)} is not supported)`;
}

const ms = (min: number, max: number, dflt: number) => z.number().int().min(min).max(max).default(dflt);

export const SIGN_METHODS = ['md5', 'hmac', 'hmac-sha256'] as const;
export const KEY_FUNCTIONS = [
  'confirm',
  'cancel',
  'clear',
  'backspace',
  'decimal',
  'reprint',
  'none',
] as const;

const gateway = z.strictObject({
  /** `sandbox` = start the embedded sandbox gateway on loopback (simulator, demos). */
  url: z.string({ error: URL_EXPECTED }).check((ctx) => {
    const why = gatewayUrlProblem(ctx.value);
    if (why !== undefined) ctx.issues.push({ code: 'custom', message: why, input: ctx.value });
  }),
  app_key: z.string().regex(/^\S{1,64}$/, 'expected the AppKey, 1-64 characters without spaces'),
  sign_method: z.enum(SIGN_METHODS).default('hmac-sha256'),
  /**
   * Where the app secret lives when systemd credentials are not used. Never the secret itself:
   * the file must be readable by the service user only (mode 0600 or 0400).
   */
  secret_file: z.string().min(1).optional(),
  connect_timeout_ms: ms(200, 60_000, 5_000),
  response_timeout_ms: ms(500, 120_000, 15_000),
  request_timeout_ms: ms(500, 180_000, 20_000),
});

const store = z.strictObject({
  store_id: z.string().min(1).max(64),
  store_name: z.string().min(1).max(64).default('XPOS'),
  cashier_id: z.string().min(1).max(64),
  cashier_name: z.string().min(1).max(32),
  /** Unique per kiosk: it is part of every request_id and out_biz_id. */
  machine_id: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'expected 1-16 letters, digits, _ or -'),
  /** Printed on pending, failed and refused receipts: how to reach a person (a phone number, "请联系前台"). */
  support_text: z.string().min(1).max(64).optional(),
});

const price = z
  .strictObject({
    /** Unit of `nego_price` on the wire. The API's example "10000" is fen. */
    unit: z.enum(['fen', 'yuan']).default('fen'),
    max_amount: yuan.default('5000'),
    /** Digits before the decimal point a member may type. */
    max_digits: z.number().int().min(1).max(8).default(5),
    decimal_places: z.number().int().min(0).max(2).default(2),
    /** The key that types the decimal point (a 4x4 matrix has none: use "*"). */
    decimal_key: z.enum(KEY_NAMES).default('.'),
  })
  .prefault({});

const preset = z.strictObject({
  label: z.string().min(1).max(24),
  price: yuan,
  item_id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

const presets = z
  .strictObject({ A: preset.optional(), B: preset.optional(), C: preset.optional(), D: preset.optional() })
  .default({});

const kiosk = z
  .strictObject({
    entry_timeout_ms: ms(5_000, 600_000, 30_000),
    result_timeout_ms: ms(1_000, 120_000, 8_000),
    duplicate_scan_window_ms: ms(0, 60_000, 3_000),
    /** The same key again within this window is bounce; hardware keypads only (never the simulator's). */
    key_bounce_ms: ms(0, 500, 40),
    /** A scan while idle starts a sale for this preset (a kiosk that sells one thing). */
    idle_scan_preset: z.enum(['A', 'B', 'C', 'D']).optional(),
    language: z.enum(['zh', 'en']).default('zh'),
    time_zone: z.string().min(1).default('Asia/Shanghai'),
  })
  .prefault({});

const payment = z
  .strictObject({
    /** How long the member is kept waiting while a pending payment is checked. */
    customer_wait_ms: ms(5_000, 120_000, 45_000),
    poll_interval_ms: ms(1_000, 10_000, 3_000),
    /** A sale still unresolved after this long is flagged for manual reconciliation (and still checked). */
    flag_unresolved_after_ms: ms(60_000, 30 * 86_400_000, 86_400_000),
  })
  .prefault({});

const keymapDefault = {
  ENTER: 'confirm',
  '#': 'confirm',
  ESC: 'cancel',
  '*': 'clear',
  BACKSPACE: 'backspace',
} as const;

const keypad = z
  .strictObject({
    /** Non-digit keys and what they do. Digits are digits; A-D are presets unless mapped here. */
    keymap: z.partialRecord(z.enum(KEY_NAMES), z.enum(KEY_FUNCTIONS)).default(keymapDefault),
  })
  .prefault({});

/**
 * Offline store-and-forward, for member codes only: payment codes are single-use and expire within
 * about a minute, so they are online-only. The gym carries the risk of a later decline.
 */
const offline = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** How a member code is recognised (a JavaScript regular expression, anchored by you). */
    member_code_pattern: z
      .string()
      .default('^M[0-9A-Za-z]{6,31}$')
      .refine(isRegExp, { error: 'expected a valid regular expression' }),
    max_sale: yuan.default('200'),
    max_total: yuan.default('2000'),
    max_count: z.number().int().min(1).max(10_000).default(50),
    /** Stop accepting offline sales once the oldest stored one is this old. */
    max_age_ms: ms(60_000, 7 * 86_400_000, 86_400_000),
    /** Queued sales forwarded at once when the gateway is back. */
    forward_concurrency: z.number().int().min(1).max(8).default(2),
  })
  .prefault({});

const ledger = z
  .strictObject({
    /** Final sales older than this are pruned, keeping the file bounded. */
    retention_days: z.number().int().min(1).max(3650).default(90),
    /**
     * A corrupt ledger is always moved aside (never deleted). `refuse`: take no sales until a person
     * has looked; `start-new`: start an empty ledger at once.
     */
    on_corrupt: z.enum(['refuse', 'start-new']).default('refuse'),
  })
  .prefault({});

const receipts = z
  .strictObject({
    /** A pending or offline sale that resolves later gets a result receipt (结果通知 / Result update). */
    print_resolution: z.boolean().default(true),
  })
  .prefault({});

/** Ledger backups: `xpos-agent ledger backup`, run daily by xpos-agent-backup.timer. */
const backup = z
  .strictObject({
    /** A folder; a different disk (a USB stick) survives the SD card. The unit must be allowed to write it. */
    dir: z
      .string()
      .regex(/^\/.*[^/]$|^\/$/, 'expected an absolute path to a folder, e.g. /var/lib/xpos-agent-backups')
      .refine((p) => !p.endsWith('.db'), { error: 'expected a folder, not a .db file name' })
      .default('/var/lib/xpos-agent-backups'),
    /** Copies kept in the folder, newest first; older ones are deleted after each backup. */
    keep: z.number().int().min(1).max(365).default(7),
  })
  .prefault({});

const paths = z.strictObject({ state_dir: z.string().min(1).default('/var/lib/xpos-agent') }).prefault({});

/**
 * Optional Prometheus textfile for node_exporter's textfile collector (no port is opened). Under
 * systemd use /run/xpos-agent/, which the unit creates readable by the collector.
 */
const metrics = z
  .strictObject({
    textfile: z
      .string()
      .regex(
        /^\/\S+\.prom$/,
        'expected an absolute path ending in .prom, e.g. /run/xpos-agent/xpos_agent.prom',
      )
      .optional(),
    interval_ms: ms(1_000, 600_000, 15_000),
  })
  .prefault({});

const log = z
  .strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info') })
  .prefault({});

export const configSchema = z.strictObject({
  gateway,
  store,
  price,
  presets,
  kiosk,
  payment,
  keypad,
  devices: devicesSchema,
  offline,
  ledger,
  receipts,
  backup,
  paths,
  metrics,
  log,
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
