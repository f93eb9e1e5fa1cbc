import { EventEmitter } from 'node:events';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceStatus } from '../device.js';
import type { PrintDocument } from './document.js';
import { renderText } from './text-render.js';
import type { Printer, PrinterStatus } from './types.js';

export interface SimPrinterOptions {
  columns: 32 | 48;
  /**
   * Each receipt is also saved here as a numbered .txt file, numbered on from the highest
   * receipt-NNNNN.txt already there: a restart (or `doctor --print-test`) never replaces one.
   */
  dir?: string;
  /** Receives the rendered receipt (the simulator draws it on screen). */
  output?: (text: string) => void;
}

const RECEIPT_FILE = /^receipt-(\d+)\.txt$/;

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** The highest receipt number saved in `dir` (0 when there is none, or no folder yet). */
export async function lastReceiptNumber(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return 0;
    throw e;
  }
  let last = 0;
  for (const name of names) {
    const n = Number(RECEIPT_FILE.exec(name)?.[1]);
    if (Number.isSafeInteger(n) && n > last) last = n;
  }
  return last;
}

/** Renders each document as the paper would look and keeps it, instead of sending ESC/POS bytes. */
export class SimPrinter extends EventEmitter implements Printer {
  readonly name = 'printer';
  /** The last receipts printed, newest last (bounded: a simulator may run for days). */
  readonly printed: string[] = [];
  /** The number of the last receipt saved (or printed, without a folder). */
  #count = 0;
  readonly #opts: SimPrinterOptions;
  #open = false;

  constructor(opts: SimPrinterOptions) {
    super();
    this.#opts = opts;
  }

  async start(): Promise<void> {
    const dir = this.#opts.dir;
    if (dir !== undefined) {
      await mkdir(dir, { recursive: true });
      this.#count = Math.max(this.#count, await lastReceiptNumber(dir));
    }
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
    this.printed.push(text);
    if (this.printed.length > 50) this.printed.shift();
    if (this.#opts.dir === undefined) this.#count += 1;
    else await this.#save(this.#opts.dir, text + '\n');
    this.#opts.output?.(text);
  }

  /**
   * Under the next free number. Created exclusively: a file that appeared since start (another
   * simulator or `doctor --print-test` on the same folder) is skipped, never overwritten.
   */
  async #save(dir: string, text: string): Promise<void> {
    for (;;) {
      this.#count += 1;
      const path = join(dir, `receipt-${String(this.#count).padStart(5, '0')}.txt`);
      const write = (): Promise<void> => writeFile(path, text, { flag: 'wx' });
      try {
        await write();
        return;
      } catch (e) {
        let err = e;
        if (errnoOf(err) === 'ENOENT') {
          // The folder was removed while running: made again, the same number tried again.
          await mkdir(dir, { recursive: true });
          try {
            await write();
            return;
          } catch (again) {
            err = again;
          }
        }
        if (errnoOf(err) !== 'EEXIST') throw err;
      }
    }
  }

  query(): Promise<PrinterStatus> {
    return Promise.resolve({ paper: 'ok', coverOpen: false });
  }
}
