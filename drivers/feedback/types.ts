import type { Device } from '../device.js';

/**
 * Distinct signals a member can tell apart without reading the screen. `busy`: the input was seen
 * but cannot be taken now (a scan while a payment runs or a result is shown, a code scanned twice).
 */
export type FeedbackPattern = 'key' | 'success' | 'failure' | 'pending' | 'offline' | 'attention' | 'busy';

/** Fire and forget: a buzzer that fails must never hold up a sale. */
export interface Feedback extends Device {
  signal(pattern: FeedbackPattern): void;
}
