import t from 'tap';
import { SCHEMA_VERSION } from '../../agent/ledger/migrations.js';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isAgentError, ErrorCode } from '../../agent/errors.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import { createLogger } from '../../agent/log.js';
import type { SaleRecord } from '../../agent/payment/sale.js';

const log = createLogger('silent');
const T0 = Date.UTC(2026, 10, 25, 11, 30, 0);
const GARBAGE = Buffer.from('this is not a database, it is a receipt printer log\n'.repeat(200));

function sale(n: number, extra: Partial<SaleRecord> = {}): SaleRecord {
  return {
    saleId: `boot1-${n}`,
    requestId: `req-${n}`,
    outBizId: `K01-${n}`,
    status: 'succeeded',
    amountFen: 1250,
    negoPrice: '1250',
    codeMask: '****3456',
    storeId: '333333',
    machineId: 'K01',
    cashierId: '346753',
    cashierName: '张丽',
    createdAt: T0 + n,
    updatedAt: T0 + n,
    attempts: 1,
    printed: true,
    ...extra,
  };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** A ledger file holding `n` sales, closed (so the main file holds everything). */
function ledgerWith(dir: string, n: number): string {
  const path = join(dir, 'ledger.db');
  const ledger = Ledger.open({ path, log });
  for (let i = 1; i <= n; i++) ledger.create(sale(i));
  ledger.close();
  return path;
}

t.test('a file that is not a database is refused by default and left byte for byte as it was', (t) => {
  const dir = t.testdir();
  const path = join(dir, 'ledger.db');
  writeFileSync(path, GARBAGE);
  const e = thrown(() => Ledger.open({ path, log }));
  t.ok(isAgentError(e, ErrorCode.LedgerCorrupt), 'LedgerCorrupt');
  t.match(String(e), path, 'names the file');
  t.match(String(e), /not been changed.*mv /s, 'says it is untouched and how to move it aside');
  t.same(readFileSync(path), GARBAGE);
  t.strictSame(readdirSync(dir), ['ledger.db'], 'no -wal, -shm or new file beside it');
  t.end();
});

t.test('a corrupt file is moved aside with its bytes intact and a new ledger works', (t) => {
  const dir = t.testdir();
  const path = join(dir, 'ledger.db');
  writeFileSync(path, GARBAGE);
  const lines: string[] = [];
  const loud = createLogger('info', { write: (s: string) => void lines.push(s) });
  const ledger = Ledger.open({ path, log: loud, onCorrupt: 'move-aside-and-start-new', now: () => T0 });
  t.teardown(() => ledger.close());
  t.match(ledger.movedAside, /ledger\.db\.corrupt-\d{8}T\d{6}$/);
  t.same(readFileSync(ledger.movedAside!), GARBAGE, 'original bytes under the new name');
  t.ok(
    lines.some((l) => l.includes('LEDGER CORRUPT') && l.includes('"level":50')),
    'logged as an error',
  );
  ledger.create(sale(1));
  t.equal(ledger.get('boot1-1')?.saleId, 'boot1-1');

  // A second corruption in the same second does not overwrite the first.
  ledger.close();
  writeFileSync(path, GARBAGE);
  const again = Ledger.open({ path, log, onCorrupt: 'move-aside-and-start-new', now: () => T0 });
  t.teardown(() => again.close());
  t.equal(again.movedAside, `${ledger.movedAside!}-2`);
  t.same(readFileSync(ledger.movedAside!), GARBAGE, 'the first one is still there');
  t.end();
});

t.test('a database with damaged pages fails quick_check and is refused untouched', (t) => {
  const dir = t.testdir();
  const path = ledgerWith(dir, 300);
  const bytes = readFileSync(path);
  const pageSize = 4096;
  t.ok(bytes.length > pageSize * 6, 'several pages to damage');
  bytes.fill(0xa5, pageSize * 3, pageSize * 5);
  writeFileSync(path, bytes);
  const e = thrown(() => Ledger.open({ path, log }));
  t.ok(isAgentError(e, ErrorCode.LedgerCorrupt), String(e));
  t.same(readFileSync(path), bytes);
  t.end();
});

t.test('a ledger from a newer agent is refused as LedgerTooNew and never touched', (t) => {
  const dir = t.testdir();
  const path = ledgerWith(dir, 3);
  const raw = new Database(path);
  raw.pragma('user_version = 7');
  raw.close();
  const before = readFileSync(path);
  for (const onCorrupt of ['refuse', 'move-aside-and-start-new'] as const) {
    const e = thrown(() => Ledger.open({ path, log, onCorrupt }));
    t.ok(isAgentError(e, ErrorCode.LedgerTooNew), `${onCorrupt}: LedgerTooNew`);
    t.match(String(e), new RegExp(`version 7.*\\(${SCHEMA_VERSION}\\)`), 'names both versions');
  }
  t.same(readFileSync(path), before, 'same bytes');
  t.strictSame(readdirSync(dir), ['ledger.db'], 'not moved, no companions left behind');
  t.end();
});

t.test('a full disk makes create throw LedgerUnwritable and keeps earlier sales readable', (t) => {
  const path = join(t.testdir(), 'ledger.db');
  const ledger = Ledger.open({
    path,
    log,
    // No page beyond what the file has now: the next page the ledger needs is SQLITE_FULL.
    afterOpen: (db) => db.pragma(`max_page_count = ${String(db.pragma('page_count', { simple: true }))}`),
  });
  t.teardown(() => ledger.close());
  let n = 0;
  let e: unknown;
  for (; n < 1000 && e === undefined; n++) {
    try {
      ledger.create(sale(n + 1, { reason: 'a long reason '.repeat(40) }));
    } catch (err) {
      e = err;
    }
  }
  t.ok(isAgentError(e, ErrorCode.LedgerUnwritable), String(e));
  t.equal(isAgentError(e) && e.context?.sqliteCode, 'SQLITE_FULL');
  t.match(String(e), /disk full/);
  const recorded = n - 1;
  t.ok(recorded >= 1, `${recorded} sale(s) fitted before the disk was full`);
  t.equal(ledger.list().length, recorded, 'nothing half-written');
  t.equal(ledger.get(`boot1-${n}`), undefined, 'the failed sale is not recorded');
  t.equal(ledger.get('boot1-1')?.reason, 'a long reason '.repeat(40));
  t.throws(() => ledger.update('boot1-1', { reason: 'x'.repeat(20_000) }), {
    code: ErrorCode.LedgerUnwritable,
  });
  t.equal(
    ledger.get('boot1-1')?.reason,
    'a long reason '.repeat(40),
    'a failed update leaves the row as it was',
  );
  t.end();
});

t.test(
  'a read-only medium makes create and update throw LedgerUnwritable; earlier sales stay readable',
  (t) => {
    const path = ledgerWith(t.testdir(), 2);
    // chmod does not stop root (CI); query_only refuses writes on the ledger's own connection.
    const ledger = Ledger.open({ path, log, afterOpen: (db) => db.pragma('query_only = 1') });
    t.teardown(() => ledger.close());
    const e = thrown(() => ledger.create(sale(3)));
    t.ok(isAgentError(e, ErrorCode.LedgerUnwritable), String(e));
    t.match(isAgentError(e) ? e.context : {}, { sqliteCode: /^SQLITE_READONLY/ });
    t.throws(() => ledger.update('boot1-1', { printed: false }), { code: ErrorCode.LedgerUnwritable });
    t.equal(ledger.list().length, 2);
    t.equal(ledger.get('boot1-1')?.printed, true);
    t.end();
  },
);

t.test('a ledger in a directory that does not exist cannot be opened: LedgerUnwritable', (t) => {
  const path = join(t.testdir(), 'no-such-dir', 'ledger.db');
  const e = thrown(() => Ledger.open({ path, log }));
  t.ok(isAgentError(e, ErrorCode.LedgerUnwritable), String(e));
  t.match(String(e), path);
  t.notOk(existsSync(path));
  t.end();
});

t.test('a read-only directory refuses a new ledger (skipped as root, where chmod stops nothing)', (t) => {
  if (process.getuid?.() === 0) {
    t.pass('running as root: covered by the query_only test');
    t.end();
    return;
  }
  const dir = t.testdir();
  chmodSync(dir, 0o500);
  t.teardown(() => chmodSync(dir, 0o700));
  const e = thrown(() => Ledger.open({ path: join(dir, 'ledger.db'), log }));
  t.ok(isAgentError(e, ErrorCode.LedgerUnwritable), String(e));
  t.end();
});
