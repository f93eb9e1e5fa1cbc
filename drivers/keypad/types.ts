import type { Device, DeviceStatus } from '../device.js';

/**
 * Key names, as printed on the key caps. A 4x4 matrix has 0-9, A-D, * and #; a USB numeric keypad
 * adds '.', ENTER, BACKSPACE and ESC. What each key does is the agent's business (config keymap).
 */
export const KEY_NAMES = [
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
  'A', 'B', 'C', 'D', '*', '#', '.', 'ENTER', 'BACKSPACE', 'ESC',
] as const; // prettier-ignore
export type KeyName = (typeof KEY_NAMES)[number];

export function isKeyName(s: string): s is KeyName {
  return (KEY_NAMES as readonly string[]).includes(s);
}

/**
 * A keypad emits one `key` per press (debounced, ghosts rejected, no autorepeat) and a `state`
 * whenever the device goes online or offline.
 */
export interface Keypad extends Device {
  on(event: 'key', listener: (key: KeyName) => void): this;
  on(event: 'state', listener: (status: DeviceStatus) => void): this;
  off(event: 'key', listener: (key: KeyName) => void): this;
  off(event: 'state', listener: (status: DeviceStatus) => void): this;
}
