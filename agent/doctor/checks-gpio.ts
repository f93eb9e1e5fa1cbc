/**
 * sysfs GPIO for the matrix keypad and the buzzer/LEDs: the export file writable, the chip base
 * found by label (it moved to 512/571 on kernel 6.6), each configured pin on that chip. No pin is
 * exported here: the daemon may own them.
 */
import { constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import { DeviceError } from '../../drivers/device-error.js';
import { findChipBase, type GpioChipInfo } from '../../drivers/gpio/chip-base.js';
import { gpioAccessError } from '../../drivers/gpio/onoff.js';
import type { DoctorContext } from './context.js';
import { accessCheck } from './device-access.js';
import { fail, ok, type CheckResult } from './report.js';

export interface GpioUser {
  check: 'keypad' | 'feedback';
  pins: number[];
  about: string;
}

export function gpioUsers(config: Config): GpioUser[] {
  const users: GpioUser[] = [];
  const k = config.devices.keypad;
  if (k?.type === 'gpio-matrix') {
    users.push({
      check: 'keypad',
      pins: [...k.rows, ...k.cols],
      about: `gpio-matrix, rows BCM ${k.rows.join(',')}, cols BCM ${k.cols.join(',')}`,
    });
  }
  const f = config.devices.feedback;
  if (f?.type === 'gpio') {
    const named = (['buzzer', 'green', 'red'] as const).flatMap((n) =>
      f[n] === undefined ? [] : [[n, f[n]] as const],
    );
    users.push({
      check: 'feedback',
      pins: named.map(([, p]) => p),
      about: `gpio, ${named.map(([n, p]) => `${n} BCM ${p}`).join(', ')}`,
    });
  }
  return users;
}

export interface GpioResults {
  /** The sysfs interface and the chip, then who may write `export`. */
  chip: CheckResult[];
  /** The keypad's and the feedback's own lines, in the report where those devices are. */
  users: Map<GpioUser['check'], CheckResult>;
}

export async function gpioChecks(ctx: DoctorContext, users: GpioUser[]): Promise<GpioResults> {
  const root = ctx.files.sysfsGpio;
  const exportPath = join(root, 'export');
  const g = ctx.config.devices.gpio;
  let chip: GpioChipInfo | undefined;
  let line: CheckResult;
  try {
    await access(exportPath, constants.W_OK);
    chip = await findChipBase({
      sysfsRoot: root,
      ...(g.chip_label !== undefined && { chipLabel: g.chip_label }),
      ...(g.chip_base !== undefined && { chipBase: g.chip_base }),
    });
    const lines = chip.ngpio === undefined ? 'configured base' : `${chip.ngpio} lines`;
    line = ok('gpio', `chip ${chip.label} at base ${chip.base} (${lines}); ${exportPath} writable`);
  } catch (e) {
    const err = e instanceof DeviceError ? e : gpioAccessError(exportPath, e);
    // The message repeats the device and the hint: the line shows the cause, the fix line the hint.
    line = fail(
      'gpio',
      err.message
        .replace(/^gpio: /, '')
        .replace(/; .*$/, '')
        .replace(/ \[E\d+\]$/, ''),
      err.hint ?? 'check sysfs GPIO',
    );
  }
  const results = [line];
  const byUser = new Map<GpioUser['check'], CheckResult>();
  try {
    const st = await stat(exportPath);
    results.push(
      accessCheck(ctx, { check: 'gpio', path: exportPath, group: 'gpio', need: 'w' }, st, exportPath),
    );
  } catch {
    // No export file: the gpio line already says so.
  }
  for (const u of users) {
    if (chip === undefined) {
      byUser.set(
        u.check,
        fail(u.check, `${u.about}: sysfs GPIO not usable (see gpio)`, 'fix the gpio check first'),
      );
      continue;
    }
    const c = chip;
    const bad = u.pins.filter((p) => c.ngpio !== undefined && p >= c.ngpio);
    if (bad.length > 0) {
      byUser.set(
        u.check,
        fail(u.check, `${u.about}: BCM ${bad.join(',')} not on chip ${c.label}`, 'check the pin numbers'),
      );
      continue;
    }
    const exported = u.pins.filter((p) => existsSync(join(root, `gpio${c.base + p}`)));
    const note = exported.length === 0 ? '' : `; exported now: BCM ${exported.join(',')} (by the service?)`;
    byUser.set(u.check, ok(u.check, `${u.about} → sysfs ${u.pins.map((p) => c.base + p).join(',')}${note}`));
  }
  return { chip: results, users: byUser };
}
