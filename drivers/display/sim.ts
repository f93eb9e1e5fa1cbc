import { EventEmitter } from 'node:events';
import type { DeviceStatus } from '../device.js';
import type { Display, DisplayView } from './types.js';

/**
 * The simulator's screen: hands every view to the terminal, which lays it out with the same
 * text-screen code as the console backend. Under `run` (scripted devices) it only keeps the view.
 */
export class SimDisplay extends EventEmitter implements Display {
  readonly name = 'display';
  /** The view on screen now. */
  view: DisplayView | undefined;
  readonly #output: ((view: DisplayView) => void) | undefined;

  constructor(output?: (view: DisplayView) => void) {
    super();
    this.#output = output;
  }

  start(): Promise<void> {
    this.emit('state', this.status());
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  status(): DeviceStatus {
    return { device: this.name, state: 'online', detail: 'simulated' };
  }

  show(view: DisplayView): void {
    this.view = view;
    this.#output?.(view);
  }
}
