import type { KeyName } from '../../config/keys.js';

/**
 * Linux key codes (include/uapi/linux/input-event-codes.h) the kiosk understands. USB numeric
 * keypads send KEY_KP*; the kernel's gpio-matrix-keypad sends whatever its DT `linux,keymap` says,
 * typically KEY_NUMERIC_* (the phone-keypad codes, which have a '#' and A-D of their own).
 */
export const LINUX_KEY = {
  KEY_ESC: 1,
  KEY_1: 2,
  KEY_2: 3,
  KEY_3: 4,
  KEY_4: 5,
  KEY_5: 6,
  KEY_6: 7,
  KEY_7: 8,
  KEY_8: 9,
  KEY_9: 10,
  KEY_0: 11,
  KEY_BACKSPACE: 14,
  KEY_ENTER: 28,
  KEY_A: 30,
  KEY_D: 32,
  KEY_C: 46,
  KEY_B: 48,
  KEY_DOT: 52,
  KEY_KPASTERISK: 55,
  KEY_NUMLOCK: 69,
  KEY_KP7: 71,
  KEY_KP8: 72,
  KEY_KP9: 73,
  KEY_KPMINUS: 74,
  KEY_KP4: 75,
  KEY_KP5: 76,
  KEY_KP6: 77,
  KEY_KPPLUS: 78,
  KEY_KP1: 79,
  KEY_KP2: 80,
  KEY_KP3: 81,
  KEY_KP0: 82,
  KEY_KPDOT: 83,
  KEY_KPENTER: 96,
  KEY_KPSLASH: 98,
  KEY_NUMERIC_0: 0x200,
  KEY_NUMERIC_1: 0x201,
  KEY_NUMERIC_2: 0x202,
  KEY_NUMERIC_3: 0x203,
  KEY_NUMERIC_4: 0x204,
  KEY_NUMERIC_5: 0x205,
  KEY_NUMERIC_6: 0x206,
  KEY_NUMERIC_7: 0x207,
  KEY_NUMERIC_8: 0x208,
  KEY_NUMERIC_9: 0x209,
  KEY_NUMERIC_STAR: 0x20a,
  KEY_NUMERIC_POUND: 0x20b,
  KEY_NUMERIC_A: 0x20c,
  KEY_NUMERIC_B: 0x20d,
  KEY_NUMERIC_C: 0x20e,
  KEY_NUMERIC_D: 0x20f,
} as const;

export type LinuxKeyName = keyof typeof LINUX_KEY;

/** For config that names codes ("KEY_KPSLASH") rather than numbers. */
export function linuxKeyCode(name: string): number | undefined {
  return Object.hasOwn(LINUX_KEY, name) ? LINUX_KEY[name as LinuxKeyName] : undefined;
}

const K = LINUX_KEY;
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
const LETTERS = ['A', 'B', 'C', 'D'] as const;

/**
 * Default map. A USB numeric keypad has no '#' key: KEY_KPSLASH ('/', top row next to NumLock) is
 * taken as '#', and KEY_KPMINUS / KEY_KPPLUS are left unmapped so a stray press does nothing.
 * Letters A-D come from a full keyboard or from KEY_NUMERIC_A-D. Override per code in config.
 */
export const DEFAULT_EVDEV_KEYMAP: Readonly<Partial<Record<number, KeyName>>> =
  Object.freeze(defaultKeymap());

function defaultKeymap(): Partial<Record<number, KeyName>> {
  const map: Partial<Record<number, KeyName>> = {
    [K.KEY_KPENTER]: 'ENTER',
    [K.KEY_ENTER]: 'ENTER',
    [K.KEY_KPDOT]: '.',
    [K.KEY_DOT]: '.',
    [K.KEY_BACKSPACE]: 'BACKSPACE',
    [K.KEY_ESC]: 'ESC',
    [K.KEY_KPASTERISK]: '*',
    [K.KEY_NUMERIC_STAR]: '*',
    [K.KEY_KPSLASH]: '#',
    [K.KEY_NUMERIC_POUND]: '#',
  };
  for (const d of DIGITS) {
    map[K[`KEY_KP${d}`]] = d;
    map[K[`KEY_${d}`]] = d;
    map[K[`KEY_NUMERIC_${d}`]] = d;
  }
  for (const l of LETTERS) {
    map[K[`KEY_${l}`]] = l;
    map[K[`KEY_NUMERIC_${l}`]] = l;
  }
  return map;
}

/**
 * Codes that are expected and meaningless to the kiosk: USB keypads send NumLock on their own (some
 * toggle it at plug-in), so these are dropped without a log line.
 */
export const IGNORED_KEYCODES: ReadonlySet<number> = new Set([K.KEY_NUMLOCK, K.KEY_KPPLUS, K.KEY_KPMINUS]);
