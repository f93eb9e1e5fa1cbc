import type { Device, DeviceStatus } from '../device.js';

/**
 * A scanner emits one `scan` per complete, validated code (framing stripped, charset and length
 * checked) and a `state` whenever the device goes online or offline. Noise never becomes a scan.
 */
export interface Scanner extends Device {
  on(event: 'scan', listener: (code: string) => void): this;
  on(event: 'state', listener: (status: DeviceStatus) => void): this;
  off(event: 'scan', listener: (code: string) => void): this;
  off(event: 'state', listener: (status: DeviceStatus) => void): this;
}
