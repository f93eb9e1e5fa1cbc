/**
 * Printing receipts and never losing one: a sale's `printed` flag is set only after the printer
 * took the whole document; a receipt that failed is printed again when the printer is back.
 */
import { isDemo } from '../config/demo.js';
import type { Config } from '../config/schema.js';
import type { Feedback } from '../drivers/feedback/types.js';
import type { Printer } from '../drivers/printer/types.js';
import { asError } from './errors.js';
import type { Logger } from './log.js';
import type { GatewayClock } from './pay/clock.js';
import { buildReceipt } from './receipt.js';
import type { SaleRecord } from './payment/sale.js';
import type { SaleStore } from './payment/store.js';

export class Receipts {
  readonly #config: Config;
  readonly #printer: Printer;
  readonly #feedback: Feedback;
  readonly #store: SaleStore;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #clock: GatewayClock | undefined;
  /** Sales being printed right now, so a sweep never prints the same receipt twice. */
  readonly #printing = new Set<string>();

  readonly #onPrintFailed: (() => void) | undefined;

  constructor(opts: {
    config: Config;
    printer: Printer;
    feedback: Feedback;
    store: SaleStore;
    log: Logger;
    now: () => number;
    clock?: GatewayClock;
    /** Told about each receipt that failed to print (metrics). */
    onPrintFailed?: () => void;
  }) {
    this.#onPrintFailed = opts.onPrintFailed;
    this.#config = opts.config;
    this.#printer = opts.printer;
    this.#feedback = opts.feedback;
    this.#store = opts.store;
    this.#log = opts.log.child({ module: 'receipts' });
    this.#now = opts.now;
    this.#clock = opts.clock;
  }

  /** Prints one receipt; false (and the sale stays unprinted) when the printer failed. */
  async print(sale: SaleRecord, asReprint = false): Promise<boolean> {
    const reprint = asReprint || sale.reprint === true;
    if (this.#printing.has(sale.saleId)) return false;
    this.#printing.add(sale.saleId);
    const c = this.#config;
    const doc = buildReceipt(sale, {
      storeName: c.store.store_name,
      language: c.kiosk.language,
      timeZone: c.kiosk.time_zone,
      now: this.#now(),
      reprint,
      // The one place the agent's receipts are built: sale, reprint and sweep alike.
      demo: isDemo(c),
      ...(this.#clock && { clockSynced: this.#clock.synced }),
    });
    try {
      await this.#printer.print(doc);
      if (!sale.printed || sale.reprint === true) {
        this.#store.update(sale.saleId, { printed: true, ...(sale.reprint === true && { reprint: false }) });
      }
      return true;
    } catch (e) {
      this.#log.error({ saleId: sale.saleId, err: asError(e) }, 'receipt not printed; kept for later');
      this.#onPrintFailed?.();
      this.#feedback.signal('attention');
      return false;
    } finally {
      this.#printing.delete(sale.saleId);
    }
  }

  /**
   * Prints receipts that failed earlier (printer out of paper, unplugged, a crash mid-print), oldest
   * first, skipping sales a member is still waiting on. Stops at the first failure.
   */
  async sweep(busy: (saleId: string) => boolean, limit = 10): Promise<number> {
    // An offline printer is retried by its driver; its `online` event starts the next sweep. Trying
    // here too would beep "attention" every pass while the paper is out.
    if (this.#printer.status().state !== 'online') return 0;
    let printed = 0;
    for (const sale of this.#store.unprinted(limit)) {
      if (busy(sale.saleId) || sale.status === 'sent' || sale.status === 'created') continue;
      if (!(await this.print(sale))) break;
      printed += 1;
    }
    if (printed > 0) this.#log.info({ printed }, 'printed receipts that had failed before');
    return printed;
  }
}
