/**
 * `xpos-agent sim`: the real agent with terminal twins of the devices. On a tty the keyboard is the
 * keypad and single keys "scan" demo codes; with piped stdin each line is a command
 * (`key 1`, `scan CODE`, `demo s`, `wait 500`, `quit`) so the simulator can be scripted.
 */
import { emitKeypressEvents } from 'node:readline';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import { isKeyName, type KeyName } from '../../config/keys.js';
import { SimFeedback } from '../../drivers/feedback/sim.js';
import { SimKeypad } from '../../drivers/keypad/sim.js';
import { SimPrinter } from '../../drivers/printer/sim.js';
import { SimScanner } from '../../drivers/scanner/sim.js';
import { startAgent } from '../app.js';
import type { KioskView } from '../kiosk/view.js';
import type { Logger } from '../log.js';
import { formatYuan } from '../money.js';
import { presetsOf } from '../settings.js';
import { DEMO_SCANS } from './demo-codes.js';
import { renderFrame } from './screen.js';
import { runScript } from './script.js';

interface Key {
  name?: string;
  sequence?: string;
  ctrl?: boolean;
}

export interface SimOptions {
  config: Config;
  log: Logger;
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
}

/** Runs until the user quits; resolves after an orderly shutdown. */
export async function runSimulator(opts: SimOptions): Promise<void> {
  const { config, log, input, output } = opts;
  const tty = input.isTTY && output.isTTY;
  const keypad = new SimKeypad();
  const scanner = new SimScanner();
  const events: string[] = [];
  let receipt: string | undefined;
  let view: KioskView = { title: 'starting…', lines: [] };
  let typing: string | undefined;
  let gatewayUrl = '…';

  const note = (line: string): void => {
    events.push(`${new Date().toLocaleTimeString('en-GB')}  ${line}`);
    if (events.length > 6) events.shift();
    if (!tty) output.write(`${line}\n`);
    draw();
  };
  const presets = presetsOf(config).map(
    (p) => `${p.key.toLowerCase()}: ${p.label} ￥${formatYuan(p.priceFen)}`,
  );
  let drawQueued = false;
  function draw(): void {
    if (!tty || drawQueued) return;
    drawQueued = true;
    setImmediate(() => {
      drawQueued = false;
      const frame = renderFrame({
        gatewayUrl,
        view,
        receipt,
        events,
        typing,
        presets,
      });
      output.write(`\x1b[H\x1b[2J${frame}\n`);
    });
  }

  const printer = new SimPrinter({
    columns: config.devices.printer?.columns ?? 32,
    dir: join(config.paths.state_dir, 'receipts'),
    output: (text) => {
      receipt = text;
      if (!tty) output.write(`${text}\n`);
      draw();
    },
  });
  const feedback = new SimFeedback((pattern) => {
    if (pattern !== 'key') note(`feedback: ${pattern}`);
  });

  const agent = await startAgent({
    config,
    log,
    devices: { keypad, scanner, printer, feedback },
    onView: (v) => {
      const changed = v.title !== view.title;
      view = v;
      if (changed && !tty) output.write(`[${v.title}] ${v.lines.join(' | ')}\n`);
      draw();
    },
    onResolved: (sale) => {
      note(`sale ${sale.saleId} (${sale.outBizId}) resolved later: ${sale.status}`);
    },
  });
  gatewayUrl = agent.gatewayUrl;
  note(
    `sandbox gateway at ${agent.gatewayUrl}; receipts saved under ${join(config.paths.state_dir, 'receipts')}`,
  );

  const scanDemo = (key: string): boolean => {
    const demo = DEMO_SCANS.find((d) => d.key === key);
    if (!demo) return false;
    const code = demo.make();
    note(`scanned ${demo.label} (${code.slice(0, 2)}…${code.slice(-4)})`);
    scanner.scan(code);
    return true;
  };

  const running = agent;
  await new Promise<void>((resolve) => {
    const quit = (): void => {
      input.removeAllListeners('keypress');
      if (tty) input.setRawMode(false);
      input.pause();
      resolve();
    };
    if (tty) {
      emitKeypressEvents(input);
      input.setRawMode(true);
      input.on('keypress', (str: string | undefined, key: Key | undefined) => {
        if (key?.ctrl === true && key.name === 'c') {
          quit();
          return;
        }
        if (typing !== undefined) {
          typing = editTyping(typing, str, key, (code) => {
            note(`scanned typed code (…${code.slice(-4)})`);
            scanner.scan(code);
          });
          draw();
          return;
        }
        const ch = str ?? '';
        if (ch === 'q') {
          quit();
          return;
        }
        if (ch === 't') {
          typing = '';
          draw();
          return;
        }
        if (ch === 'r') {
          running.runtime.dispatch({ kind: 'key', key: 'r', action: { fn: 'reprint' } });
          return;
        }
        if (scanDemo(ch)) return;
        const name = keyName(ch, key);
        if (name) keypad.press(name);
      });
    } else {
      const lines = createInterface({ input });
      const queue = runScript(lines, { keypad, scanner, scanDemo, note });
      void queue.then(quit, quit);
    }
    draw();
  });
  note('stopping…');
  await running.stop(5_000);
}

function editTyping(
  current: string,
  str: string | undefined,
  key: Key | undefined,
  submit: (code: string) => void,
): string | undefined {
  if (key?.name === 'escape') return undefined;
  if (key?.name === 'return' || key?.name === 'enter') {
    if (current !== '') submit(current);
    return undefined;
  }
  if (key?.name === 'backspace') return current.slice(0, -1);
  if (str !== undefined && /^[\x20-\x7e]$/.test(str) && current.length < 128) return current + str;
  return current;
}

function keyName(ch: string, key: Key | undefined): KeyName | undefined {
  switch (key?.name) {
    case 'return':
    case 'enter':
      return 'ENTER';
    case 'backspace':
      return 'BACKSPACE';
    case 'escape':
      return 'ESC';
    case undefined:
    default:
      break;
  }
  const upper = ch.toUpperCase();
  return isKeyName(upper) && upper.length === 1 ? upper : undefined;
}
