/**
 * What the simulator draws: the key map, the kiosk's screen, the last receipt and recent events.
 * Pure: it returns the text of one frame; the terminal decides how to put it on the tty.
 */
import type { KioskView } from '../kiosk/view.js';
import { DEMO_SCANS } from './demo-codes.js';

export interface SimFrame {
  gatewayUrl: string;
  view: KioskView;
  receipt: string | undefined;
  events: readonly string[];
  typing: string | undefined;
  presets: readonly string[];
}

const KEYMAP = [
  'Keypad      0-9 digits   .  decimal   Enter/# confirm   Backspace   * clear   Esc cancel',
  'Presets     a b c d',
  `Scan        ${DEMO_SCANS.slice(0, 3)
    .map((d) => `${d.key} ${d.label}`)
    .join('   ')}`,
  `            ${DEMO_SCANS.slice(3)
    .map((d) => `${d.key} ${d.label}`)
    .join('   ')}`,
  'Other       t type a code   r reprint last receipt   q quit',
];

export function renderFrame(f: SimFrame): string {
  const out: string[] = [];
  out.push(`xpos-agent simulator — sandbox gateway ${f.gatewayUrl}`);
  out.push('─'.repeat(78));
  out.push(...KEYMAP);
  if (f.presets.length > 0) out.push(`            ${f.presets.join('   ')}`);
  out.push('─'.repeat(78));
  out.push(`  ${f.view.title}`);
  for (const line of f.view.lines) out.push(`  ${line}`);
  if (f.typing !== undefined) out.push(`  Scan code: ${f.typing}_   (Enter to scan, Esc to cancel)`);
  out.push('─'.repeat(78));
  if (f.receipt !== undefined) {
    out.push('Last receipt:');
    out.push(...f.receipt.split('\n'));
  }
  if (f.events.length > 0) {
    out.push('Events:');
    for (const e of f.events) out.push(`  ${e}`);
  }
  return out.join('\n');
}
