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
import { SimDisplay } from '../../drivers/display/sim.js';
import { ROW_SGR } from '../../drivers/display/text-screen.js';
import type { DisplayView } from '../../drivers/display/types.js';
import { viewText } from '../kiosk/view.js';
import type { Logger } from '../log.js';
import { DEMO_SCANS, demoScanNote } from './demo-codes.js';
import { MIN_ROWS, receiptHeight, renderFrame } from './screen.js';
import { runScript } from './script.js';
import { asError } from '../errors.js';

/** Receipt scrolling: a line, or a page (±2 = one pane height). */
const PAGING: Readonly<Record<string, number>> = { up: -1, down: 1, pageup: -2, pagedown: 2 };

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
  let receipt: string[] = [];
  let receiptTop = 0;
  let view: DisplayView | undefined;
  let shownText = '';
  let typing: string | undefined;
  let gatewayUrl = '…';
  // Times as the kiosk shows them (receipts use the same zone), not the host's.
  const zone = config.kiosk.time_zone;
  const clock = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });

  // Set once the terminal is handed back: nothing is written after that (a late view, a timer).
  let closed = false;
  const note = (line: string): void => {
    if (closed) return;
    events.push(`${clock.format(new Date())}  ${line}`);
    if (events.length > 6) events.shift();
    if (!tty) output.write(`${line}\n`);
    draw();
  };
  const receiptCols = config.devices.printer?.columns ?? 32;
  let drawQueued = false;
  function draw(): void {
    if (!tty || closed || drawQueued) return;
    drawQueued = true;
    setImmediate(() => {
      drawQueued = false;
      if (!closed) paint();
    });
  }
  /** One whole frame, now. */
  function paint(): void {
    const status =
      typing !== undefined
        ? `Scan code: ${typing}_  (Enter scans, Esc cancels)`
        : `${view?.screen ?? 'starting'} · ${clock.format(new Date())} ${zone}`;
    const rows = renderFrame({
      cols: output.columns,
      rows: output.rows,
      gatewayUrl,
      view,
      receipt,
      receiptTop,
      receiptCols,
      events,
      status,
    });
    output.write(
      rows.map((r, i) => `\x1b[${i + 1};1H${ROW_SGR[r.style ?? 'plain']}${r.text}\x1b[0m`).join(''),
    );
  }
  const scroll = (by: number): void => {
    const max = Math.max(0, receipt.length - receiptHeight(output.rows));
    receiptTop = Math.min(max, Math.max(0, receiptTop + by));
    draw();
  };

  const printer = new SimPrinter({
    columns: receiptCols,
    dir: join(config.paths.state_dir, 'receipts'),
    output: (text) => {
      if (closed) return;
      // The pane's rule is the paper's edge: the text renderer's +--+ | | frame is dropped.
      receipt = text
        .split('\n')
        .filter((l) => l !== '' && !/^\+-+\+$/.test(l))
        .map((l) => (l.startsWith('| ') && l.endsWith(' |') ? l.slice(2, -2) : l));
      receiptTop = 0;
      if (!tty) output.write(`${text}\n`);
      draw();
    },
  });
  const feedback = new SimFeedback((pattern) => {
    if (pattern !== 'key') note(`feedback: ${pattern}`);
  });
  // The kiosk's screen is a display device like any other; the terminal draws what it is shown.
  const display = new SimDisplay((v) => {
    if (closed) return;
    view = v;
    const text = viewText(v).join(' | ');
    if (!tty && text !== shownText) output.write(`[${v.screen}] ${text}\n`);
    shownText = text;
    draw();
  });

  /** The terminal handed back: autowrap and the cursor on, the cursor under the frame. */
  const restore = (): void => {
    output.write(`\x1b[?7h\x1b[?25h\x1b[${Math.max(MIN_ROWS, output.rows)};1H\n`);
  };
  // From here to the end a signal (`kill`, or Ctrl-C on a piped run: a raw terminal reads Ctrl-C
  // as a key) quits as `q` does: the agent stops in order and the terminal is handed back, never
  // left raw without a cursor. More signals while it stops change nothing.
  let quitRequested = false;
  let quitInput: (() => void) | undefined;
  const onSignal = (): void => {
    quitRequested = true;
    quitInput?.();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  /** The end, whichever way it comes: nothing is drawn after this, and the terminal is given back. */
  const handBack = (): void => {
    closed = true;
    if (tty) {
      input.setRawMode(false);
      restore();
    }
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  if (tty) output.write('\x1b[?25l\x1b[?7l\x1b[2J');
  let agent: Awaited<ReturnType<typeof startAgent>>;
  try {
    agent = await startAgent({
      config,
      log,
      devices: { keypad, scanner, printer, feedback, display },
      onResolved: (sale) => {
        note(`sale ${sale.saleId} (${sale.outBizId}) resolved later: ${sale.status}`);
      },
    });
  } catch (e) {
    // Not started (the state folder is locked, the ledger refused): the terminal goes back as it was.
    handBack();
    throw e;
  }
  gatewayUrl = agent.gatewayUrl;
  note(
    `sandbox gateway at ${agent.gatewayUrl}; receipts saved under ${join(config.paths.state_dir, 'receipts')}`,
  );

  const scanDemo = (key: string): boolean => {
    const demo = DEMO_SCANS.find((d) => d.key === key);
    if (!demo) return false;
    const code = demo.make();
    note(demoScanNote(demo, code));
    scanner.scan(code);
    return true;
  };

  const running = agent;
  // A bad script line ends the run like `quit`, then is rethrown once the agent has stopped.
  let scriptError: Error | undefined;
  await new Promise<void>((resolve) => {
    // Input ends here. The terminal stays the simulator's while the agent stops (an in-flight
    // payment may take seconds): it is handed back below, after the last frame.
    let lines: ReturnType<typeof createInterface> | undefined;
    const quit = (): void => {
      quitRequested = true;
      input.removeAllListeners('keypress');
      lines?.close();
      input.pause();
      typing = undefined;
      resolve();
    };
    quitInput = quit;
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
        const paging = PAGING[key?.name ?? ''];
        if (paging !== undefined) {
          scroll(Math.abs(paging) > 1 ? Math.sign(paging) * receiptHeight(output.rows) : paging);
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
      lines = createInterface({ input });
      const queue = runScript(lines, { keypad, scanner, scanDemo, note });
      void queue.then(quit, (e: unknown) => {
        // A line read after the user quit is not the script's error: the run was already ending.
        if (!quitRequested) scriptError = asError(e);
        quit();
      });
    }
    draw();
    if (quitRequested) quit();
  });
  note('stopping…');
  try {
    await running.stop(5_000);
    note('stopped');
  } finally {
    // The last state (out of service) is drawn while the screen is still ours; then it is closed,
    // so a late view, receipt or note draws nothing over the shell, and the terminal is restored.
    // The caller's `log:`/`config:` lines are the last output.
    if (tty) paint();
    handBack();
  }
  if (scriptError !== undefined) throw scriptError;
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
