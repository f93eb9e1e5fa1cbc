import { EventEmitter } from 'node:events';
import type { DeviceStatus } from '../device.js';
import type { KeyName, Keypad } from './types.js';

/**
 * The simulator's keypad: the terminal (or a script) calls `press`. It is a device like any other,
 * so the runtime cannot tell it from the GPIO matrix.
 */
export class SimKeypad extends EventEmitter implements Keypad {
  readonly name = 'keypad';
  #open = false;

  start(): Promise<void> {
    this.#open = true;
    this.emit('state', this.status());
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#open = false;
    return Promise.resolve();
  }

  status(): DeviceStatus {
    return { device: this.name, state: this.#open ? 'online' : 'offline', detail: 'simulated' };
  }

  press(key: KeyName): void {
    if (this.#open) this.emit('key', key);
  }
}
