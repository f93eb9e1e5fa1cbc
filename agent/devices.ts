/**
 * The one place devices are built from config. Tests and the simulator pass their own twins to the
 * runtime instead; nothing patches modules. Building never opens anything: each driver opens its
 * device in `start()` and reports it absent or offline there, so a missing device is never fatal.
 */
import { join } from 'node:path';
import { CHARSETS, TERMINATORS, layoutKeys, type DevicesConfig } from '../config/devices.js';
import type { Config } from '../config/schema.js';
import { AbsentKeypad, AbsentPrinter, AbsentScanner, NoFeedback } from '../drivers/absent.js';
import { SimDisplay } from '../drivers/display/sim.js';
import { spidevOpen, spidevPath } from '../drivers/display/spidev.js';
import { St7920Display } from '../drivers/display/st7920.js';
import { TtyDisplay } from '../drivers/display/tty.js';
import type { Display } from '../drivers/display/types.js';
import { GpioFeedback } from '../drivers/feedback/gpio.js';
import type { Feedback } from '../drivers/feedback/types.js';
import { openOnoffChip } from '../drivers/gpio/onoff.js';
import type { GpioChip } from '../drivers/gpio/types.js';
import { BounceFilter } from '../drivers/keypad/bounce.js';
import { EvdevKeypad } from '../drivers/keypad/evdev.js';
import { MatrixKeypad } from '../drivers/keypad/matrix.js';
import { SimKeypad } from '../drivers/keypad/sim.js';
import type { Keypad } from '../drivers/keypad/types.js';
import { EscposPrinter } from '../drivers/printer/escpos-printer.js';
import { fileTransport } from '../drivers/printer/transport/file.js';
import { serialTransport } from '../drivers/printer/transport/serial.js';
import { tcpTransport } from '../drivers/printer/transport/tcp.js';
import type { PrinterTransport } from '../drivers/printer/transport/types.js';
import { usblpTransport } from '../drivers/printer/transport/usblp.js';
import { SimPrinter } from '../drivers/printer/sim.js';
import type { Printer } from '../drivers/printer/types.js';
import { SerialScanner } from '../drivers/scanner/serial.js';
import { SimScanner } from '../drivers/scanner/sim.js';
import type { Scanner } from '../drivers/scanner/types.js';
import type { Logger } from './log.js';
import type { Devices } from './runtime.js';

export interface BuiltDevices {
  devices: Devices;
  /** Twins that a script may drive (present when configured as `sim`). */
  simKeypad?: SimKeypad;
  simScanner?: SimScanner;
}

export function buildDevices(config: Config, log: Logger): BuiltDevices {
  const d = config.devices;
  const chip = sharedChip(d.gpio);
  const scanner = buildScanner(d.scanner, log);
  const keypad = buildKeypad(d.keypad, chip, log, config.kiosk.key_bounce_ms);
  return {
    devices: {
      keypad,
      scanner,
      printer: buildPrinter(d.printer, join(config.paths.state_dir, 'receipts'), log),
      feedback: buildFeedback(d.feedback, chip, log),
      // No display configured: none at all, so nothing reports "absent" and blinks red for it.
      ...(d.display !== undefined && { display: buildDisplay(d.display, log) }),
    },
    ...(keypad instanceof SimKeypad && { simKeypad: keypad }),
    ...(scanner instanceof SimScanner && { simScanner: scanner }),
  };
}

function buildScanner(s: DevicesConfig['scanner'], log: Logger): Scanner {
  switch (s?.type) {
    case undefined:
      return new AbsentScanner();
    case 'sim':
      return new SimScanner();
    case 'serial':
      return new SerialScanner({
        path: s.path,
        baudRate: s.baud,
        terminator: TERMINATORS[s.terminator],
        ...(s.prefix !== undefined && { prefix: s.prefix }),
        ...(s.suffix !== undefined && { suffix: s.suffix }),
        minLength: s.min_length,
        maxLength: s.max_length,
        allowed: CHARSETS[s.charset],
        staleMs: s.stale_ms,
        log,
      });
  }
}

function buildKeypad(
  k: DevicesConfig['keypad'],
  chip: () => Promise<GpioChip>,
  log: Logger,
  bounceMs: number,
): Keypad {
  // Bounce is a switch's property: the hardware keypads get the window, the simulator's never does.
  const switches = (pad: Keypad): Keypad =>
    bounceMs > 0 ? new BounceFilter(pad, { windowMs: bounceMs }) : pad;
  switch (k?.type) {
    case undefined:
      return new AbsentKeypad();
    case 'sim':
      return new SimKeypad();
    case 'gpio-matrix':
      return switches(
        new MatrixKeypad({
          rows: k.rows,
          cols: k.cols,
          layout: layoutKeys(k),
          chip,
          debounceMs: k.debounce_ms,
          scanIntervalMs: k.scan_interval_ms,
          log,
        }),
      );
    case 'evdev':
      return switches(
        new EvdevKeypad({
          path: k.path,
          ...(k.keycodes && {
            keymap: Object.fromEntries(Object.entries(k.keycodes).map(([code, key]) => [Number(code), key])),
          }),
          ...(k.word_size !== undefined && { wordSize: k.word_size }),
          log,
        }),
      );
  }
}

function buildPrinter(p: DevicesConfig['printer'], receiptsDir: string, log: Logger): Printer {
  if (p === undefined) return new AbsentPrinter();
  if (p.type === 'sim') return new SimPrinter({ columns: p.columns, dir: receiptsDir });
  let transport: PrinterTransport;
  switch (p.type) {
    case 'usblp':
      transport = usblpTransport({ path: p.path, log });
      break;
    case 'serial':
      transport = serialTransport({ path: p.path, baudRate: p.baud, log });
      break;
    case 'tcp':
      transport = tcpTransport({ host: p.host, port: p.port, log });
      break;
    case 'file':
      transport = fileTransport({ path: p.path });
      break;
  }
  return new EscposPrinter({
    transport,
    columns: p.columns,
    cut: p.cut,
    qr: { moduleSize: p.qr_size, errorLevel: p.qr_error_level },
    cashDrawer: p.cash_drawer,
    statusTimeoutMs: p.status_timeout_ms,
    log,
  });
}

function buildFeedback(f: DevicesConfig['feedback'], chip: () => Promise<GpioChip>, log: Logger): Feedback {
  if (f?.type !== 'gpio') return new NoFeedback();
  return new GpioFeedback({
    ...(f.buzzer !== undefined && { buzzer: f.buzzer }),
    ...(f.green !== undefined && { green: f.green }),
    ...(f.red !== undefined && { red: f.red }),
    activeLow: f.active_low,
    chip,
    log,
  });
}

function buildDisplay(d: NonNullable<DevicesConfig['display']>, log: Logger): Display {
  switch (d.type) {
    case 'sim':
      return new SimDisplay();
    case 'tty':
      return new TtyDisplay({
        path: d.path,
        cjk: d.cjk,
        ...(d.columns !== undefined && { columns: d.columns }),
        ...(d.rows !== undefined && { rows: d.rows }),
        log,
      });
    case 'st7920': {
      const spi = { bus: d.bus, device: d.device, speedHz: d.speed_hz, mode: d.spi_mode };
      return new St7920Display({ open: spidevOpen(spi), where: spidevPath(spi), log });
    }
  }
}

/**
 * The keypad and the feedback pins share one gpiochip. Only a successful open is kept: a failure
 * (no sysfs yet, wrong group) must be retried by each driver's own backoff.
 */
function sharedChip(g: DevicesConfig['gpio']): () => Promise<GpioChip> {
  let opened: Promise<GpioChip> | undefined;
  return () => {
    opened ??= openOnoffChip({
      ...(g.chip_label !== undefined && { chipLabel: g.chip_label }),
      ...(g.chip_base !== undefined && { chipBase: g.chip_base }),
    }).catch((e: unknown) => {
      opened = undefined;
      throw e;
    });
    return opened;
  };
}
