/**
 * Each configured device: there, openable, and reachable for the service user through the right
 * group. A device node the running daemon holds is never opened here: a second opener of a serial
 * port or a usblp printer would steal bytes or be refused, and the daemon's hold already proves it.
 */
import { constants, readFileSync, realpathSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Config } from '../../config/schema.js';
import { type DeviceError, deviceErrorFromErrno } from '../../drivers/device-error.js';
import { spidevPath } from '../../drivers/display/spidev.js';
import { asError } from '../errors.js';
import { gpioChecks, gpioUsers } from './checks-gpio.js';
import { EXAMPLE_CONFIG, type DoctorContext } from './context.js';
import { accessCheck, type NodeSpec } from './device-access.js';
import { fail, ok, warn, type CheckResult } from './report.js';

/** Real paths of the device nodes in the config, for the one /proc scan. */
export function devicePaths(config: Config): string[] {
  const d = config.devices;
  const paths: string[] = [];
  if (d.scanner?.type === 'serial') paths.push(d.scanner.path);
  if (d.keypad?.type === 'evdev') paths.push(d.keypad.path);
  if (d.printer?.type === 'usblp' || d.printer?.type === 'serial') paths.push(d.printer.path);
  if (d.display?.type === 'tty') paths.push(d.display.path);
  if (d.display?.type === 'st7920') paths.push(spidevPath(d.display));
  return paths.flatMap((p) => {
    try {
      return [realpathSync(p)];
    } catch {
      return [];
    }
  });
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException | undefined)?.code ?? asError(e).message;
}

function missingFix(spec: NodeSpec, err: DeviceError): string {
  const udev = spec.path.startsWith('/dev/xpos-')
    ? `; ${spec.path} is made by the udev rule 60-xpos-agent.rules: check its idVendor/idProduct ` +
      '(udevadm info --attribute-walk --name=/dev/ttyUSB0)'
    : '';
  return `${err.hint ?? 'check the device'}${udev}`;
}

/** The one-line name of an evdev node ("USB Keypad"), from sysfs. */
function inputName(real: string): string | undefined {
  if (!/^\/dev\/input\/event\d+$/.test(real)) return undefined;
  try {
    return readFileSync(`/sys/class/input/${basename(real)}/device/name`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

async function openCheck(ctx: DoctorContext, spec: NodeSpec, shown: string): Promise<CheckResult> {
  // O_NONBLOCK: a tty without carrier must not block the open; O_NOCTTY: never become our terminal.
  const access = { r: constants.O_RDONLY, w: constants.O_WRONLY, rw: constants.O_RDWR }[spec.need];
  const flags = access | constants.O_NONBLOCK | (spec.need === 'r' ? 0 : constants.O_NOCTTY);
  try {
    const handle = await open(spec.path, flags);
    await handle.close();
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'EBUSY') {
      const [pid] = ctx.open.daemons;
      if (pid !== undefined) return ok(spec.check, `${shown}: in use (the service is running, pid ${pid})`);
      return warn(spec.check, `${shown}: in use by another process (EBUSY)`, `find it: fuser -v ${shown}`);
    }
    const err = deviceErrorFromErrno(spec.check, spec.path, e, spec.group);
    return fail(spec.check, `${shown}: cannot open (${code})`, err.hint ?? 'check the device');
  }
  const mode = spec.need === 'r' ? 'read' : 'read/write';
  const name = spec.group === 'input' ? inputName(realpathSync(spec.path)) : undefined;
  const about = [spec.about, name && `"${name}"`].filter(Boolean).join(', ');
  return ok(spec.check, `${shown}: opened ${mode}${about === '' ? '' : ` (${about})`}`);
}

async function nodeChecks(ctx: DoctorContext, spec: NodeSpec): Promise<CheckResult[]> {
  let st: Stats;
  let real: string;
  try {
    st = await stat(spec.path);
    real = realpathSync(spec.path);
  } catch (e) {
    const err = deviceErrorFromErrno(spec.check, spec.path, e, spec.group);
    return [fail(spec.check, `${spec.path} not found (${errnoOf(e)})`, missingFix(spec, err))];
  }
  const shown = real === spec.path ? spec.path : `${spec.path} → ${real}`;
  const held = ctx.open.holders.get(real) ?? [];
  const daemon = held.find((h) => h.daemon);
  let line: CheckResult;
  if (daemon !== undefined) {
    line = ok(spec.check, `${shown}: in use by the running service (pid ${daemon.pid}), not opened`);
  } else if (ctx.open.hiddenDaemons.length > 0) {
    const pids = ctx.open.hiddenDaemons.join(', ');
    line = ok(spec.check, `${shown}: not opened: the service is running (pid ${pids}) and may hold it`);
  } else if (!st.isCharacterDevice()) {
    line = warn(
      spec.check,
      `${shown}: not a device node`,
      `point devices.${spec.check}.path at the device (e.g. /dev/xpos-${spec.check})`,
    );
  } else {
    line = await openCheck(ctx, spec, shown);
  }
  const others = held.filter((h) => !h.daemon);
  if (others.length > 0) {
    line.detail += `; also open in ${others.map((h) => `${h.name} (pid ${h.pid})`).join(', ')}`;
  }
  return [line, accessCheck(ctx, spec, st, real)];
}

export async function checkDevices(ctx: DoctorContext): Promise<CheckResult[]> {
  const { devices: d, kiosk } = ctx.config;
  const results: CheckResult[] = [];
  const gpioUse = gpioUsers(ctx.config);
  const gpio = gpioUse.length > 0 ? await gpioChecks(ctx, gpioUse) : undefined;

  const s = d.scanner;
  if (s === undefined) {
    results.push(
      fail(
        'scanner',
        'not configured (devices.scanner): no sale can be taken',
        `add devices.scanner (type serial, path /dev/xpos-scanner); see ${EXAMPLE_CONFIG}`,
      ),
    );
  } else if (s.type === 'sim') {
    results.push(ok('scanner', 'simulated (sim): codes come from stdin, not a scanner'));
  } else {
    results.push(
      ...(await nodeChecks(ctx, {
        check: 'scanner',
        path: s.path,
        group: 'dialout',
        need: 'rw',
        about: `${s.baud} baud`,
      })),
    );
  }
  if (gpio) results.push(...gpio.chip);

  const k = d.keypad;
  if (k === undefined) {
    results.push(
      kiosk.idle_scan_preset !== undefined
        ? ok('keypad', `not configured: a scan sells preset ${kiosk.idle_scan_preset}`)
        : warn(
            'keypad',
            'not configured (devices.keypad): members cannot type an amount or pick a preset',
            'add devices.keypad, or set kiosk.idle_scan_preset for a scan-only kiosk',
          ),
    );
  } else if (k.type === 'sim') {
    results.push(ok('keypad', 'simulated (sim): keys come from stdin'));
  } else if (k.type === 'evdev') {
    results.push(...(await nodeChecks(ctx, { check: 'keypad', path: k.path, group: 'input', need: 'r' })));
  }
  const gpioKeypad = gpio?.users.get('keypad');
  if (gpioKeypad) results.push(gpioKeypad);

  const f = d.feedback;
  if (f === undefined) results.push(ok('feedback', 'not configured (no buzzer or LEDs)'));
  else if (f.type === 'sim') results.push(ok('feedback', 'simulated (sim)'));
  const gpioFeedback = gpio?.users.get('feedback');
  if (gpioFeedback) results.push(gpioFeedback);

  const p = d.printer;
  if (p?.type === 'usblp' || p?.type === 'serial') {
    const group = p.type === 'usblp' ? 'lp' : 'dialout';
    results.push(
      ...(await nodeChecks(ctx, { check: 'printer', path: p.path, group, need: 'rw', about: p.type })),
    );
  }
  results.push(...(await displayChecks(ctx)));
  return results;
}

/** The member's screen: optional (sales go on without), so its absence is reported, not failed. */
async function displayChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const d = ctx.config.devices.display;
  switch (d?.type) {
    case undefined:
      // Reported, not a warning: a screen is optional like every device, and sales go on without.
      return [
        ok(
          'display',
          'not configured (devices.display): no screen, members get beeps and LEDs only; ' +
            'add type tty (/dev/tty1) or st7920 (SPI LCD), see README "Display"',
        ),
      ];
    case 'sim':
      return [ok('display', 'simulated (sim)')];
    case 'tty':
      return nodeChecks(ctx, {
        check: 'display',
        path: d.path,
        group: 'tty',
        need: 'w',
        about: d.cjk ? 'console with CJK (fbterm/kmscon)' : 'Linux console, English words',
      });
    case 'st7920':
      return nodeChecks(ctx, {
        check: 'display',
        path: spidevPath(d),
        group: 'spi',
        need: 'rw',
        about: `ST7920 LCD, ${d.speed_hz} Hz`,
      });
  }
}
