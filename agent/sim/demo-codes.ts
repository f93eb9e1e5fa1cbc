/**
 * Codes the simulator "scans". Each press makes a fresh code (payment codes are single-use), shaped
 * so the embedded sandbox gives the documented demo behaviour (see agent/sandbox/behaviour.ts).
 */
import { randomInt } from 'node:crypto';

export interface DemoCode {
  key: string;
  label: string;
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
  { key: 's', label: 'payment code → paid', short: 'paid', make: () => `28${digits(16)}` },
  { key: 'f', label: 'F… code → declined', short: 'declined', make: () => `F${digits(17)}` },
  { key: 'p', label: '…0000 → pending, then paid', short: 'pending→paid', make: () => `28${digits(12)}0000` },
  {
    key: 'x',
    label: '…9999 → pending, then failed',
    short: 'pending→failed',
    make: () => `28${digits(12)}9999`,
  },
  { key: 'm', label: 'M… member code → paid', short: 'member code', make: () => `M${digits(11)}` },
];
