import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { Gpio } from 'onoff';
import { DeviceError, DeviceErrorCode, deviceErrorFromErrno } from '../device-error.js';
import { DEFAULT_SYSFS_GPIO, findChipBase, type GpioChipInfo } from './chip-base.js';
import type { Bit, Direction, Edge, GpioChip, GpioLine } from './types.js';

export interface OnoffChipOptions {
  chipLabel?: string;
  chipBase?: number;
  /**
   * Where the chip lookup and the access check look; default /sys/class/gpio. onoff itself always
   * uses /sys/class/gpio, so anything else is only useful to test the lookup.
   */
  sysfsRoot?: string;
}

type GpioClass = typeof Gpio;

/**
 * The sysfs GPIO chip via onoff. Checks access first (what `Gpio.accessible` checks, but keeping the
 * errno so the message can say "group gpio" rather than just "no"), then finds the chip base, then
 * loads onoff: its native `epoll` addon is compiled at install, and a failed build must show up as
 * this device's error, not crash the daemon at import.
 */
export async function openOnoffChip(opts: OnoffChipOptions): Promise<GpioChip> {
  const root = opts.sysfsRoot ?? DEFAULT_SYSFS_GPIO;
  const exportPath = join(root, 'export');
  try {
    await access(exportPath, constants.W_OK);
  } catch (e) {
    throw gpioAccessError(exportPath, e);
  }
  const info = await findChipBase({
    sysfsRoot: root,
    ...(opts.chipLabel !== undefined && { chipLabel: opts.chipLabel }),
    ...(opts.chipBase !== undefined && { chipBase: opts.chipBase }),
  });
  let GpioCtor: GpioClass;
  try {
    ({ Gpio: GpioCtor } = await import('onoff'));
  } catch (e) {
    throw new DeviceError(DeviceErrorCode.Unavailable, 'gpio', 'the onoff library failed to load', {
      where: 'onoff/epoll',
      hint: 'rebuild node_modules on the target (epoll needs build-essential and python3)',
      cause: e,
    });
  }
  return new OnoffChip(info, GpioCtor);
}

/** Why sysfs GPIO cannot be used, for the export file at `where`. */
export function gpioAccessError(where: string, e: unknown): DeviceError {
  const err = deviceErrorFromErrno('gpio', where, e, 'gpio');
  if (err.code !== DeviceErrorCode.Unavailable) return err;
  return new DeviceError(DeviceErrorCode.Unavailable, 'gpio', 'sysfs GPIO interface not present', {
    where,
    hint: 'needs /sys/class/gpio and group gpio; without sysfs GPIO use the evdev keypad',
    cause: e,
  });
}

class OnoffChip implements GpioChip {
  readonly label: string;
  readonly #info: GpioChipInfo;
  readonly #Gpio: GpioClass;

  constructor(info: GpioChipInfo, GpioCtor: GpioClass) {
    this.label = info.label;
    this.#info = info;
    this.#Gpio = GpioCtor;
  }

  open(bcm: number, dir: Direction, edge: Edge = 'none'): GpioLine {
    const sysfs = this.#info.base + bcm;
    const where = `GPIO${bcm} (sysfs ${sysfs}, chip ${this.label})`;
    if (!Number.isInteger(bcm) || bcm < 0 || (this.#info.ngpio !== undefined && bcm >= this.#info.ngpio)) {
      throw new DeviceError(DeviceErrorCode.Unsupported, 'gpio', 'no such pin on this chip', { where });
    }
    try {
      const gpio = new this.#Gpio(sysfs, dir, edge);
      return new OnoffLine(bcm, where, gpio);
    } catch (e) {
      throw lineError(where, e);
    }
  }
}

function lineError(where: string, e: unknown): DeviceError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EINVAL' || code === 'EBUSY') {
    // The kernel refuses the export: wrong base (renumbered chip) or the pin belongs to an overlay.
    return new DeviceError(DeviceErrorCode.Unavailable, 'gpio', `export refused (${code})`, {
      where,
      hint: 'check the chip base/label and that no dtoverlay claims the pin',
      cause: e,
    });
  }
  if (code === 'ENOENT') return gpioAccessError(where, e);
  return deviceErrorFromErrno('gpio', where, e, 'gpio');
}

class OnoffLine implements GpioLine {
  readonly pin: number;
  readonly #where: string;
  readonly #gpio: Gpio;
  #released = false;

  constructor(pin: number, where: string, gpio: Gpio) {
    this.pin = pin;
    this.#where = where;
    this.#gpio = gpio;
  }

  read(): Bit {
    try {
      return this.#gpio.readSync();
    } catch (e) {
      throw lineError(this.#where, e);
    }
  }

  write(v: Bit): void {
    try {
      this.#gpio.writeSync(v);
    } catch (e) {
      throw lineError(this.#where, e);
    }
  }

  setDirection(d: Direction): void {
    try {
      this.#gpio.setDirection(d);
    } catch (e) {
      throw lineError(this.#where, e);
    }
  }

  watch(cb: (err: Error | null | undefined, v: Bit) => void): void {
    this.#gpio.watch(cb);
  }

  unwatchAll(): void {
    try {
      this.#gpio.unwatchAll();
    } catch {
      // The epoll registration dies with the fd; nothing left to undo.
    }
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      this.#gpio.unexport();
    } catch {
      // Best effort on the way down: the line may already be gone with the chip.
    }
  }
}
