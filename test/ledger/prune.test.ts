import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Ledger } from '../../agent/ledger/ledger.js';
import { createLogger } from '../../agent/log.js';
import type { SaleRecord, SaleStatus } from '../../agent/payment/sale.js';

const log = createLogger('silent');
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

function sale(n: number, status: SaleStatus, at: number, extra: Partial<SaleRecord> = {}): SaleRecord {
  // Ids of one width: a row that grows by a digit on day 10 would measure its size, not pruning.
  const id = String(n).padStart(5, '0');
  return {
    saleId: `boot1-${n}`,
    requestId: `req-${id}-${'r'.repeat(40)}`,
    outBizId: `K01-${id}-${'o'.repeat(40)}`,
    status,
    amountFen: 1250,
    negoPrice: '1250',
    label: '单次入场 single entry',
    codeMask: '****3456',
    storeId: '333333',
    machineId: 'K01',
    cashierId: '346753',
    cashierName: '张丽',
    createdAt: at,
    updatedAt: at,
    result: { checkoutId: '2026112522001234567890', bizOrderId: '9223372036854775807' },
    reason: 'x'.repeat(200),
    attempts: 1,
    printed: true,
    ...extra,
  };
}

t.test('prune deletes only final, unflagged sales last updated before the cut-off', (t) => {
  const ledger = Ledger.open({ path: join(t.testdir(), 'ledger.db'), log });
  t.teardown(() => ledger.close());
  const old = T0;
  const recent = T0 + 40 * DAY;
  ledger.create(sale(1, 'succeeded', old));
  ledger.create(sale(2, 'failed', old));
  ledger.create(sale(3, 'refused', old));
  ledger.create(sale(4, 'pending', old, { qrCode: '281234567890123456' }));
  ledger.create(sale(5, 'queued', old));
  ledger.create(sale(6, 'failed', old, { offline: true, flag: 'declined after it was accepted offline' }));
  ledger.create(sale(7, 'succeeded', recent));
  // Created long ago but finished recently: retention counts from the last change.
  ledger.create(sale(8, 'pending', old, { qrCode: '281234567890123456' }));
  ledger.update('boot1-8', { status: 'succeeded', updatedAt: recent });

  t.equal(ledger.prune(T0 + 30 * DAY), 3);
  t.strictSame(
    ledger
      .list()
      .map((r) => r.saleId)
      .sort(),
    ['boot1-4', 'boot1-5', 'boot1-6', 'boot1-7', 'boot1-8'],
  );
  t.equal(ledger.prune(T0 + 30 * DAY), 0, 'nothing left to prune');
  t.end();
});

t.test('the file stays bounded over many days of sales and pruning', (t) => {
  const path = join(t.testdir(), 'ledger.db');
  const ledger = Ledger.open({ path, log });
  t.teardown(() => ledger.close());
  const raw = new Database(path, { readonly: true });
  t.teardown(() => raw.close());
  const pages = (): number => raw.pragma('page_count', { simple: true }) as number;

  const perDay = 100;
  const retentionDays = 3;
  const sizes: number[] = [];
  let n = 0;
  for (let day = 0; day < 20; day++) {
    for (let i = 0; i < perDay; i++) {
      n += 1;
      const at = T0 + day * DAY + i * 1000;
      ledger.create(sale(n, 'pending', at, { qrCode: '281234567890123456' }));
      ledger.update(`boot1-${n}`, { status: 'succeeded', updatedAt: at + 500 });
    }
    ledger.prune(T0 + (day + 1 - retentionDays) * DAY);
    sizes.push(pages());
  }
  const steady = sizes.slice(retentionDays + 1);
  const max = Math.max(...steady);
  const min = Math.min(...steady);
  t.ok(max <= min * 1.5, `page_count stays flat once retention is reached (${min}..${max})`);
  t.ok(
    (sizes.at(-1) ?? 0) <= (sizes[retentionDays] ?? 0) * 1.5,
    'the last day is no larger than the first full one',
  );
  t.equal(raw.pragma('freelist_count', { simple: true }), 0, 'freed pages are returned to the filesystem');
  t.equal(ledger.list().length, perDay * retentionDays, 'only the retained days remain');
  t.end();
});
