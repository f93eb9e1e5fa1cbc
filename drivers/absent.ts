import { EventEmitter } from 'node:events';
import type { DeviceStatus } from './device.js';
import type { Feedback } from './feedback/types.js';
import type { Keypad } from './keypad/types.js';
import type { PrintDocument } from './printer/document.js';
import type { Printer, PrinterStatus } from './printer/types.js';
import type { Scanner } from './scanner/types.js';

/**
 * Stand-ins for devices that are not configured. They report `absent` honestly so the runtime can
 * refuse what cannot complete, and the daemon keeps running for what can.
 */
class AbsentInput extends EventEmitter {
  constructor(readonly name: string) {
    super();
  }
  start(): Promise<void> {
    this.emit('state', this.status());
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  status(): DeviceStatus {
    return { device: this.name, state: 'absent', detail: 'not configured (devices section)' };
  }
}

export class AbsentKeypad extends AbsentInput implements Keypad {
  constructor() {
    super('keypad');
  }
}

export class AbsentScanner extends AbsentInput implements Scanner {
  constructor() {
    super('scanner');
  }
}

export class AbsentPrinter extends EventEmitter implements Printer {
  readonly name = 'printer';
  start(): Promise<void> {
    this.emit('state', this.status());
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  status(): DeviceStatus {
    return { device: this.name, state: 'absent', detail: 'not configured (devices.printer)' };
  }
  print(_doc: PrintDocument): Promise<void> {
    return Promise.reject(new Error('no printer configured'));
  }
  query(): Promise<PrinterStatus> {
    return Promise.resolve({ paper: 'unknown', coverOpen: 'unknown' });
  }
}

/** No buzzer or LEDs wired: signals go nowhere, which is a valid kiosk. */
export class NoFeedback implements Feedback {
  readonly name = 'feedback';
  start(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  status(): DeviceStatus {
    return { device: this.name, state: 'absent', detail: 'no pins configured' };
  }
  signal(): void {
    // Deliberately nothing: feedback is optional hardware.
  }
}
