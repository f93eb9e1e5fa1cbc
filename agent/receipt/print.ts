/**
 * Printing receipts and never losing one, nor printing one twice unmarked: a sale's `printed` flag
 * is set only after the printer took the whole document; a receipt that failed is printed again when
 * the printer is back. Before the bytes go out, `printStarted` records which process prints which
 * status: found from another boot with the receipt still owed, the earlier print was cut by a crash,
 * and this one is marked a copy. A sale whose final status differs from what its paper said owes a
 * result receipt (the payment layer clears `printed` in the same commit as the status).
 */
import { isDemo } from '../../config/demo.js';
import type { Config } from '../../config/schema.js';
import type { Feedback } from '../../drivers/feedback/types.js';
import type { Printer } from '../../drivers/printer/types.js';
import { asError } from '../errors.js';
import type { Logger } from '../log.js';
import type { GatewayClock } from '../pay/clock.js';
import type { SaleRecord, SaleStatus } from '../payment/sale.js';
import type { SaleStore } from '../payment/store.js';
import { buildReceipt } from './build.js';

/** What the paper says: created and sent read as pending (处理中) like pending itself. */
export function paperStatus(status: SaleStatus): SaleStatus {
  return status === 'created' || status === 'sent' ? 'pending' : status;
}

function started(printStarted: string | undefined): { boot: string; status: string } | undefined {
  const m = /^(\S+) (\S+)$/.exec(printStarted ?? '');
  return m?.[1] === undefined || m[2] === undefined ? undefined : { boot: m[1], status: m[2] };
}

export class Receipts {
  readonly #config: Config;
  readonly #printer: Printer;
  readonly #feedback: Feedback;
  readonly #store: SaleStore;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #clock: GatewayClock | undefined;
  readonly #bootId: string;
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
    /** Unique to this process: tells a print cut by a crash from one in progress. */
    bootId: string;
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
    this.#bootId = opts.bootId;
  }

  /** Prints one receipt; false (and the sale stays unprinted) when the printer failed. */
  async print(given: SaleRecord, asReprint = false): Promise<boolean> {
    if (this.#printing.has(given.saleId)) return false;
    this.#printing.add(given.saleId);
    try {
      // Never a status older than the ledger's at print time.
      const sale = this.#store.get(given.saleId) ?? given;
      const reprint = asReprint || sale.reprint === true;
      const status = paperStatus(sale.status);
      const cut = started(sale.printStarted);
      const earlier = sale.receiptStatus ?? cut?.status;
      const result = !reprint && earlier !== undefined && paperStatus(earlier as SaleStatus) !== status;
      const copy =
        !reprint && !sale.printed && cut !== undefined && cut.boot !== this.#bootId && cut.status === status;
      const c = this.#config;
      const doc = buildReceipt(sale, {
        storeName: c.store.store_name,
        language: c.kiosk.language,
        timeZone: c.kiosk.time_zone,
        now: this.#now(),
        reprint,
        copy,
        result,
        // The one place the agent's receipts are built: sale, result, reprint and sweep alike.
        demo: isDemo(c),
        ...(c.store.support_text !== undefined && { supportText: c.store.support_text }),
        ...(this.#clock && { clockSynced: this.#clock.synced }),
      });
      if (!reprint) this.#store.update(sale.saleId, { printStarted: `${this.#bootId} ${status}` });
      this.#log.info({ saleId: sale.saleId, status, copy, result, reprint }, 'printing receipt');
      await this.#printer.print(doc);
      this.#store.update(sale.saleId, {
        printed: true,
        receiptStatus: status,
        ...(sale.reprint === true && { reprint: false }),
      });
      this.#log.info({ saleId: sale.saleId, status }, 'receipt printed');
      return true;
    } catch (e) {
      this.#log.error({ saleId: given.saleId, err: asError(e) }, 'receipt not printed; kept for later');
      this.#onPrintFailed?.();
      this.#feedback.signal('attention');
      return false;
    } finally {
      this.#printing.delete(given.saleId);
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
