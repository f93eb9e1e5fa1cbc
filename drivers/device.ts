/**
 * What every driver reports about its device. `offline` means it was there and is gone (unplugged,
 * read error) and the driver is trying to reopen it; `absent` means it was never found.
 */
export type DeviceState = 'online' | 'offline' | 'absent';

export interface DeviceStatus {
  device: string;
  state: DeviceState;
  /** Human-readable cause for a technician, e.g. "ENOENT /dev/xpos-scanner". Never holds a code. */
  detail?: string;
}

/** The lifecycle every driver shares. `close()` is idempotent and never throws. */
export interface Device {
  readonly name: string;
  start(): Promise<void>;
  close(): Promise<void>;
  status(): DeviceStatus;
}
