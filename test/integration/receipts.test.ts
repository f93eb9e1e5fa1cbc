/**
 * Receipts are never lost: one that failed to print comes out when the printer is back, and an
 * operator can ask for any receipt again by id while the daemon runs.
 */
import t from 'tap';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { reprintCommand } from '../../agent/cli/reprint.js';
import { startKiosk } from '../helpers/kiosk-harness.js';

t.test(
  'a receipt that failed to print is printed when the printer is back, then marked printed',
  async (t) => {
    const k = await startKiosk(t, { resolveEveryMs: 100 });
    await k.printer.close(); // out of paper, unplugged: every print rejects
    k.keypad.press('A');
    k.scanner.scan('281234567890123456');
    await k.until(() => k.agent.runtime.kiosk.state.mode === 'result');
    await k.until(() => k.feedback.signals.includes('attention'));
    const sale = k.agent.store.last();
    t.equal(sale?.status, 'succeeded');
    t.equal(sale?.printed, false, 'kept unprinted in the ledger');
    await k.printer.start();
    await k.until(() => k.agent.store.last()?.printed === true);
    t.equal(k.printer.printed.length, 1);
    t.match(k.printer.printed[0], /成功/);
    t.notMatch(k.printer.printed[0], /重印/, 'a first print, not a reprint');
  },
);

t.test('xpos-agent reprint ID prints any sale again, marked REPRINT, while the daemon runs', async (t) => {
  const k = await startKiosk(t, { resolveEveryMs: 100 });
  const first = await k.sale(['B'], '281234567890123456');
  await k.sale(['A'], 'F2345678901');
  const out = new PassThrough();
  const err = new PassThrough();
  const ledgerPath = join(t.testdirName, 'ledger.db');
  const log = pino({ level: 'silent' });
  t.equal(reprintCommand({ ref: first.sale.outBizId, ledgerPath, log }, out, err), 0);
  t.match(String(out.read()), /reprint requested/);
  await k.until(() => k.printer.printed.length === 3);
  t.match(k.printer.printed[2], /^\|\s+重印\s+\|$/m);
  t.match(k.printer.printed[2], /月卡/);
  t.equal(k.agent.store.get(first.sale.saleId)?.reprint, false);
  t.equal(reprintCommand({ ref: 'nope', ledgerPath, log }, out, err), 1);
  t.match(String(err.read()), /no sale "nope"/);
});
