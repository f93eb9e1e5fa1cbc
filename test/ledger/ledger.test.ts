import t, { type Test } from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION } from '../../agent/ledger/migrations.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import { createLogger } from '../../agent/log.js';
import type { SaleRecord, SaleStatus } from '../../agent/payment/sale.js';

const log = createLogger('silent');
const FULL_CODE = '281234567890123456';
const T0 = Date.UTC(2026, 10, 25, 11, 30, 0);

function sale(n: number, status: SaleStatus, extra: Partial<SaleRecord> = {}): SaleRecord {
  return {
    saleId: `boot1-${n}`,
    requestId: `req-${n}`,
    outBizId: `K01202611251930${String(n).padStart(6, '0')}`,
    status,
    amountFen: 100 * n,
    negoPrice: String(100 * n),
    codeMask: '****3456',
    storeId: '333333',
    machineId: 'K01',
    cashierId: '346753',
    cashierName: '张丽',
    createdAt: T0 + n * 1000,
    updatedAt: T0 + n * 1000,
    attempts: 0,
    printed: false,
    ...(status === 'succeeded' || status === 'failed' || status === 'refused' ? {} : { qrCode: FULL_CODE }),
    ...extra,
  };
}

/** Every optional field set, with the values that break naive storage. */
const FULL: SaleRecord = sale(1, 'pending', {
  itemId: 1001,
  label: '单次入场',
  result: {
    checkoutId: '2026112522001234567890',
    bizOrderId: '9223372036854775807',
    paymentOrderId: '4200001234202611251234567890',
    currentPayFee: 1250,
    buyerId: '2088102122524333',
  },
  error: { code: 15, subCode: 'isp.timeout', msg: 'Remote service error', subMsg: '超时', traceId: 'abc123' },
  reason: 'waiting for the payment service',
  attempts: 3,
  offline: false,
  forwardedAt: T0 + 5000,
  flag: 'unresolved after 24 h: reconcile manually',
});

function open(t: Test, path?: string): { ledger: Ledger; path: string } {
  const file = path ?? join(t.testdir(), 'ledger.db');
  const ledger = Ledger.open({ path: file, log });
  t.teardown(() => ledger.close());
  return { ledger, path: file };
}

t.test(
  'a file ledger reads back journal_mode WAL, synchronous FULL, incremental auto-vacuum and a 2 MB page cache',
  (t) => {
    const path = join(t.testdir(), 'ledger.db');
    const seen: Record<string, unknown> = {};
    const ledger = Ledger.open({
      path,
      log,
      // synchronous is per connection, so it is read on the ledger's own.
      afterOpen: (db) => {
        const names = [
          'journal_mode',
          'synchronous',
          'foreign_keys',
          'busy_timeout',
          'auto_vacuum',
          'cache_size',
        ];
        for (const p of [...names, 'mmap_size']) {
          seen[p] = db.pragma(p, { simple: true });
        }
      },
    });
    t.teardown(() => ledger.close());
    t.strictSame(seen, {
      journal_mode: 'wal',
      synchronous: 2,
      foreign_keys: 1,
      busy_timeout: 5000,
      auto_vacuum: 2,
      cache_size: -1024,
      mmap_size: 0,
    });
    ledger.create(sale(1, 'created'));
    const raw = new Database(path, { readonly: true });
    t.teardown(() => raw.close());
    t.equal(raw.pragma('journal_mode', { simple: true }), 'wal', 'WAL is recorded in the file');
    t.equal(raw.pragma('auto_vacuum', { simple: true }), 2, 'INCREMENTAL is recorded in the file');
    t.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    // Why FULL must be set explicitly: better-sqlite3 builds with a WAL default of NORMAL (1).
    t.equal(raw.pragma('synchronous', { simple: true }), 1, 'a connection left alone would be NORMAL');
    // Why the page cache is set: this build's default is 16 MB per connection (-16000 KiB).
    t.equal(raw.pragma('cache_size', { simple: true }), -16000, 'a connection left alone caches 16 MB');
    t.end();
  },
);

t.test('a sale round-trips exactly, optional fields absent or present as written', (t) => {
  const { ledger } = open(t);
  const bare = sale(2, 'created');
  ledger.create(FULL);
  ledger.create(bare);
  t.strictSame(ledger.get(FULL.saleId), FULL);
  t.strictSame(ledger.get(bare.saleId), bare);
  const got = ledger.get(bare.saleId)!;
  for (const k of ['itemId', 'label', 'result', 'error', 'reason', 'offline', 'forwardedAt', 'flag']) {
    t.notOk(k in got, `${k} is absent, not undefined`);
  }
  t.equal(typeof ledger.get(FULL.saleId)?.result?.bizOrderId, 'string', '19-digit id stays a string');
  t.equal(ledger.get(FULL.saleId)?.result?.bizOrderId, '9223372036854775807');
  t.end();
});

t.test('update applies only the patched fields and returns the stored record', (t) => {
  const { ledger } = open(t);
  ledger.create(sale(1, 'created'));
  const after = ledger.update('boot1-1', {
    status: 'sent',
    attempts: 1,
    updatedAt: T0 + 9000,
    offline: true,
  });
  const want = {
    ...sale(1, 'created'),
    status: 'sent' as const,
    attempts: 1,
    updatedAt: T0 + 9000,
    offline: true,
  };
  t.strictSame(after, want);
  t.strictSame(ledger.get('boot1-1'), want);
  t.strictSame(ledger.update('boot1-1', {}), want, 'an empty patch changes nothing');
  t.end();
});

t.test('an update to a final status drops the full code in the same statement', (t) => {
  const { ledger, path } = open(t);
  ledger.create(sale(1, 'pending'));
  const raw = new Database(path, { readonly: true });
  t.teardown(() => raw.close());
  const code = raw.prepare<[], { qr_code: string | null }>('SELECT qr_code FROM sales');
  t.equal(code.get()?.qr_code, FULL_CODE, 'unresolved: full code kept');
  const done = ledger.update('boot1-1', { status: 'succeeded', updatedAt: T0 + 2000 });
  t.notOk('qrCode' in done);
  t.equal(done.codeMask, '****3456');
  t.equal(code.get()?.qr_code, null, 'a second connection sees NULL');
  t.equal(
    ledger.update('boot1-1', { qrCode: FULL_CODE }).qrCode,
    undefined,
    'a final sale never takes one back',
  );
  t.end();
});

t.test('create and update refuse what the schema refuses, as LedgerRejected', (t) => {
  const { ledger } = open(t);
  ledger.create(sale(1, 'created'));
  t.throws(() => ledger.create(sale(1, 'created')), { code: 313 }, 'duplicate ids');
  t.throws(
    () => ledger.create(sale(2, 'created', { requestId: 'req-1' })),
    { code: 313 },
    'duplicate request_id',
  );
  t.throws(() => ledger.create(sale(3, 'created', { amountFen: 12.5 })), { code: 313 }, 'a float amount');
  t.throws(() => ledger.update('nope', { attempts: 1 }), { code: 313 }, 'an unknown sale');
  t.equal(ledger.list().length, 1);
  t.end();
});

t.test('each query returns the right sales in the right order', (t) => {
  const { ledger } = open(t);
  const sales = [
    sale(1, 'succeeded', { printed: true }),
    sale(2, 'pending'),
    sale(3, 'queued', { offline: true }),
    sale(4, 'created'),
    sale(5, 'failed', { offline: true, flag: 'declined after it was accepted offline', printed: true }),
    sale(6, 'queued', { offline: true }),
    sale(7, 'sent'),
    sale(8, 'refused', { printed: true }),
  ];
  // Inserted out of order: ordering must come from created_at, not from insertion.
  for (const s of [...sales].reverse()) ledger.create(s);
  const ids = (rs: SaleRecord[]): string[] => rs.map((r) => r.saleId);
  t.strictSame(
    ids(ledger.unresolved()),
    ['boot1-2', 'boot1-4', 'boot1-7'],
    'created|sent|pending, oldest first',
  );
  t.strictSame(ids(ledger.queued()), ['boot1-3', 'boot1-6']);
  t.strictSame(ledger.queuedTotals(), { count: 2, amountFen: 900 });
  t.strictSame(ids(ledger.unprinted()), ['boot1-2', 'boot1-3', 'boot1-4', 'boot1-6', 'boot1-7']);
  t.strictSame(ids(ledger.unprinted(2)), ['boot1-2', 'boot1-3']);
  t.equal(ledger.last()?.saleId, 'boot1-8');
  t.strictSame(ids(ledger.list()), sales.map((s) => s.saleId).reverse(), 'newest first');
  t.strictSame(ids(ledger.list({ statuses: ['queued', 'failed'] })), ['boot1-6', 'boot1-5', 'boot1-3']);
  t.strictSame(ids(ledger.list({ flagged: true })), ['boot1-5']);
  t.strictSame(ids(ledger.list({ limit: 2 })), ['boot1-8', 'boot1-7']);
  t.equal(ledger.find('boot1-3')?.saleId, 'boot1-3', 'by sale id');
  t.equal(ledger.find(sale(3, 'queued').outBizId)?.saleId, 'boot1-3', 'by out_biz_id');
  t.equal(ledger.find('req-3')?.saleId, 'boot1-3', 'by request_id');
  t.equal(ledger.find('nothing'), undefined);
  const summary = ledger.summary();
  t.strictSame(summary.byStatus.queued, { count: 2, amountFen: 900 });
  t.strictSame(summary.byStatus.succeeded, { count: 1, amountFen: 100 });
  t.strictSame(summary.byStatus.created, { count: 1, amountFen: 400 });
  t.equal(summary.flagged, 1);
  t.equal(summary.unprinted, 5);
  t.equal(summary.oldestOpenAt, T0 + 2000);
  t.end();
});

t.test('an empty ledger answers every query with nothing', (t) => {
  const ledger = Ledger.open({ path: ':memory:', log });
  t.teardown(() => ledger.close());
  t.strictSame(ledger.unresolved(), []);
  t.strictSame(ledger.queuedTotals(), { count: 0, amountFen: 0 });
  t.equal(ledger.last(), undefined);
  const summary = ledger.summary();
  t.strictSame(summary.byStatus.pending, { count: 0, amountFen: 0 });
  t.notOk('oldestOpenAt' in summary);
  t.end();
});

t.test('closing and reopening the file keeps every sale', (t) => {
  const dir = t.testdir();
  const path = join(dir, 'ledger.db');
  const first = Ledger.open({ path, log });
  first.create(FULL);
  first.create(sale(2, 'queued'));
  first.update('boot1-2', { attempts: 4 });
  first.close();
  first.close(); // closing twice is harmless
  const { ledger } = open(t, path);
  t.strictSame(ledger.get(FULL.saleId), FULL);
  t.equal(ledger.get('boot1-2')?.attempts, 4);
  t.end();
});

t.test('a read-only connection reads while the ledger and another writer change the file', (t) => {
  const { ledger, path } = open(t);
  ledger.create(sale(1, 'pending'));
  const reader = new Database(path, { readonly: true });
  t.teardown(() => reader.close());
  const count = reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM sales');
  t.equal(count.get()?.n, 1, 'sees a committed sale');

  // A read transaction holds a snapshot; the ledger still commits (WAL never blocks it).
  reader.exec('BEGIN');
  t.equal(count.get()?.n, 1);
  ledger.create(sale(2, 'pending'));
  t.equal(count.get()?.n, 1, 'the snapshot is stable');
  reader.exec('COMMIT');
  t.equal(count.get()?.n, 2, 'then the new sale is visible');

  // Uncommitted writes of another connection are invisible and do not block the reader.
  const writer = new Database(path);
  t.teardown(() => writer.close());
  writer.exec('BEGIN IMMEDIATE');
  writer.exec("UPDATE sales SET attempts = 9 WHERE sale_id = 'boot1-1'");
  t.equal(reader.prepare('SELECT attempts FROM sales WHERE sale_id = ?').pluck().get('boot1-1'), 0);
  writer.exec('ROLLBACK');
  t.end();
});

t.test('a ledger written by the first schema is migrated in place and keeps its sales', (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'v1.db');
  const raw = new Database(path);
  raw.exec(MIGRATIONS[0]!.sql);
  raw.pragma('user_version = 1');
  raw.exec(`INSERT INTO sales (out_biz_id, sale_id, request_id, status, amount_fen, nego_price, code_mask, store_id,
    machine_id, cashier_id, cashier_name, created_at, updated_at, attempts, printed)
    VALUES ('O1', 'S1', 'R1', 'succeeded', 1250, '1250', '****3456', '333333', 'K01', '346753', '张丽', 1, 2, 1, 1)`);
  raw.close();
  const ledger = Ledger.open({ path, log: createLogger('silent') });
  t.equal(ledger.get('S1')?.amountFen, 1250);
  t.equal(ledger.get('S1')?.reprint, undefined);
  ledger.update('S1', { reprint: true, printed: false });
  t.equal(ledger.get('S1')?.reprint, true);
  ledger.close();
  const check = new Database(path, { readonly: true });
  t.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  check.close();
  t.end();
});
