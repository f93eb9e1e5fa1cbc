import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeviceError, DeviceErrorCode } from '../device-error.js';

/**
 * Since kernel 6.6 (Raspberry Pi OS Bookworm, 2024) the SoC's gpiochip no longer starts at 0 in sysfs:
 * BCM17 is 512+17 on a Pi 4 and 571+17 on a Pi 5, and other images differ again
 * (raspberrypi/linux#6084, fivdi/onoff#199/#200). The base is therefore looked up by chip label.
 */
export const PI_GPIO_LABELS = ['pinctrl-bcm2835', 'pinctrl-bcm2711', 'pinctrl-rp1'] as const;

export const DEFAULT_SYSFS_GPIO = '/sys/class/gpio';

export interface GpioChipInfo {
  label: string;
  base: number;
  /** Lines on the chip; undefined when the base was configured rather than read. */
  ngpio: number | undefined;
}

export interface ChipBaseOptions {
  /** Where sysfs GPIO lives; tests point it at a fake tree. Default /sys/class/gpio. */
  sysfsRoot?: string;
  /** Use the chip with exactly this label instead of the Raspberry Pi ones. */
  chipLabel?: string;
  /** Skip the lookup: sysfs number = chipBase + BCM (for kernels that label chips oddly). */
  chipBase?: number;
}

const NOT_FOUND_HINT = 'set the GPIO chip label or base in the config';

/** Every gpiochip under the sysfs root, in directory order. Unreadable entries are skipped. */
export async function listGpioChips(sysfsRoot: string = DEFAULT_SYSFS_GPIO): Promise<GpioChipInfo[]> {
  const names = (await readdir(sysfsRoot)).filter((n) => /^gpiochip\d+$/.test(n));
  names.sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
  const chips: GpioChipInfo[] = [];
  for (const name of names) {
    try {
      const dir = join(sysfsRoot, name);
      const [label, base, ngpio] = await Promise.all(
        ['label', 'base', 'ngpio'].map(async (f) => (await readFile(join(dir, f), 'utf8')).trim()),
      );
      if (label === undefined || base === undefined || ngpio === undefined) continue;
      if (!/^\d+$/.test(base) || !/^\d+$/.test(ngpio)) continue;
      chips.push({ label, base: Number(base), ngpio: Number(ngpio) });
    } catch {
      // A chip that vanished between readdir and read, or a permission quirk: not ours.
    }
  }
  return chips;
}

/** Picks the chip whose base turns BCM numbers into sysfs numbers. Throws DeviceError when none fits. */
export async function findChipBase(opts: ChipBaseOptions = {}): Promise<GpioChipInfo> {
  const root = opts.sysfsRoot ?? DEFAULT_SYSFS_GPIO;
  if (opts.chipBase !== undefined) {
    if (!Number.isInteger(opts.chipBase) || opts.chipBase < 0) {
      throw new DeviceError(DeviceErrorCode.Unsupported, 'gpio', `invalid chip base ${opts.chipBase}`);
    }
    return { label: opts.chipLabel ?? `base ${opts.chipBase}`, base: opts.chipBase, ngpio: undefined };
  }
  let chips: GpioChipInfo[];
  try {
    chips = await listGpioChips(root);
  } catch (e) {
    throw new DeviceError(DeviceErrorCode.Unavailable, 'gpio', 'sysfs GPIO interface not present', {
      where: root,
      hint: 'this kernel has no /sys/class/gpio: use the evdev keypad (gpio-matrix-keypad overlay)',
      cause: e,
    });
  }
  const wanted: readonly string[] = opts.chipLabel === undefined ? PI_GPIO_LABELS : [opts.chipLabel];
  const chip = chips.find((c) => wanted.includes(c.label));
  if (chip !== undefined) return chip;
  const found = chips.length === 0 ? 'none' : chips.map((c) => `${c.label} (base ${c.base})`).join(', ');
  throw new DeviceError(
    DeviceErrorCode.Unavailable,
    'gpio',
    `no GPIO chip labelled ${wanted.join(' or ')}; found: ${found}`,
    { where: root, hint: NOT_FOUND_HINT },
  );
}
