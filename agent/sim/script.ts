/**
 * Line commands that play a member at the kiosk: `key 1 2 ENTER`, `scan CODE`, `demo s`,
 * `wait 500`, `quit`. The simulator reads them from a piped stdin; `run` with script devices
 * reads them the same way, which is how the crash harness drives a real daemon.
 */
import { isKeyName } from '../../config/keys.js';
import type { SimKeypad } from '../../drivers/keypad/sim.js';
import type { SimScanner } from '../../drivers/scanner/sim.js';

export interface ScriptTargets {
  keypad: SimKeypad;
  scanner: SimScanner;
  scanDemo: (key: string) => boolean;
  note: (line: string) => void;
}

/** Line commands for a piped stdin: a scripted member. */
export async function runScript(lines: AsyncIterable<string>, t: ScriptTargets): Promise<void> {
  for await (const raw of lines) {
    const [cmd = '', ...rest] = raw.trim().split(/\s+/);
    const arg = rest.join(' ');
    switch (cmd) {
      case '':
      case '#':
        break;
      case 'key':
        for (const k of arg.split(/\s+/)) {
          if (isKeyName(k)) t.keypad.press(k);
          else t.note(`unknown key ${JSON.stringify(k)}`);
        }
        break;
      case 'scan':
        t.scanner.scan(arg);
        break;
      case 'demo':
        if (!t.scanDemo(arg)) t.note(`unknown demo code ${JSON.stringify(arg)}`);
        break;
      case 'wait':
        await new Promise((r) => setTimeout(r, Math.min(Number(arg) || 0, 120_000)));
        break;
      case 'quit':
        return;
      default:
        t.note(`unknown command ${JSON.stringify(cmd)} (key, scan, demo, wait, quit)`);
    }
  }
}
