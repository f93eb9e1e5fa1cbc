import type { Device, DeviceStatus } from '../device.js';

/** One phrase in both languages; a display draws the ones its font has (a Linux VT has no CJK). */
export interface Words {
  zh: string;
  en: string;
}

/** Which screen this is: backends may style by it, tests and logs name it. */
export type ScreenKind =
  | 'ready'
  | 'typing'
  | 'awaiting-scan'
  | 'paying'
  | 'checking'
  | 'ok'
  | 'failed'
  | 'refused'
  | 'pending'
  | 'queued'
  | 'out-of-service';

/**
 * What the member should see, already worded, for any screen size: a display lays it out for its
 * own cells (a 16x4 LCD keeps the title, the amount and the first lines; a full-screen console
 * draws everything and the amount in large digits). The kiosk's view model is the one source.
 */
export interface DisplayView {
  screen: ScreenKind;
  title: Words;
  /** Yuan as the member should read it: "12.5" while typing, "12.50" once confirmed. No symbol. */
  amount?: string;
  /** Small print beside or under the amount: the item, or the largest amount allowed. */
  amountNote?: Words;
  /** Why the last key or scan was not taken: drawn first and marked. */
  alert?: Words;
  /** Most important first; a small display shows as many as fit. */
  lines: Words[];
}

/**
 * The kiosk's screen. `show` never throws and never waits for the glass: a display that is gone
 * keeps the latest view and draws it when it is back. Without a display, sales go on (beeps, LEDs).
 */
export interface Display extends Device {
  on(event: 'state', listener: (status: DeviceStatus) => void): this;
  off(event: 'state', listener: (status: DeviceStatus) => void): this;
  show(view: DisplayView): void;
}
