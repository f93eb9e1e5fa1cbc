import { SimInput } from '../sim-input.js';
import type { KeyName, Keypad } from './types.js';

/**
 * The simulator's keypad: the terminal (or a script) calls `press`. It is a device like any other,
 * so the runtime cannot tell it from the GPIO matrix.
 */
export class SimKeypad extends SimInput implements Keypad {
  readonly name = 'keypad';

  press(key: KeyName): void {
    this.input('key', key);
  }
}
