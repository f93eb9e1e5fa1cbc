/**
 * What the simulator draws: one frame that fits the terminal (80x24 at least), with the kiosk's
 * screen on the left, laid out by the same code as the console display (drivers/display/
 * text-screen.ts), the receipt on the right in its own scrolling region, the last events, and a
 * status line that is always the bottom row. Pure: it returns the rows; terminal.ts puts them on
 * the tty.
 */
import type { DisplayView } from '../../drivers/display/types.js';
import { clip, layoutText, type RowStyle } from '../../drivers/display/text-screen.js';
import { displayWidth, padEnd } from '../../drivers/printer/layout.js';
import { DEMO_SCANS } from './demo-codes.js';

export interface SimFrame {
  /** The terminal's size; smaller than 80x24 is drawn as 80x24. */
  cols: number;
  rows: number;
  gatewayUrl: string;
  view: DisplayView | undefined;
  /** The last receipt, one string per paper line, and the first line shown. */
  receipt: readonly string[];
  receiptTop: number;
  receiptCols: number;
  events: readonly string[];
  status: string;
}

export interface FrameRow {
  text: string;
  /** The kiosk screen's own row styles (title, alert, amount), for the left pane. */
  style?: RowStyle;
}

/** Rows above and below the panes: header, two key lines, a rule; a rule, two events, the status. */
const CHROME = 8;
export const MIN_COLS = 80;
export const MIN_ROWS = 24;

const KEYS = [
  'keys  0-9 . price  Enter/# confirm  Bksp  * clear  Esc cancel  a-d presets',
  `scan  ${DEMO_SCANS.map((d) => `${d.key} ${d.short}`).join('  ')}`,
];
const MORE = 't type code  r reprint  ↑↓ receipt  q quit';

/** How many receipt lines the right pane shows for a terminal this tall. */
export function receiptHeight(rows: number): number {
  return Math.max(MIN_ROWS, rows) - CHROME;
}

export function renderFrame(f: SimFrame): FrameRow[] {
  const cols = Math.max(MIN_COLS, f.cols);
  const rows = Math.max(MIN_ROWS, f.rows);
  const height = receiptHeight(rows);
  const right = f.receiptCols;
  const left = cols - right - 3;
  const out: FrameRow[] = [{ text: clip(`xpos-agent simulator · demo · sandbox ${f.gatewayUrl}`, cols) }];
  for (const k of KEYS) out.push({ text: clip(k, cols) });
  out.push({ text: rule(left, ' kiosk screen ', right, receiptTitle(f, height)) });
  const screen =
    f.view === undefined ? [] : layoutText(f.view, { cols: left, rows: height, cjk: true, maxScale: 1 });
  const paper = f.receipt.slice(f.receiptTop, f.receiptTop + height);
  for (let i = 0; i < height; i += 1) {
    const s = screen[i];
    out.push({
      text: `${padEnd(s?.text ?? '', left)} │ ${clip(paper[i] ?? '', right)}`,
      ...(s && { style: s.style }),
    });
  }
  out.push({ text: `${'─'.repeat(left + 1)}┴${'─'.repeat(right + 1)}` });
  const events = f.events.slice(-2);
  for (let i = 0; i < 2; i += 1) out.push({ text: clip(events[i] ?? '', cols) });
  const room = cols - displayWidth(MORE) - 2;
  out.push({ text: `${clip(f.status, room)}  ${MORE}` });
  return out;
}

function receiptTitle(f: SimFrame, height: number): string {
  if (f.receipt.length === 0) return ' receipt ';
  const last = Math.min(f.receipt.length, f.receiptTop + height);
  return ` receipt ${f.receiptTop + 1}–${last} of ${f.receipt.length} `;
}

function rule(left: number, a: string, right: number, b: string): string {
  return `─${a}${'─'.repeat(Math.max(0, left - displayWidth(a)))}┬─${b}${'─'.repeat(Math.max(0, right - displayWidth(b)))}`;
}
