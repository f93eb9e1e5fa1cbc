import { EventEmitter } from 'node:events';
import type { DeviceStatus } from '../device.js';
import type { Scanner } from './types.js';

/** The simulator's scanner: the terminal (or a script) calls `scan` with a whole code. */
export class SimScanner extends EventEmitter implements Scanner {
  readonly name = 'scanner';
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

  scan(code: string): void {
    if (this.#open) this.emit('scan', code);
  }
}
