import t, { type Test } from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gpio } from 'onoff';
import { DeviceError, DeviceErrorCode } from '../../drivers/device-error.js';
import { findChipBase, listGpioChips } from '../../drivers/gpio/chip-base.js';
import { gpioAccessError, openOnoffChip } from '../../drivers/gpio/onoff.js';

type Chip = [label: string, base: number | string, ngpio: number];

/** A /sys/class/gpio look-alike: gpiochipN/{label,base,ngpio} plus the export file. */
function fakeSysfs(t: Test, chips: Chip[], opts: { exportFile?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'xpos-sysfs-'));
  t.teardown(() => {
    rmSync(root, { recursive: true, force: true });
  });
  for (const [label, base, ngpio] of chips) {
    const dir = join(root, `gpiochip${typeof base === 'number' ? base : 999}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'label'), `${label}\n`);
    writeFileSync(join(dir, 'base'), `${base}\n`);
    writeFileSync(join(dir, 'ngpio'), `${ngpio}\n`);
  }
  if (opts.exportFile !== false) {
    writeFileSync(join(root, 'export'), '');
    writeFileSync(join(root, 'unexport'), '');
  }
  mkdirSync(join(root, 'gpio529')); // an exported line: not a chip
  return root;
}

const PI4: Chip[] = [
  ['pinctrl-bcm2711', 512, 58],
  ['raspberrypi-exp-gpio', 570, 8],
];
const PI5: Chip[] = [
  ['gpio-brcmstb@107d508500', 512, 32],
  ['gpio-brcmstb@107d508520', 544, 4],
  ['gpio-brcmstb@107d517c00', 548, 17],
  ['pinctrl-rp1', 571, 54],
];
const OLD_KERNEL: Chip[] = [
  ['pinctrl-bcm2835', 0, 54],
  ['raspberrypi-exp-gpio', 504, 8],
];

t.test('Pi 4 on kernel 6.6: pinctrl-bcm2711 at 512', async (t) => {
  const root = fakeSysfs(t, PI4);
  t.same(await findChipBase({ sysfsRoot: root }), { label: 'pinctrl-bcm2711', base: 512, ngpio: 58 });
});

t.test('Pi 5: pinctrl-rp1 at 571, not the first chip listed', async (t) => {
  const root = fakeSysfs(t, PI5);
  t.same(await findChipBase({ sysfsRoot: root }), { label: 'pinctrl-rp1', base: 571, ngpio: 54 });
});

t.test('older kernels: pinctrl-bcm2835 at 0', async (t) => {
  const root = fakeSysfs(t, OLD_KERNEL);
  t.same(await findChipBase({ sysfsRoot: root }), { label: 'pinctrl-bcm2835', base: 0, ngpio: 54 });
});

t.test('a configured label picks that chip', async (t) => {
  const root = fakeSysfs(t, [...PI4, ['1f00d0000.gpio', 600, 28]]);
  t.same(await findChipBase({ sysfsRoot: root, chipLabel: '1f00d0000.gpio' }), {
    label: '1f00d0000.gpio',
    base: 600,
    ngpio: 28,
  });
  await t.rejects(findChipBase({ sysfsRoot: root, chipLabel: 'pinctrl-rp1' }), /pinctrl-rp1; found:/);
});

t.test('a configured base is used as is, without reading sysfs', async (t) => {
  const info = await findChipBase({ sysfsRoot: '/nonexistent', chipBase: 399 });
  t.same(info, { label: 'base 399', base: 399, ngpio: undefined });
  await t.rejects(findChipBase({ chipBase: -1 }), /invalid chip base/);
});

t.test('no matching chip: a DeviceError that lists what was found', async (t) => {
  const root = fakeSysfs(t, [
    ['gpio-sunxi', 0, 224],
    ['axp20x-gpio', 412, 5],
  ]);
  const err = await findChipBase({ sysfsRoot: root }).catch((e: unknown) => e);
  t.ok(err instanceof DeviceError);
  const de = err as DeviceError;
  t.equal(de.code, DeviceErrorCode.Unavailable);
  t.match(de.message, /pinctrl-bcm2835 or pinctrl-bcm2711 or pinctrl-rp1/);
  t.match(de.message, /found: gpio-sunxi \(base 0\), axp20x-gpio \(base 412\)/);
  t.match(de.message, root);
  t.match(de.hint, /label or base/);
});

t.test('no chips at all and no sysfs GPIO at all', async (t) => {
  const empty = fakeSysfs(t, []);
  await t.rejects(findChipBase({ sysfsRoot: empty }), /found: none/);
  await t.rejects(findChipBase({ sysfsRoot: join(empty, 'missing') }), /sysfs GPIO interface not present/);
});

t.test('unreadable or malformed chips are skipped; chips sort by number', async (t) => {
  const root = fakeSysfs(t, [
    ['pinctrl-bcm2711', 'garbage', 58],
    ['b', 100, 8],
    ['a', 20, 8],
  ]);
  mkdirSync(join(root, 'gpiochip7')); // no files
  t.same(
    (await listGpioChips(root)).map((c) => c.label),
    ['a', 'b'],
  );
});

t.test('openOnoffChip: no export file means no sysfs GPIO, said with the path and group', async (t) => {
  const root = fakeSysfs(t, PI4, { exportFile: false });
  const err = await openOnoffChip({ sysfsRoot: root }).catch((e: unknown) => e);
  t.ok(err instanceof DeviceError);
  t.equal((err as DeviceError).code, DeviceErrorCode.Unavailable);
  t.match((err as DeviceError).message, join(root, 'export'));
  t.match((err as DeviceError).message, /group gpio/);
});

t.test('permission denied on export names group gpio', (t) => {
  const eacces = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  const err = gpioAccessError('/sys/class/gpio/export', eacces);
  t.equal(err.code, DeviceErrorCode.Permission);
  t.match(err.message, /\/sys\/class\/gpio\/export.*group gpio/);
  t.end();
});

t.test('openOnoffChip resolves the chip; lines name BCM and sysfs numbers on failure', async (t) => {
  const root = fakeSysfs(t, PI4);
  const chip = await openOnoffChip({ sysfsRoot: root });
  t.equal(chip.label, 'pinctrl-bcm2711');
  t.throws(() => chip.open(58, 'in'), /no such pin on this chip \(GPIO58 \(sysfs 570/);
  // Only where there is no real sysfs GPIO: on a Pi this would really export a line.
  if (Gpio.accessible) {
    t.comment('real sysfs GPIO here: not exporting lines from a unit test');
    return;
  }
  const err = (() => {
    try {
      chip.open(17, 'in', 'falling');
      return undefined;
    } catch (e) {
      return e;
    }
  })();
  t.ok(err instanceof DeviceError, 'onoff errors come back as DeviceError');
  t.match((err as DeviceError).message, /GPIO17 \(sysfs 529, chip pinctrl-bcm2711\)/);
  t.match((err as DeviceError).message, /group gpio/);
});

t.test('openOnoffChip honours a configured label and base', async (t) => {
  const root = fakeSysfs(t, PI5);
  t.equal(
    (await openOnoffChip({ sysfsRoot: root, chipLabel: 'gpio-brcmstb@107d508500' })).label,
    'gpio-brcmstb@107d508500',
  );
  const chip = await openOnoffChip({ sysfsRoot: root, chipBase: 399 });
  t.equal(chip.label, 'base 399');
  if (!Gpio.accessible) t.throws(() => chip.open(4, 'low'), /GPIO4 \(sysfs 403/);
});
