/**
 * The `devices` section: which driver runs each device and how it is wired. An absent entry means
 * the device is not fitted. `sim` devices are the simulator's twins (under `run` the keypad and
 * scanner twins read line commands from stdin). Pins are BCM numbers, as printed on Pi pinout
 * charts; the agent adds the gpiochip base the kernel uses.
 */
import { z } from 'zod';
import { KEY_NAMES, type KeyName } from './keys.js';

const devicePath = z.string().regex(/^\/\S+$/, 'expected an absolute device path such as /dev/xpos-scanner');
/** BCM 0..27 on the 40-pin header (the SoCs have more lines, none of them on the header). */
const bcm = z.number().int().min(0).max(27);
const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;
const baud = z.number().refine((n) => (BAUD_RATES as readonly number[]).includes(n), {
  error: `expected one of ${BAUD_RATES.join(', ')}`,
});

export const TERMINATORS = { cr: '\r', lf: '\n', crlf: '\r\n' } as const;
/** Codes a kiosk scanner may deliver; `printable` is visible ASCII (payment and member codes). */
export const CHARSETS = {
  digits: /^[0-9]+$/,
  alphanumeric: /^[0-9A-Za-z]+$/,
  printable: /^[\x21-\x7e]+$/,
} as const;

const sim = z.strictObject({ type: z.literal('sim') });

const serialScanner = z.strictObject({
  type: z.literal('serial'),
  path: devicePath,
  baud: baud.default(9600),
  terminator: z.enum(['cr', 'lf', 'crlf']).default('cr'),
  /** Framing some scanners add; when set, a line without it is rejected as noise. */
  prefix: z.string().min(1).max(16).optional(),
  suffix: z.string().min(1).max(16).optional(),
  min_length: z.number().int().min(1).max(512).default(6),
  max_length: z.number().int().min(1).max(512).default(128),
  charset: z.enum(['digits', 'alphanumeric', 'printable']).default('printable'),
  /** A partial line left this long without its terminator is noise. */
  stale_ms: z.number().int().min(50).max(10_000).default(1_000),
});

const LAYOUTS = ['4x4', '4x3'] as const;
const matrixKeypad = z.strictObject({
  type: z.literal('gpio-matrix'),
  rows: z.array(bcm).min(1).max(8),
  cols: z.array(bcm).min(1).max(8),
  /** `4x4`, `4x3`, or the key caps row by row, e.g. [[1,2,3,A],[4,5,6,B],...]. */
  layout: z
    .union(
      [z.enum(LAYOUTS), z.array(z.array(z.union([z.enum(KEY_NAMES), z.number().int().min(0).max(9)])))],
      { error: `expected 4x4, 4x3, or rows of key caps (${KEY_NAMES.join(' ')})` },
    )
    .default('4x4'),
  debounce_ms: z.number().int().min(5).max(200).default(20),
  scan_interval_ms: z.number().int().min(1).max(50).default(5),
});

const evdevKeypad = z.strictObject({
  type: z.literal('evdev'),
  path: devicePath,
  /** Linux key codes (see linux/input-event-codes.h) to key caps, added to the built-in map. */
  keycodes: z
    .record(z.string().regex(/^\d{1,4}$/, 'expected a numeric key code'), z.enum(KEY_NAMES))
    .optional(),
  /** struct input_event size; default from this machine (64 unless a 32-bit userland). */
  word_size: z.union([z.literal(32), z.literal(64)]).optional(),
});

const printerCommon = {
  columns: z.union([z.literal(32), z.literal(48)]).default(32),
  cut: z.enum(['partial', 'full', 'none']).default('partial'),
  qr_size: z.number().int().min(1).max(16).default(6),
  qr_error_level: z.enum(['L', 'M', 'Q', 'H']).default('M'),
  /** Pulse the cash-drawer kick-out after each receipt. A kiosk has no drawer: off by default. */
  cash_drawer: z.boolean().default(false),
  status_timeout_ms: z.number().int().min(50).max(5_000).default(500),
};

const printer = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('sim'), columns: printerCommon.columns }),
  z.strictObject({ type: z.literal('usblp'), path: devicePath.default('/dev/usb/lp0'), ...printerCommon }),
  z.strictObject({ type: z.literal('serial'), path: devicePath, baud: baud.default(9600), ...printerCommon }),
  z.strictObject({
    type: z.literal('tcp'),
    host: z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'expected a host name or IP address'),
    port: z.number().int().min(1).max(65_535).default(9100),
    ...printerCommon,
  }),
  /** Writes the ESC/POS bytes to a file: for trying the encoder without a printer. */
  z.strictObject({ type: z.literal('file'), path: z.string().min(1), ...printerCommon }),
]);

const feedback = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('sim') }),
  z.strictObject({
    type: z.literal('gpio'),
    buzzer: bcm.optional(),
    green: bcm.optional(),
    red: bcm.optional(),
    /** The pins sink current (LED to 3.3 V): 0 lights them. */
    active_low: z.boolean().default(false),
  }),
]);

const display = z.discriminatedUnion('type', [
  sim,
  z.strictObject({
    type: z.literal('tty'),
    /** A Linux virtual console on the HDMI/DSI screen, or the pty an fbterm/kmscon session relays. */
    path: devicePath.default('/dev/tty1'),
    /** The terminal draws Chinese (fbterm, kmscon). A plain VT's font cannot: English words only. */
    cjk: z.boolean().default(false),
    /** Override the size the terminal reports (a relayed pty reports none). */
    columns: z.number().int().min(16).max(400).optional(),
    rows: z.number().int().min(4).max(200).optional(),
  }),
  /** The 128x64 ST7920 LCD with its GB2312 font, on /dev/spidev<bus>.<device>. */
  z.strictObject({
    type: z.literal('st7920'),
    bus: z.number().int().min(0).max(9).default(0),
    device: z.number().int().min(0).max(9).default(0),
    /** The ST7920 is specified to about 500 kHz on long module cables; 2 MHz is its ceiling. */
    speed_hz: z.number().int().min(10_000).max(2_000_000).default(500_000),
    spi_mode: z.union([z.literal(0), z.literal(3)]).default(3),
  }),
]);

export const devicesSchema = z
  .strictObject({
    scanner: z.discriminatedUnion('type', [sim, serialScanner]).optional(),
    keypad: z.discriminatedUnion('type', [sim, matrixKeypad, evdevKeypad]).optional(),
    printer: printer.optional(),
    feedback: feedback.optional(),
    /** The member's screen; absent = no screen, sales go on with beeps and LEDs. */
    display: display.optional(),
    /**
     * Which gpiochip holds the header pins. By default the one labelled pinctrl-bcm2835 (Pi 0-3),
     * pinctrl-bcm2711 (Pi 4) or pinctrl-rp1 (Pi 5); `chip_base` overrides the lookup.
     */
    gpio: z
      .strictObject({
        chip_label: z.string().min(1).max(64).optional(),
        chip_base: z.number().int().min(0).max(4096).optional(),
      })
      .prefault({}),
  })
  .prefault({});

export type DevicesConfig = z.output<typeof devicesSchema>;

export const LAYOUT_KEYS: Record<(typeof LAYOUTS)[number], readonly (readonly KeyName[])[]> = {
  '4x4': [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
  ],
  '4x3': [
    ['1', '2', '3'],
    ['4', '5', '6'],
    ['7', '8', '9'],
    ['*', '0', '#'],
  ],
};

/** The key caps of a matrix layout, row by row (digits written as YAML numbers become strings). */
export function layoutKeys(layout: DevicesConfig['keypad'] & { type: 'gpio-matrix' }): KeyName[][] {
  const l = layout.layout;
  if (typeof l === 'string') return LAYOUT_KEYS[l].map((row) => [...row]);
  return l.map((row) => row.map((k) => String(k) as KeyName));
}

export interface DeviceProblem {
  key: string;
  value: unknown;
  expected: string;
}

/** Rules across keys of the devices section: sizes that must agree, pins used twice. */
export function checkDevices(d: DevicesConfig): DeviceProblem[] {
  const problems: DeviceProblem[] = [];
  const s = d.scanner;
  if (s?.type === 'serial' && s.min_length > s.max_length) {
    problems.push({
      key: 'devices.scanner.min_length',
      value: s.min_length,
      expected: `at most devices.scanner.max_length (${s.max_length})`,
    });
  }
  const pins = new Map<number, string>();
  const claim = (pin: number | undefined, key: string): void => {
    if (pin === undefined) return;
    const other = pins.get(pin);
    if (other !== undefined) {
      problems.push({ key, value: pin, expected: `a pin not already used by ${other}` });
    } else pins.set(pin, key);
  };
  const k = d.keypad;
  if (k?.type === 'gpio-matrix') {
    k.rows.forEach((p, i) => claim(p, `devices.keypad.rows.${i}`));
    k.cols.forEach((p, i) => claim(p, `devices.keypad.cols.${i}`));
    const keys = layoutKeys(k);
    const fits = keys.length === k.rows.length && keys.every((row) => row.length === k.cols.length);
    if (!fits) {
      problems.push({
        key: 'devices.keypad.layout',
        value: typeof k.layout === 'string' ? k.layout : `${keys.length} rows`,
        expected: `${k.rows.length} rows of ${k.cols.length} keys (one per row and column pin)`,
      });
    }
  }
  const f = d.feedback;
  if (f?.type === 'gpio') {
    claim(f.buzzer, 'devices.feedback.buzzer');
    claim(f.green, 'devices.feedback.green');
    claim(f.red, 'devices.feedback.red');
    if (f.buzzer === undefined && f.green === undefined && f.red === undefined) {
      problems.push({
        key: 'devices.feedback',
        value: 'gpio',
        expected: 'at least one of buzzer, green, red (or remove the entry)',
      });
    }
  }
  return problems;
}
