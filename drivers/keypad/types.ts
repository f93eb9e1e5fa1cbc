import type { Device, DeviceStatus } from '../device.js';
import type { KeyName } from '../../config/keys.js';

export { KEY_NAMES, isKeyName, type KeyName } from '../../config/keys.js';

/**
 * A keypad emits one `key` per press (debounced, ghosts rejected, no autorepeat) and a `state`
 * whenever the device goes online or offline. What each key does is the agent's business.
 */
export interface Keypad extends Device {
  on(event: 'key', listener: (key: KeyName) => void): this;
  on(event: 'state', listener: (status: DeviceStatus) => void): this;
  off(event: 'key', listener: (key: KeyName) => void): this;
  off(event: 'state', listener: (status: DeviceStatus) => void): this;
}
