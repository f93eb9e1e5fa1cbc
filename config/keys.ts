/**
 * Key names as printed on the key caps. A 4x4 matrix has 0-9, A-D, * and #; a USB numeric keypad
 * adds '.', ENTER, BACKSPACE and ESC. Shared by the config schema (keymap) and the keypad drivers.
 */
export const KEY_NAMES = [
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
  'A', 'B', 'C', 'D', '*', '#', '.', 'ENTER', 'BACKSPACE', 'ESC',
] as const; // prettier-ignore
export type KeyName = (typeof KEY_NAMES)[number];

export function isKeyName(s: string): s is KeyName {
  return (KEY_NAMES as readonly string[]).includes(s);
}
