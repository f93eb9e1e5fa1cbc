import type { DeviceStatus } from '../device.js';
import type { Feedback, FeedbackPattern } from './types.js';

/** Shows beeps and LEDs as words on the simulator's screen, and remembers them for scripts. */
export class SimFeedback implements Feedback {
  readonly name = 'feedback';
  /** The last signals, newest last (bounded). */
  readonly signals: FeedbackPattern[] = [];
  readonly #output: ((pattern: FeedbackPattern) => void) | undefined;

  constructor(output?: (pattern: FeedbackPattern) => void) {
    this.#output = output;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  status(): DeviceStatus {
    return { device: this.name, state: 'online', detail: 'simulated' };
  }

  signal(pattern: FeedbackPattern): void {
    this.signals.push(pattern);
    if (this.signals.length > 200) this.signals.shift();
    this.#output?.(pattern);
  }
}
