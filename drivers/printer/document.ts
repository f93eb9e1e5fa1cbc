/**
 * A print job as data: what the receipt says, not how the bytes look. The ESC/POS encoder turns it
 * into printer bytes; the simulator renders the same document as text on screen.
 */
export type Align = 'left' | 'center' | 'right';

export type PrintBlock =
  | { kind: 'text'; text: string; align?: Align; bold?: boolean; size?: 1 | 2 }
  /** A label on the left and a value on the right of one line, wrapped when it does not fit. */
  | { kind: 'pair'; label: string; value: string; bold?: boolean }
  | { kind: 'rule'; char?: string }
  | { kind: 'qr'; data: string; size?: number }
  | { kind: 'feed'; lines: number }
  | { kind: 'cut' };

export interface PrintDocument {
  blocks: PrintBlock[];
}
