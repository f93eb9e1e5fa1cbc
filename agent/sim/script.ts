/**
 * Line commands that play a member at the kiosk: `key 1 2 ENTER`, `scan CODE`, `demo s`,
 * `wait 500`, `quit`. The simulator reads them from a piped stdin; `run` with script devices
 * reads them the same way, which is how the crash harness drives a real daemon.
 *
 * A line that does not parse stops the script with a ScriptLineError naming the line: a script
 * that silently skipped `wait abc` would go on to test something other than what its author wrote.
 */
import { isKeyName, type KeyName } from '../../config/keys.js';
import type { SimKeypad } from '../../drivers/keypad/sim.js';
import type { SimScanner } from '../../drivers/scanner/sim.js';

export interface ScriptTargets {
  keypad: SimKeypad;
  scanner: SimScanner;
  scanDemo: (key: string) => boolean;
  note: (line: string) => void;
}

/** The longest `wait` a script may ask for: longer is a typo, not a test. */
export const MAX_WAIT_MS = 120_000;

export class ScriptLineError extends Error {
  readonly line: number;
  constructor(line: number, text: string, why: string) {
    super(`script line ${line}: ${JSON.stringify(text.trim())} — ${why}`);
    this.name = 'ScriptLineError';
    this.line = line;
  }
}

export type ScriptStep =
  | { cmd: 'none' }
  | { cmd: 'key'; keys: KeyName[] }
  | { cmd: 'scan'; code: string }
  | { cmd: 'demo'; key: string }
  | { cmd: 'wait'; ms: number }
  | { cmd: 'quit' };

/** One line parsed, or why it is not a command (the caller adds the line number). */
export function parseLine(raw: string): ScriptStep | { error: string } {
  const [cmd = '', ...rest] = raw.trim().split(/\s+/);
  const arg = rest.join(' ');
  switch (cmd) {
    case '':
      return { cmd: 'none' };
    case 'key': {
      // The preset letters as on the simulator's keyboard: `key b` is `key B`. Nothing else is folded.
      const keys = rest.map((k) => (/^[a-d]$/.test(k) ? k.toUpperCase() : k));
      const bad = keys.filter((k) => !isKeyName(k));
      if (keys.length === 0) return { error: 'key needs one or more keys (0-9 A-D . ENTER ESC …)' };
      if (bad.length > 0) return { error: `unknown key ${JSON.stringify(bad[0])}` };
      return { cmd: 'key', keys: keys as KeyName[] };
    }
    case 'scan':
      return arg === '' ? { error: 'scan needs a code' } : { cmd: 'scan', code: arg };
    case 'demo':
      return arg === '' ? { error: 'demo needs a demo code letter' } : { cmd: 'demo', key: arg };
    case 'wait': {
      if (!/^\d+$/.test(arg)) return { error: 'wait needs whole milliseconds, e.g. wait 500' };
      const ms = Number(arg);
      if (ms > MAX_WAIT_MS) return { error: `wait at most ${MAX_WAIT_MS} ms` };
      return { cmd: 'wait', ms };
    }
    case 'quit':
      return rest.length === 0 ? { cmd: 'quit' } : { error: 'quit takes nothing after it' };
    default:
      if (cmd.startsWith('#')) return { cmd: 'none' };
      return { error: `unknown command ${JSON.stringify(cmd)} (key, scan, demo, wait, quit)` };
  }
}

/** Line commands for a piped stdin: a scripted member. Rejects with ScriptLineError on a bad line. */
export async function runScript(lines: AsyncIterable<string>, t: ScriptTargets): Promise<void> {
  let n = 0;
  for await (const raw of lines) {
    n += 1;
    const step = parseLine(raw);
    if ('error' in step) throw new ScriptLineError(n, raw, step.error);
    switch (step.cmd) {
      case 'none':
        break;
      case 'key':
        for (const k of step.keys) t.keypad.press(k);
        break;
      case 'scan':
        t.scanner.scan(step.code);
        break;
      case 'demo':
        if (!t.scanDemo(step.key)) {
          throw new ScriptLineError(n, raw, `unknown demo code ${JSON.stringify(step.key)}`);
        }
        break;
      case 'wait':
        await new Promise((r) => setTimeout(r, step.ms));
        break;
      case 'quit':
        return;
    }
  }
}
