/**
 * Real-time status over a two-way link: DLE EOT n asks, the printer answers one byte at once, even
 * while offline or with a full buffer. Bit meanings follow Epson's DLE EOT reference, which Chinese
 * firmwares copy; any bit they do not implement reads 0, i.e. "fine", so a cheap printer can report
 * paper out only through n = 4 (or not at all).
 */
import type { PaperState, PrinterStatus } from './types.js';

/** n = 1 printer, 2 offline cause, 3 error cause, 4 roll paper sensor. */
export type StatusRequest = 1 | 2 | 3 | 4;
export const STATUS_REQUESTS: readonly StatusRequest[] = [1, 2, 3, 4];

export function statusRequest(n: StatusRequest): Buffer {
  return Buffer.from([0x10, 0x04, n]);
}

/** Every reply has bits 1 and 4 set and bits 0 and 7 clear; anything else is noise or a stray byte. */
export function isStatusByte(b: number): boolean {
  return (b & 0x93) === 0x12;
}

export interface EscposStatus extends PrinterStatus {
  /** The printer says it is offline (n = 1 bit 3): paper, cover, error, or the feed button held. */
  offline: boolean | 'unknown';
  /** Cutter jam, head overheated, or an unrecoverable error (n = 2 bit 6, n = 3 bits 3, 5, 6). */
  error: boolean | 'unknown';
}

export const UNKNOWN_STATUS: EscposStatus = {
  paper: 'unknown',
  coverOpen: 'unknown',
  offline: 'unknown',
  error: 'unknown',
};

/** Replies by request; a missing or malformed reply leaves what only it could tell `unknown`. */
export type StatusReplies = Partial<Record<StatusRequest, number>>;

export function parseStatus(replies: StatusReplies): EscposStatus {
  const valid = (n: StatusRequest): number | undefined => {
    const b = replies[n];
    return b !== undefined && isStatusByte(b) ? b : undefined;
  };
  const printer = valid(1);
  const cause = valid(2);
  const errors = valid(3);
  const roll = valid(4);

  let paper: PaperState = 'unknown';
  if (roll !== undefined) {
    if (roll & 0x60) paper = 'out';
    else if (roll & 0x0c) paper = 'near-end';
    else paper = 'ok';
  }
  // "Printing stopped by paper end" is worth trusting even when the roll sensor byte is missing.
  if (cause !== undefined && cause & 0x20) paper = 'out';

  let error: boolean | 'unknown' = 'unknown';
  if (cause !== undefined || errors !== undefined) {
    error = (cause ?? 0) & 0x40 ? true : ((errors ?? 0) & 0x68) !== 0;
  }
  return {
    paper,
    coverOpen: cause === undefined ? 'unknown' : (cause & 0x04) !== 0,
    offline: printer === undefined ? 'unknown' : (printer & 0x08) !== 0,
    error,
  };
}

/** The status details the printer reports for its paper; the fleet metrics read them back. */
export const PAPER_OUT = 'paper out';
export const PAPER_NEAR_END = 'paper near end';

/**
 * Why the printer cannot print now, in the words the kiosk shows ('paper out', 'cover open',
 * 'printer error'), or undefined when it can or nobody knows. Unknown never blocks a print: a one-way
 * link must still print.
 */
export function blockingCause(s: EscposStatus): string | undefined {
  if (s.paper === 'out') return PAPER_OUT;
  if (s.coverOpen === true) return 'cover open';
  if (s.error === true) return 'printer error';
  return undefined;
}
