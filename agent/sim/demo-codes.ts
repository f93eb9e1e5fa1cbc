/**
 * Codes the simulator "scans". Each press makes a fresh code (payment codes are single-use), shaped
 * so the embedded sandbox gives the documented demo behaviour (see agent/sandbox/behaviour.ts).
 */
import { randomInt } from 'node:crypto';

export interface DemoCode {
  key: string;
  /**
   * What the embedded sandbox answers for such a code ("the sandbox pays it"). Not what happened:
   * the kiosk may refuse the scan (idle, typing a price, paying) and then nothing is paid.
   */
  answer: string;
  /** For the simulator's key line (80 columns hold all five). */
  short: string;
  make: () => string;
}

function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 1) s += String(randomInt(10));
  return s;
}

export const DEMO_SCANS: readonly DemoCode[] = [
  { key: 's', answer: 'the sandbox pays it', short: 'paid', make: () => `28${digits(16)}` },
  { key: 'f', answer: 'the sandbox declines it', short: 'declined', make: () => `F${digits(17)}` },
  {
    key: 'p',
    answer: 'the sandbox holds it pending, then pays it',
    short: 'pending→paid',
    make: () => `28${digits(12)}0000`,
  },
  {
    key: 'x',
    answer: 'the sandbox holds it pending, then fails it',
    short: 'pending→failed',
    make: () => `28${digits(12)}9999`,
  },
  {
    key: 'm',
    answer: 'a member code, the sandbox pays it',
    short: 'member code',
    make: () => `M${digits(11)}`,
  },
];

/**
 * The simulator's line for a demo scan: the code masked (first two, last four characters) and what
 * the sandbox will answer if the kiosk takes the scan. It never says the payment happened.
 */
export function demoScanNote(demo: DemoCode, code: string): string {
  return `demo code ${code.slice(0, 2)}…${code.slice(-4)}: ${demo.answer}`;
}
