import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../../agent/ledger/migrations.js';
import { queueCommand, type QueueArgs } from '../../agent/cli/queue.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import { createLogger } from '../../agent/log.js';
import type { SaleRecord, SaleStatus } from '../../agent/payment/sale.js';

const log = createLogger('silent');
const FULL_CODE = '281234567890123456';
const T0 = Date.UTC(2026, 10, 25, 11, 30, 0);
const NOW = T0 + 10 * 60_000;

function sale(n: number, status: SaleStatus, extra: Partial<SaleRecord> = {}): SaleRecord {
  return {
    saleId: `boot1-${n}`,
    requestId: `req-${n}`,
    outBizId: `K01202611251930${String(n).padStart(6, '0')}`,
    status,
    amountFen: 1250 * n,
    negoPrice: String(1250 * n),
    codeMask: '****3456',
    storeId: '333333',
    machineId: 'K01',
    cashierId: '346753',
    cashierName: '张丽',
    createdAt: T0 + n * 60_000,
    updatedAt: T0 + n * 60_000,
    attempts: 1,
    printed: true,
    ...extra,
  };
}

/** A ledger as the daemon leaves it: one sale in every situation `queue` reports on. */
function fixture(t: Test): { path: string; ledger: Ledger } {
  const path = join(t.testdir(), 'ledger.db');
  const ledger = Ledger.open({ path, log });
  t.teardown(() => ledger.close());
  ledger.create(sale(1, 'succeeded'));
  ledger.create(sale(2, 'pending', { qrCode: FULL_CODE, reason: 'waiting for the payment service' }));
  ledger.create(sale(3, 'queued', { qrCode: FULL_CODE, offline: true, printed: false }));
  ledger.create(
    sale(4, 'failed', {
      offline: true,
      forwardedAt: T0 + 5 * 60_000,
      flag: 'served-unpaid: declined offline',
    }),
  );
  ledger.create(sale(5, 'succeeded', { printed: false, result: { bizOrderId: '9223372036854775807' } }));
  ledger.create(sale(6, 'refused'));
  return { path, ledger };
}

async function run(
  args: Partial<QueueArgs> & { statePath: string },
): Promise<{ code: number; out: string; err: string }> {
  const sink = (chunks: string[]): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, cb): void {
        chunks.push(chunk.toString('utf8'));
        cb();
      },
    });
  const out: string[] = [];
  const err: string[] = [];
  const code = await queueCommand(
    { sub: 'list', json: false, now: () => NOW, ...args },
    sink(out),
    sink(err),
  );
  return { code, out: out.join(''), err: err.join('') };
}

t.test(
  'list shows pending, queued, flagged and unprinted sales with age and amount, oldest first',
  async (t) => {
    const { path } = fixture(t);
    // The kiosk's zone, not the host's: the printed time must not depend on the machine running this.
    const r = await run({ statePath: path, timeZone: 'Asia/Shanghai' });
    t.equal(r.code, 0);
    const lines = r.out.trimEnd().split('\n');
    t.match(lines[0], /^STATUS\s+CREATED\s+AGE\s+AMOUNT\s+OUT_BIZ_ID\s+SALE\s+CODE\s+NOTES$/);
    t.strictSame(
      lines.slice(1).map((l) => l.split(/\s+/)[0]),
      ['pending', 'queued', 'failed', 'succeeded'],
    );
    t.match(
      r.out,
      /pending\s+2026-11-25 19:32:00 \(UTC\+8\)\s+8m00s\s+￥25\.00\s+K01202611251930000002\s+boot1-2\s+\*\*\*\*3456/,
      'the creation time in the kiosk zone, with the offset',
    );
    t.match(r.out, /FLAG: served-unpaid: declined offline/);
    t.notMatch(r.out, /boot1-1\b|boot1-6/, 'settled, printed sales are not listed');
    t.notMatch(r.out + r.err, FULL_CODE);
    t.end();
  },
);

t.test('list --status and --json select and shape the same sales without the full code', async (t) => {
  const { path } = fixture(t);
  const queued = await run({ statePath: path, status: 'queued' });
  t.match(queued.out, /boot1-3/);
  t.notMatch(queued.out, /boot1-2/);
  const json = await run({ statePath: path, json: true });
  const parsed = JSON.parse(json.out) as { now: number; sales: Record<string, unknown>[] };
  t.equal(parsed.now, NOW);
  t.strictSame(
    parsed.sales.map((s) => s.saleId),
    ['boot1-2', 'boot1-3', 'boot1-4', 'boot1-5'],
  );
  t.match(parsed.sales[0], {
    status: 'pending',
    amountFen: 2500,
    amount: '25.00',
    code: '****3456',
    ageMs: 480_000,
  });
  t.notOk(parsed.sales.some((s) => 'qrCode' in s));
  t.notMatch(json.out, FULL_CODE);
  const bad = await run({ statePath: path, status: 'lost' });
  t.equal(bad.code, 64);
  t.match(bad.err, /unknown status "lost"; one of: created, sent/);
  t.end();
});

t.test(
  'show finds a sale by sale id, out_biz_id or request_id and prints every field but the code',
  async (t) => {
    const { path } = fixture(t);
    for (const ref of ['boot1-3', 'K01202611251930000003', 'req-3']) {
      const r = await run({ statePath: path, sub: 'show', ref });
      t.equal(r.code, 0, ref);
      t.match(r.out, /status:\s+queued/);
      t.match(r.out, /out_biz_id:\s+K01202611251930000003/);
      t.match(r.out, /code:\s+\*\*\*\*3456/);
      t.match(r.out, /cashier:\s+张丽 \(346753\)/);
      t.match(r.out, /printed:\s+NO/);
      t.notMatch(r.out, FULL_CODE);
    }
    const big = await run({ statePath: path, sub: 'show', ref: 'boot1-5', json: true });
    const parsed = JSON.parse(big.out) as { result: { bizOrderId: string }; code: string };
    t.equal(parsed.result.bizOrderId, '9223372036854775807', 'a 19-digit id stays exact');
    const pending = await run({ statePath: path, sub: 'show', ref: 'boot1-2', json: true });
    t.notMatch(pending.out, FULL_CODE);
    t.notOk('qrCode' in (JSON.parse(pending.out) as object));
    const missing = await run({ statePath: path, sub: 'show', ref: 'K01-nope' });
    t.equal(missing.code, 1);
    t.match(missing.err, /no sale matches "K01-nope"/);
    t.equal((await run({ statePath: path, sub: 'show' })).code, 64);
    t.end();
  },
);

t.test('report totals every state and names what needs a person, in text and JSON', async (t) => {
  const { path } = fixture(t);
  const text = await run({ statePath: path, sub: 'report' });
  t.equal(text.code, 0);
  t.match(text.out, /succeeded\s+2\s+￥75\.00/);
  t.match(text.out, /created\s+0\s+￥0\.00/);
  t.match(text.out, /oldest open sale: 8m00s/);
  t.match(text.out, /flagged: 1 \(served-unpaid 1\)\s+unprinted receipts: 2/);
  t.match(text.out, /!!! served but unpaid: 1 sale\(s\), ￥50\.00/);
  t.match(text.out, /pending \(waiting for the payment service\): 1 sale\(s\), ￥25\.00, oldest 8m00s/);
  t.match(text.out, /queued \(accepted offline, not yet forwarded\): 1 sale\(s\), ￥37\.50, oldest 7m00s/);
  t.match(text.out, /SERVED BUT UNPAID[^\n]*: 1 sale\(s\), ￥50\.00[^\n]*\n[^\n]*\n\s+failed .*boot1-4/);
  t.notMatch(text.out, /MOVED ASIDE/);
  t.notMatch(text.out, FULL_CODE);
  const json = await run({ statePath: path, sub: 'report', json: true });
  const r = JSON.parse(json.out) as {
    byStatus: Record<string, { count: number; amountFen: number }>;
    servedUnpaid: { saleId: string }[];
    pending: { saleId: string }[];
    movedAside: unknown[];
  };
  t.strictSame(r.byStatus.queued, { count: 1, amountFen: 3750 });
  t.strictSame(
    r.servedUnpaid.map((s) => s.saleId),
    ['boot1-4'],
  );
  t.strictSame(
    r.pending.map((s) => s.saleId),
    ['boot1-2'],
  );
  t.strictSame(r.movedAside, []);
  t.notMatch(json.out, FULL_CODE);
  t.end();
});

t.test('report says loudly when a corrupt ledger was moved aside', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'ledger.db');
  writeFileSync(path, 'garbage '.repeat(100));
  const ledger = Ledger.open({ path, log, onCorrupt: 'move-aside-and-start-new', now: () => T0 });
  ledger.close();
  const text = await run({ statePath: path, sub: 'report' });
  t.match(
    text.out,
    /^!!! LEDGER MOVED ASIDE at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d: .*ledger\.db\.corrupt-\d{8}T\d{6}\n/,
  );
  const json = JSON.parse((await run({ statePath: path, sub: 'report', json: true })).out) as {
    movedAside: { file: string; at: string }[];
  };
  t.equal(json.movedAside[0]?.file, ledger.movedAside);
  const list = await run({ statePath: path });
  t.match(list.err, /LEDGER MOVED ASIDE/, 'list warns too, on stderr');
  t.end();
});

t.test('queue reads while the daemon holds the ledger open and writing', async (t) => {
  const { path, ledger } = fixture(t);
  const before = JSON.parse((await run({ statePath: path, json: true })).out) as { sales: unknown[] };
  ledger.create(sale(7, 'pending', { qrCode: FULL_CODE }));
  const after = JSON.parse((await run({ statePath: path, json: true })).out) as { sales: unknown[] };
  t.equal(after.sales.length, before.sales.length + 1);
  ledger.update('boot1-7', { status: 'succeeded', printed: true });
  t.equal(ledger.get('boot1-7')?.status, 'succeeded', 'the daemon still writes after the CLI has read');
  t.end();
});

t.test(
  'a missing, corrupt or too-new ledger is a clear message and exit 1, and is left unchanged',
  async (t) => {
    const dir = t.testdir();
    const missing = await run({ statePath: join(dir, 'nope.db') });
    t.equal(missing.code, 1);
    t.match(missing.err, /no ledger at .*nope\.db/);

    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'garbage '.repeat(100));
    const g = await run({ statePath: garbage, sub: 'report' });
    t.equal(g.code, 1);
    t.match(g.err, /garbage\.db is not a readable SQLite database/);

    const newer = join(dir, 'newer.db');
    Ledger.open({ path: newer, log }).close();
    const raw = new Database(newer);
    raw.pragma('user_version = 9');
    raw.close();
    const bytes = readFileSync(newer);
    const n = await run({ statePath: newer, sub: 'report' });
    t.equal(n.code, 1);
    t.match(n.err, new RegExp(`schema version 9, newer than this agent knows \\(${SCHEMA_VERSION}\\)`));
    t.same(readFileSync(newer), bytes);
    t.end();
  },
);
