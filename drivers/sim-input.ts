import { EventEmitter } from 'node:events';
import type { DeviceStatus } from './device.js';

/**
 * What the simulator's input twins share: open/closed state and the `state` event. Input is only
 * emitted while open, like a real device that was unplugged.
 */
export abstract class SimInput extends EventEmitter {
  abstract readonly name: string;
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

  protected input(event: string, value: string): void {
    if (this.#open) this.emit(event, value);
  }
}
