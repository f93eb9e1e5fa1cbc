import type { Device } from '../device.js';

/** Distinct signals a member can tell apart without reading the screen. */
export type FeedbackPattern = 'key' | 'success' | 'failure' | 'pending' | 'offline' | 'attention';

/** Fire and forget: a buzzer that fails must never hold up a sale. */
export interface Feedback extends Device {
  signal(pattern: FeedbackPattern): void;
}
