/**
 * What the devices last said about themselves. The runtime reacts to changes (feedback, printing
 * what waited for the printer, the service verdict); this keeps the states, drops repeats and logs
 * each real change once.
 */
import type { DeviceStatus } from '../drivers/device.js';
import type { Logger } from './log.js';
import type { Devices } from './runtime.js';

export class DeviceWatch {
  readonly #devices: Devices;
  readonly #log: Logger;
  readonly #onChange: (status: DeviceStatus) => void;
  readonly #states = new Map<string, DeviceStatus>();

  constructor(devices: Devices, log: Logger, onChange: (status: DeviceStatus) => void) {
    this.#devices = devices;
    this.#log = log;
    this.#onChange = onChange;
  }

  attach(): void {
    for (const d of this.#watched()) d.on('state', this.#onState);
  }

  detach(): void {
    for (const d of this.#watched()) d.off('state', this.#onState);
  }

  /** After start-up: take each device's own word for where it stands, events or not. */
  settle(): void {
    for (const d of this.#watched()) this.#states.set(d.name, d.status());
  }

  /** The devices that report states; the display only when one is wired in. */
  #watched() {
    const { printer, scanner, keypad, display } = this.#devices;
    return [printer, scanner, keypad, ...(display ? [display] : [])];
  }

  get(name: string): DeviceStatus | undefined {
    return this.#states.get(name);
  }

  list(): DeviceStatus[] {
    return [...this.#states.values()];
  }

  readonly #onState = (status: DeviceStatus): void => {
    const before = this.#states.get(status.device);
    this.#states.set(status.device, status);
    if (before?.state === status.state && before.detail === status.detail) return;
    const level = status.state === 'online' ? 'info' : 'warn';
    this.#log[level]({ device: status.device, state: status.state, detail: status.detail }, 'device state');
    this.#onChange(status);
  };
}
