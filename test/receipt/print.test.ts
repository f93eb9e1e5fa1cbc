/**
 * The paper matches the ledger: a sale that resolves after its receipt was printed gets a result
 * receipt; a print cut by a crash is printed again marked as a copy, never as a second original; and
 * a receipt never states a status older than the ledger's at print time.
 */
import t from 'tap';
import { pino } from 'pino';
import { validateConfig } from '../../config/load.js';
import { SimFeedback } from '../../drivers/feedback/sim.js';
import { SimPrinter } from '../../drivers/printer/sim.js';
import { Receipts } from '../../agent/receipt/print.js';
import type { PayOutcome } from '../../agent/pay/types.js';
import { setup } from '../helpers/payment-setup.js';

const log = pino({ level: 'silent' });
const ambiguous: PayOutcome = { kind: 'ambiguous', reason: 'ECONNRESET after send' };
const paid: PayOutcome = { kind: 'success', value: { checkoutId: 'C1', currentPayFee: 1250 } };

function receipts(s: ReturnType<typeof setup>, bootId: string, language: 'zh' | 'en' = 'zh') {
  const config = validateConfig({
    gateway: { url: 'https://gw.example.invalid/router/rest', app_key: 'k' },
    store: {
      store_id: '1',
      cashier_id: '2',
      cashier_name: 'x',
      machine_id: 'K01',
      support_text: '请联系前台',
    },
    kiosk: { language },
  });
  const printer = new SimPrinter({ columns: 48 });
  const r = new Receipts({
    config,
    printer,
    feedback: new SimFeedback(),
    store: s.store,
    log,
    now: s.clock.now,
    bootId,
  });
  return { r, printer, start: () => printer.start() };
}

t.test(
  'pending at the kiosk, paid in the background: a result receipt follows, with both times',
  async (t) => {
    const s = setup([ambiguous]);
    const { r, printer, start } = receipts(s, 'BOOT1');
    await start();
    const sale = await s.pay();
    t.equal(sale.status, 'pending');
    t.ok(await r.print(sale));
    t.match(printer.printed[0], /处理中/);
    t.match(printer.printed[0], /确认后将打印结果通知/);
    t.match(s.store.get('S1'), { printed: true, receiptStatus: 'pending' });

    s.clock.t += 60_000;
    s.api.pay = () => Promise.resolve(paid);
    await s.background.resolvePending();
    t.match(
      s.store.get('S1'),
      { status: 'succeeded', printed: false },
      'the result receipt is owed, in the same commit',
    );
    t.equal(await r.sweep(() => false), 1);
    const update = printer.printed[1] ?? '';
    t.match(update, /结果通知/);
    t.match(update, /状态\s+成功/);
    t.match(update, /实付\s+￥12\.50/);
    t.match(update, /时间\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+8\)/);
    t.match(update, /结果时间\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+8\)/);
    t.match(s.store.get('S1'), { printed: true, receiptStatus: 'succeeded' });
    t.equal(await r.sweep(() => false), 0, 'and only once');
  },
);

t.test('with receipts.print_resolution off, no result receipt is owed', async (t) => {
  const off = setup([ambiguous], { resultReceipts: false });
  const { r: r2, start: start2 } = receipts(off, 'BOOT1');
  await start2();
  const sale = await off.pay();
  await r2.print(sale);
  off.clock.t += 60_000;
  off.api.pay = () => Promise.resolve(paid);
  await off.background.resolvePending();
  t.match(off.store.get('S1'), { status: 'succeeded', printed: true });
  t.equal(await r2.sweep(() => false), 0);
});

t.test('a print cut by a crash is printed again as a copy; an in-process retry is not', async (t) => {
  const s = setup([paid]);
  const sale = await s.pay();
  // The first process began printing (its mark is committed), then the power went.
  s.store.update('S1', { printStarted: 'BOOT1 succeeded' });
  const same = receipts(s, 'BOOT1');
  await same.start();
  t.ok(await same.r.print(sale));
  t.notMatch(same.printer.printed[0], /副本/, 'the same process knows its own failed print made no paper');

  s.store.update('S1', { printed: false, printStarted: 'BOOT1 succeeded' });
  const next = receipts(s, 'BOOT2');
  await next.start();
  t.equal(await next.r.sweep(() => false), 1);
  t.match(next.printer.printed[0], /^\|\s+副本\s+\|$/m, 'marked as a copy, top');
  t.match(next.printer.printed[0], /状态\s+成功/);
  const en = receipts(s, 'BOOT3', 'en');
  s.store.update('S1', { printed: false, printStarted: 'BOOT2 succeeded' });
  await en.start();
  await en.r.sweep(() => false);
  t.match(en.printer.printed[0], /^\|\s+COPY\s+\|$/m);
});

t.test('a crash while printing 处理中, then resolved: the next paper is the result update', async (t) => {
  const s = setup([ambiguous]);
  const sale = await s.pay();
  s.store.update('S1', { printStarted: 'BOOT1 pending' });
  s.clock.t += 60_000;
  s.api.pay = () => Promise.resolve(paid);
  await s.background.resolvePending();
  const next = receipts(s, 'BOOT2');
  await next.start();
  t.ok(await next.r.print(sale));
  const paper = next.printer.printed[0] ?? '';
  t.match(paper, /结果通知/);
  t.notMatch(paper, /副本/);
  t.match(paper, /状态\s+成功/);
});

t.test('a receipt never states a status older than the ledger’s at print time', async (t) => {
  const s = setup([ambiguous]);
  const stale = await s.pay();
  s.clock.t += 60_000;
  s.api.pay = () => Promise.resolve(paid);
  await s.background.resolvePending();
  const { r, printer, start } = receipts(s, 'BOOT1');
  await start();
  t.equal(stale.status, 'pending');
  await r.print(stale);
  t.match(printer.printed[0], /成功/);
  t.notMatch(printer.printed[0], /处理中/);
});
