import { EventEmitter } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceStatus } from '../device.js';
import type { PrintDocument } from './document.js';
import { renderText } from './text-render.js';
import type { Printer, PrinterStatus } from './types.js';

export interface SimPrinterOptions {
  columns: 32 | 48;
  /** Each receipt is also saved here as a numbered .txt file. */
  dir?: string;
  /** Receives the rendered receipt (the simulator draws it on screen). */
  output?: (text: string) => void;
}

/** Renders each document as the paper would look and keeps it, instead of sending ESC/POS bytes. */
export class SimPrinter extends EventEmitter implements Printer {
  readonly name = 'printer';
  /** The last receipts printed, newest last (bounded: a simulator may run for days). */
  readonly printed: string[] = [];
  #count = 0;
  readonly #opts: SimPrinterOptions;
  #open = false;

  constructor(opts: SimPrinterOptions) {
    super();
    this.#opts = opts;
  }

  async start(): Promise<void> {
    if (this.#opts.dir !== undefined) await mkdir(this.#opts.dir, { recursive: true });
    this.#open = true;
    this.emit('state', this.status());
  }

  close(): Promise<void> {
    this.#open = false;
    return Promise.resolve();
  }

  status(): DeviceStatus {
    return { device: this.name, state: this.#open ? 'online' : 'offline', detail: 'simulated' };
  }

  async print(doc: PrintDocument): Promise<void> {
    if (!this.#open) throw new Error('printer is closed');
    const text = renderText(doc, this.#opts.columns);
    this.#count += 1;
    this.printed.push(text);
    if (this.printed.length > 50) this.printed.shift();
    if (this.#opts.dir !== undefined) {
      const name = `receipt-${String(this.#count).padStart(5, '0')}.txt`;
      await writeFile(join(this.#opts.dir, name), text + '\n');
    }
    this.#opts.output?.(text);
  }

  query(): Promise<PrinterStatus> {
    return Promise.resolve({ paper: 'ok', coverOpen: false });
  }
}
