/**
 * `xpos-agent reprint ID|last`: asks the running daemon for a receipt again. The printer belongs to
 * the daemon, so the request goes through the ledger (WAL lets this process write beside it): the
 * sale is marked unprinted with `reprint`, and the daemon's next pass (every few seconds, or at its
 * next start) prints it marked REPRINT. This command WRITES to the ledger; when no daemon holds the
 * state directory it says so: the receipt prints when the daemon next runs.
 */
import { dirname } from 'node:path';
import { asError } from '../errors.js';
import { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../log.js';
import { stateHolder } from '../state-lock.js';

export function reprintCommand(
  args: { ref: string; ledgerPath: string; log: Logger },
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): number {
  let ledger: Ledger;
  try {
    ledger = Ledger.open({ path: args.ledgerPath, log: args.log });
  } catch (e) {
    err.write(`reprint: cannot open the ledger ${args.ledgerPath}: ${asError(e).message}\n`);
    return 1;
  }
  try {
    const sale = args.ref === 'last' ? ledger.last() : ledger.find(args.ref);
    if (!sale) {
      err.write(
        `reprint: no sale ${JSON.stringify(args.ref)} (give a sale id, out_biz_id, request_id or "last")\n`,
      );
      return 1;
    }
    ledger.update(sale.saleId, { printed: false, reprint: true });
    // Read from the pid file only: taking the lock to look would refuse a daemon starting now.
    const stateDir = dirname(args.ledgerPath);
    const holder = stateHolder(stateDir);
    const when =
      holder === undefined
        ? `no agent is running on ${stateDir}: it prints when the daemon next runs`
        : `the kiosk (pid ${holder}) prints it within seconds`;
    out.write(`reprint requested for ${sale.outBizId} (${sale.status}); ${when}\n`);
    return 0;
  } finally {
    ledger.close();
  }
}
