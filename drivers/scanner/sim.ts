import { SimInput } from '../sim-input.js';
import type { Scanner } from './types.js';

/** The simulator's scanner: the terminal (or a script) calls `scan` with a whole code. */
export class SimScanner extends SimInput implements Scanner {
  readonly name = 'scanner';

  scan(code: string): void {
    this.input('scan', code);
  }
}
