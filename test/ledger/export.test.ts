/**
 * `queue export`: a golden CSV (the byte-exact file finance opens), read back with Python's csv
 * module as a spreadsheet would read it (19-digit ids intact, Chinese intact), totals that match
 * `queue report`, calendar days in the kiosk's zone, no payment code, and clear usage errors.
 *
 *   UPDATE_GOLDEN=1 node_modules/.bin/tap --disable-coverage test/ledger/export.test.ts
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { exportCommand, type ExportArgs } from '../../agent/cli/export.js';
import { queueCommand } from '../../agent/cli/queue.js';
import { EXPORT_COLUMNS } from '../../agent/ledger/export.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import { SALE_STATUSES } from '../../agent/ledger/rows.js';
import { createLogger } from '../../agent/log.js';
import type { SaleRecord, SaleStatus } from '../../agent/payment/sale.js';

const GOLDEN = new URL('../fixtures/export/sales-2026-12-01-to-04.csv', import.meta.url).pathname;
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const log = createLogger('silent');
const FULL_CODE = '281234567890123456';
const MEMBER_CODE = 'M99887766';
/** Ids past 2^53: a number on the way would change their last digits. */
const BIZ_ORDER = '9007199254740993123';
const PAYMENT_ORDER = '2026120422001412345';
const BUYER = '2088102177846875';
/** 2026-12-0D HH:MM:SS in Shanghai (UTC+8), as epoch ms. */
const sh = (d: number, h: number, m = 0, s = 0, ms = 0): number => Date.UTC(2026, 11, d, h - 8, m, s, ms);

let n = 0;
function sale(status: SaleStatus, createdAt: number, extra: Partial<SaleRecord> = {}): SaleRecord {
  n += 1;
  return {
    saleId: `boot1-${n}`,
    requestId: `K01-req-${String(n).padStart(4, '0')}`,
    outBizId: `K01${String(createdAt)}${String(n).padStart(3, '0')}`,
    status,
    amountFen: 3900,
    negoPrice: '3900',
    itemId: 1001,
    label: '单次入场',
    codeMask: '****3456',
    storeId: '333333',
    machineId: 'K01',
    cashierId: '346753',
    cashierName: '张丽',
    createdAt,
    updatedAt: createdAt + 2_000,
    attempts: 1,
    printed: true,
    ...extra,
  };
}

/** A ledger with one sale in every situation finance meets, and sales just outside the range. */
function fixture(t: Test): string {
  n = 0;
  const path = join(t.testdir(), 'ledger.db');
  const ledger = Ledger.open({ path, log });
  const paid = {
    checkoutId: '1234567890123',
    bizOrderId: BIZ_ORDER,
    paymentOrderId: PAYMENT_ORDER,
    buyerId: BUYER,
  };
  ledger.create(sale('succeeded', sh(0, 23, 59, 59, 999))); // 2026-11-30 23:59:59.999: before the range
  ledger.create(sale('succeeded', sh(1, 0), { result: { ...paid, currentPayFee: 3900 } }));
  ledger.create(
    sale('succeeded', sh(1, 9, 15, 30), {
      amountFen: 29900,
      negoPrice: '29900',
      itemId: 1002,
      label: '月卡',
      result: { ...paid, bizOrderId: '2026120122001400001', currentPayFee: 29900 },
    }),
  );
  ledger.create(
    sale('failed', sh(2, 18, 0, 5), {
      label: '毛巾, "大号"',
      amountFen: 500,
      negoPrice: '500',
      reason: '=HYPERLINK("http://x","declined: isv.balance-not-enough")',
      printed: false,
    }),
  );
  ledger.create(
    sale('pending', sh(3, 12), { qrCode: FULL_CODE, reason: 'waiting for the payment service', attempts: 4 }),
  );
  ledger.create(
    sale('queued', sh(3, 13), { qrCode: MEMBER_CODE, offline: true, printed: false, codeMask: '****7766' }),
  );
  ledger.create(
    sale('failed', sh(4, 8), {
      offline: true,
      forwardedAt: sh(4, 8, 30),
      reason: 'declined by the payment service: 会员卡冻结',
      flag: 'served-unpaid: accepted offline, then declined: 会员卡冻结',
    }),
  );
  ledger.create(
    sale('succeeded', sh(4, 20), {
      result: { ...paid, bizOrderId: '1000000000000000001', currentPayFee: 3800 },
      flag: 'amount-mismatch: charged 38.00, price 39.00 | unresolved: pending 25h',
    }),
  );
  // A typed amount without a preset: no item.
  const typed = sale('refused', sh(4, 23, 59, 59, 999));
  delete typed.label;
  delete typed.itemId;
  ledger.create(typed);
  ledger.create(sale('succeeded', sh(5, 0))); // 2026-12-05 00:00: after the range
  ledger.close();
  return path;
}

async function run(
  args: Partial<ExportArgs> & { ledgerPath: string },
): Promise<{ code: number; out: string; err: string }> {
  const chunks = { out: [] as string[], err: [] as string[] };
  const sink = (into: string[]): Writable =>
    new Writable({
      write(chunk: Buffer, _e, cb): void {
        into.push(chunk.toString('utf8'));
        cb();
      },
    });
  const code = await exportCommand(
    { from: '2026-12-01', to: '2026-12-04', format: undefined, timeZone: 'Asia/Shanghai', ...args },
    sink(chunks.out),
    sink(chunks.err),
  );
  return { code, out: chunks.out.join(''), err: chunks.err.join('') };
}

t.test('the CSV matches the golden file byte for byte', async (t) => {
  const r = await run({ ledgerPath: fixture(t) });
  t.equal(r.code, 0, r.err);
  if (UPDATE) writeFileSync(GOLDEN, r.out);
  t.equal(r.out, readFileSync(GOLDEN, 'utf8'));
  t.ok(r.out.startsWith('\uFEFF'), 'UTF-8 byte-order mark for Excel');
  t.match(r.out, /\r\n/, 'CRLF line ends');
  t.notMatch(r.out, /\n(?<!\r\n)/u, 'no bare LF');
});

/** Python's csv module, as a spreadsheet-like reader: utf-8-sig drops the BOM, newline='' keeps CRLF rules. */
function pythonCsv(file: string): string[][] {
  const script =
    'import csv,json,sys\n' +
    'with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:\n' +
    '    json.dump(list(csv.reader(f)), sys.stdout, ensure_ascii=False)\n';
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as string[][];
}

t.test('read back by the csv module: 19-digit ids, Chinese, quotes and commas intact', (t) => {
  const rows = pythonCsv(GOLDEN);
  const blank = rows.findIndex((r) => r.length === 0);
  t.ok(blank > 0, 'an empty line ends the sales table');
  const [header, ...sales] = rows.slice(0, blank);
  t.strictSame(header, [...EXPORT_COLUMNS], 'the documented column order');
  const col = (name: string): number => EXPORT_COLUMNS.indexOf(name as (typeof EXPORT_COLUMNS)[number]);
  t.equal(sales.length, 8, 'the 8 sales of 1-4 December, not the ones just outside');
  t.ok(
    sales.every((r) => r.length === EXPORT_COLUMNS.length),
    'every row has every column',
  );
  const biz = sales.map((r) => r[col('biz_order_id')]);
  t.ok(biz.includes(BIZ_ORDER), `${BIZ_ORDER} as written`);
  t.ok(biz.includes('1000000000000000001'));
  t.ok(sales.some((r) => r[col('payment_order_id')] === PAYMENT_ORDER));
  t.ok(sales.some((r) => r[col('buyer_id')] === BUYER));
  t.equal(sales[0]?.[col('created_at')], '2026-12-01 00:00:00+08:00', 'midnight of --from is in');
  t.equal(sales.at(-1)?.[col('created_at')], '2026-12-04 23:59:59+08:00', 'the last instant of --to is in');
  t.equal(sales[1]?.[col('item')], '月卡');
  t.equal(sales[2]?.[col('item')], '毛巾, "大号"');
  t.equal(
    sales[2]?.[col('reason')],
    `'=HYPERLINK("http://x","declined: isv.balance-not-enough")`,
    'a formula from outside is defused',
  );
  const unpaid = sales.find((r) => r[col('flags')] === 'served-unpaid');
  t.equal(unpaid?.[col('offline')], 'yes');
  t.equal(unpaid?.[col('forwarded_at')], '2026-12-04 08:30:00+08:00');
  const mismatch = sales.find((r) => (r[col('flags')] ?? '').includes('amount-mismatch'));
  t.equal(mismatch?.[col('flags')], 'amount-mismatch | unresolved');
  t.equal(mismatch?.[col('amount_fen')], '3900');
  t.equal(mismatch?.[col('charged_fen')], '3800');
  t.equal(mismatch?.[col('charged_yuan')], '38.00');
  const text = readFileSync(GOLDEN, 'utf8');
  t.notMatch(text, FULL_CODE, 'no payment code');
  t.notMatch(text, MEMBER_CODE, 'no member code');
  t.notMatch(text, /\*\*\*\*/, 'not even masked');
  const [totalsHeader, ...totals] = rows.slice(blank + 1).filter((r) => r.length > 0);
  t.strictSame(totalsHeader, ['status', 'count', 'amount_yuan', 'amount_fen']);
  t.strictSame(
    totals.map((r) => r[0]),
    [...SALE_STATUSES],
  );
  // Totals are the sums of the rows above them.
  for (const [status, count, yuan, fen] of totals) {
    const mine = sales.filter((r) => r[col('status')] === status);
    t.equal(Number(count), mine.length, `${status} count`);
    t.equal(
      Number(fen),
      mine.reduce((s, r) => s + Number(r[col('amount_fen')]), 0),
      `${status} fen`,
    );
    t.equal(yuan, (Number(fen) / 100).toFixed(2));
  }
  t.end();
});

t.test('over the whole ledger, the totals are those of queue report', async (t) => {
  const path = fixture(t);
  const csv = await run({ ledgerPath: path, from: '2026-11-01', to: '2026-12-31', format: 'json' });
  t.equal(csv.code, 0, csv.err);
  const exported = JSON.parse(csv.out) as {
    totals: Record<string, { count: number; amountFen: number }>;
    sales: unknown[];
  };
  t.equal(exported.sales.length, 10);
  const chunks: string[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb): void {
      chunks.push(c.toString());
      cb();
    },
  });
  t.equal(await queueCommand({ sub: 'report', json: true, statePath: path }, sink, sink), 0);
  const report = JSON.parse(chunks.join('')) as {
    byStatus: Record<string, { count: number; amountFen: number }>;
  };
  for (const s of SALE_STATUSES) {
    t.strictSame(
      { count: exported.totals[s]?.count, amountFen: exported.totals[s]?.amountFen },
      report.byStatus[s],
      s,
    );
  }
});

t.test('--format json: the same columns, ids as strings, fen as numbers', async (t) => {
  const r = await run({ ledgerPath: fixture(t), format: 'json' });
  t.equal(r.code, 0);
  const doc = JSON.parse(r.out) as {
    from: string;
    to: string;
    timeZone: string;
    columns: string[];
    sales: Record<string, unknown>[];
    totals: Record<string, { count: number; amountFen: number; amountYuan: string }>;
  };
  t.match(doc, { from: '2026-12-01', to: '2026-12-04', timeZone: 'Asia/Shanghai' });
  t.strictSame(doc.columns, [...EXPORT_COLUMNS]);
  t.equal(doc.sales.length, 8);
  t.strictSame(Object.keys(doc.sales[0] ?? {}), [...EXPORT_COLUMNS]);
  t.ok(
    doc.sales.some((s) => s['biz_order_id'] === BIZ_ORDER),
    'the 19-digit id is a string',
  );
  t.equal(typeof doc.sales[0]?.['amount_fen'], 'number');
  t.match(r.out, `"biz_order_id": "${BIZ_ORDER}"`, 'quoted in the JSON text itself');
  t.equal(doc.totals['succeeded']?.amountYuan, '377.00', '39 + 299 + 39');
  t.notMatch(r.out, FULL_CODE);
});

t.test('days are calendar days in the kiosk zone', async (t) => {
  const path = fixture(t);
  // In UTC, 2026-12-01 00:00 Shanghai is 30 November 16:00: that day's export has it.
  const utc = await run({
    ledgerPath: path,
    from: '2026-11-30',
    to: '2026-11-30',
    timeZone: 'UTC',
    format: 'json',
  });
  const sales = (JSON.parse(utc.out) as { sales: { created_at: string }[] }).sales;
  t.strictSame(
    sales.map((s) => s.created_at),
    ['2026-11-30 15:59:59+00:00', '2026-11-30 16:00:00+00:00'],
  );
});

t.test('usage errors name the flag, the value and what is expected', async (t) => {
  const path = fixture(t);
  const cases: [Partial<ExportArgs>, number, RegExp][] = [
    [{ from: undefined }, 64, /--from: missing — expected a day, YYYY-MM-DD/],
    [{ to: undefined }, 64, /--to: missing/],
    [{ from: '2026-13-01' }, 64, /--from: "2026-13-01" — expected a calendar day, YYYY-MM-DD/],
    [{ to: '4.12.2026' }, 64, /--to: "4\.12\.2026" — expected a calendar day/],
    [
      { from: '2026-12-05', to: '2026-12-04' },
      64,
      /--to: "2026-12-04" — expected 2026-12-05 \(--from\) or a later day/,
    ],
    [{ format: 'xlsx' }, 64, /--format: "xlsx" — expected csv or json/],
    [{ timeZone: 'Mars/Olympus' }, 78, /kiosk\.time_zone: "Mars\/Olympus" — expected an IANA time zone/],
  ];
  for (const [args, code, message] of cases) {
    const r = await run({ ledgerPath: path, ...args });
    t.equal(r.code, code, JSON.stringify(args));
    t.match(r.err, message);
    t.equal(r.out, '', 'nothing on stdout');
  }
  const missing = await run({ ledgerPath: join(t.testdir(), 'absent.db') });
  t.equal(missing.code, 1);
  t.match(missing.err, /no ledger at .*absent\.db/);
});

t.test('the README documents the columns in their order', (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Reconciliation export'), readme.indexOf('## Backups'));
  const documented = [...section.matchAll(/^\| (\d+) \| `([a-z_]+)` \|/gm)].map((m) => [Number(m[1]), m[2]]);
  t.strictSame(
    documented,
    EXPORT_COLUMNS.map((c, i) => [i + 1, c]),
  );
  t.end();
});
