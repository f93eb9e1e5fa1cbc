/**
 * The one place devices are built from config. Tests and the simulator pass their own twins to the
 * runtime instead; nothing patches modules.
 */
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { AbsentKeypad, AbsentPrinter, AbsentScanner, NoFeedback } from '../drivers/absent.js';
import { SimKeypad } from '../drivers/keypad/sim.js';
import { SimPrinter } from '../drivers/printer/sim.js';
import { SimScanner } from '../drivers/scanner/sim.js';
import type { Devices } from './runtime.js';

export interface BuiltDevices {
  devices: Devices;
  /** Twins that a script may drive (present when configured as `sim`). */
  simKeypad?: SimKeypad;
  simScanner?: SimScanner;
}

export function buildDevices(config: Config): BuiltDevices {
  const d = config.devices;
  const simKeypad = d.keypad?.type === 'sim' ? new SimKeypad() : undefined;
  const simScanner = d.scanner?.type === 'sim' ? new SimScanner() : undefined;
  const printer = d.printer
    ? new SimPrinter({ columns: d.printer.columns, dir: join(config.paths.state_dir, 'receipts') })
    : new AbsentPrinter();
  return {
    devices: {
      keypad: simKeypad ?? new AbsentKeypad(),
      scanner: simScanner ?? new AbsentScanner(),
      printer,
      feedback: new NoFeedback(),
    },
    ...(simKeypad && { simKeypad }),
    ...(simScanner && { simScanner }),
  };
}
