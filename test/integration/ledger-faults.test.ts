/**
 * The ledger under bad conditions, through the whole agent: a corrupt file at start-up and a full
 * disk mid-day. No sale is ever taken that cannot be recorded, and nothing recorded is harmed.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { pino } from 'pino';
import { AgentError, ErrorCode } from '../../agent/errors.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import { startKiosk } from '../helpers/kiosk-harness.js';

const GARBAGE = Buffer.from('this is not a database, it is what a power cut left behind\n'.repeat(40));

t.test(
  'a corrupt ledger is moved aside intact, said loudly, and no sale is taken on top of it',
  async (t) => {
    const dir = t.testdir({ 'ledger.db': GARBAGE });
    const k = await startKiosk(t, { config: { paths: { state_dir: dir } } });
    const aside = readdirSync(dir).filter((f) => f.startsWith('ledger.db.corrupt-'));
    t.equal(aside.length, 1, 'moved aside with a timestamp');
    t.same(readFileSync(join(dir, aside[0]!)), GARBAGE, 'never deleted or changed');
    t.ok(
      k.logs.some((l) => l.includes('LEDGER UNAVAILABLE')),
      'logged loudly',
    );
    t.ok(k.feedback.signals.includes('attention'), 'the kiosk signals it');
    t.match(k.agent.runtime.kiosk.memory, { outOfService: /./ }, 'out of service, with the reason');
    const failures = k.feedback.signals.filter((s) => s === 'failure').length;
    k.keypad.press('A');
    k.scanner.scan('281234567890123456');
    t.equal(k.agent.runtime.kiosk.state.mode, 'idle', 'no sale is started');
    t.equal(k.feedback.signals.filter((s) => s === 'failure').length, failures + 2, 'key and scan refused');
    t.equal(k.agent.store.last(), undefined, 'nothing recorded');
    t.equal(k.gateway.charges.charges, 0, 'nothing charged');
  },
);

t.test('after a restart the refusal stands until a person has moved the old file away', async (t) => {
  const dir = t.testdir({ 'ledger.db.corrupt-20261125T101010': GARBAGE });
  const k = await startKiosk(t, { config: { paths: { state_dir: dir } } });
  t.ok(k.logs.some((l) => l.includes('LEDGER UNAVAILABLE')));
  t.notOk(readdirSync(dir).includes('ledger.db'), 'no new ledger was started silently');
});

t.test(
  'with ledger.on_corrupt: start-new the kiosk moves the file aside and sells on a fresh ledger',
  async (t) => {
    const dir = t.testdir({ 'ledger.db': GARBAGE });
    const k = await startKiosk(t, {
      config: { paths: { state_dir: dir }, ledger: { on_corrupt: 'start-new' } },
    });
    t.ok(k.logs.some((l) => l.includes('LEDGER WAS CORRUPT')));
    const { sale } = await k.sale(['A'], '281234567890123456');
    t.equal(sale.status, 'succeeded');
    t.equal(
      readdirSync(dir).filter(
        (f) => f.startsWith('ledger.db.corrupt-') && !f.endsWith('-wal') && !f.endsWith('-shm'),
      ).length,
      1,
    );
  },
);

t.test('disk full: no new sale is accepted, the member is told, and recorded sales are intact', async (t) => {
  const dir = t.testdir({});
  let db: Database.Database | undefined;
  const store = Ledger.open({
    path: join(dir, 'ledger.db'),
    log: pino({ level: 'silent' }),
    afterOpen: (d) => (db = d),
  });
  const k = await startKiosk(t, { store });
  const first = await k.sale(['A'], '281234567890123456');
  t.equal(first.sale.status, 'succeeded');
  // The file may not grow any more: exactly what SQLite sees when the card is full (SQLITE_FULL).
  const pages = db!.pragma('page_count', { simple: true }) as number;
  db!.pragma(`max_page_count = ${pages}`);
  // Fill every page that still has room, with final sales of shrinking size, until not even a
  // small row fits: the next sale needs a new page and gets SQLITE_FULL, as on a full card.
  let n = 0;
  // Ballast rows smaller than any sale's intent row, so no new sale can squeeze into what is left.
  const { result: _r, printStarted: _p, receiptStatus: _s, gateway: _g, label: _l, ...bare } = first.sale;
  for (const size of [4000, 1000, 200, 20, 1]) {
    for (;;) {
      n += 1;
      try {
        store.create({
          ...bare,
          saleId: `ballast-${n}`,
          outBizId: `B${n}`,
          requestId: `R${n}`,
          status: 'refused',
          reason: 'x'.repeat(size),
          printed: true,
        });
      } catch {
        break;
      }
    }
  }
  k.keypad.press('ESC');
  k.keypad.press('B');
  k.scanner.scan('281234567890129999');
  await k.until(() => k.agent.runtime.kiosk.state.mode === 'result');
  t.match(k.agent.runtime.kiosk.state, {
    mode: 'result',
    result: { status: 'refused', reason: /cannot record/ },
  });
  t.ok(k.feedback.signals.includes('failure'), 'the member is told at once');
  t.equal(k.gateway.charges.charges, 1, 'only the first sale was ever charged');
  t.equal(store.get(first.sale.saleId)?.status, 'succeeded', 'the recorded sale is untouched');
  t.ok(k.logs.some((l) => l.includes('sale could not be recorded')));
});

t.test(
  'the disk fails after the gateway charged: the member sees success, the kiosk stops selling, the outcome is written later',
  async (t) => {
    const dir = t.testdir({});
    const store = Ledger.open({ path: join(dir, 'ledger.db'), log: pino({ level: 'silent' }) });
    const update = store.update.bind(store);
    let full = false;
    store.update = (id, patch) => {
      if (full) throw new AgentError(ErrorCode.LedgerUnwritable, 'ledger: updating a sale: disk I/O error');
      return update(id, patch);
    };
    const k = await startKiosk(t, { store, resolveEveryMs: 200 });
    // The gateway holds the call, so the test can fail the disk while the request is out.
    k.gateway.faults.inject({ kind: 'delay', ms: 400, method: 'pay' });
    const sent = k.until(() => store.last()?.status === 'sent');
    k.keypad.press('A');
    k.scanner.scan('281234567890123456');
    await sent;
    full = true;
    await k.until(() => k.agent.runtime.kiosk.state.mode === 'result');
    t.match(k.agent.runtime.kiosk.state, { result: { status: 'succeeded' } }, 'what the gateway said');
    t.equal(k.gateway.charges.charges, 1);
    t.match(k.agent.runtime.kiosk.memory.outOfService, /Ledger cannot save/);
    t.equal(store.last()?.status, 'sent', 'the file itself still says sent');
    full = false;
    await k.until(() => k.agent.runtime.kiosk.memory.outOfService === undefined);
    t.equal(store.last()?.status, 'succeeded', 'written once the disk took writes again');
    t.equal(k.gateway.charges.charges, 1, 'and never sent again');
  },
);
