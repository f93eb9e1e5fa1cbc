import t from 'tap';
import {
  formatAge,
  formatList,
  formatReport,
  formatShow,
  movedAt,
  reportJson,
  saleJson,
} from '../../agent/ledger/report.js';
import { exportRow } from '../../agent/ledger/export.js';
import type { LedgerSummary } from '../../agent/payment/store.js';
import type { SaleRecord } from '../../agent/payment/sale.js';
import { displayWidth } from '../../drivers/printer/layout.js';

const FULL_CODE = '281234567890123456';
const T0 = Date.UTC(2026, 10, 25, 11, 30, 0);

const PENDING: SaleRecord = {
  saleId: 'boot1-1',
  requestId: 'req-1',
  outBizId: 'K01202611251930000001',
  status: 'pending',
  amountFen: 1250,
  negoPrice: '1250',
  itemId: 1001,
  label: '单次入场',
  qrCode: FULL_CODE,
  codeMask: '****3456',
  storeId: '333333',
  machineId: 'K01',
  cashierId: '346753',
  cashierName: '张丽',
  createdAt: T0,
  updatedAt: T0,
  result: { checkoutId: '2026112522001234567890', bizOrderId: '9223372036854775807' },
  error: { code: 15, subCode: 'isp.timeout', subMsg: '超时', traceId: 'trace-1' },
  reason: '等待支付结果',
  attempts: 2,
  printed: false,
  offline: true,
  forwardedAt: T0 + 1000,
  flag: 'contradictory reply',
};

t.test('ages read as seconds, minutes, hours or days with zero-padded remainders', (t) => {
  t.equal(formatAge(0), '0s');
  t.equal(formatAge(59_999), '59s');
  t.equal(formatAge(192_000), '3m12s');
  t.equal(formatAge(3_600_000 + 5 * 60_000), '1h05m');
  t.equal(formatAge(3 * 86_400_000 + 4 * 3_600_000), '3d04h');
  t.equal(formatAge(-5000), '-5s', 'a clock that went back shows as negative, not as zero');
  t.end();
});

t.test('no formatter ever prints the full code, even when the record still holds it', (t) => {
  const summary: LedgerSummary = {
    byStatus: {
      created: { count: 0, amountFen: 0 },
      sent: { count: 0, amountFen: 0 },
      succeeded: { count: 0, amountFen: 0 },
      failed: { count: 0, amountFen: 0 },
      pending: { count: 1, amountFen: 1250 },
      queued: { count: 0, amountFen: 0 },
      refused: { count: 0, amountFen: 0 },
    },
    flagged: 1,
    flagKinds: { unresolved: 1 },
    servedUnpaid: { count: 0, amountFen: 0 },
    unprinted: 1,
    oldestOpenAt: T0,
  };
  const extras = {
    ledgerPath: '/var/lib/xpos/ledger.db',
    pending: [PENDING],
    queued: [],
    servedUnpaid: [],
    flagged: [PENDING],
    unprinted: [PENDING],
    movedAside: [],
  };
  const now = T0 + 60_000;
  const outputs = [
    formatList([PENDING], now),
    formatShow(PENDING, now),
    formatReport(summary, extras, now),
    JSON.stringify(saleJson(PENDING, now)),
    JSON.stringify(reportJson(summary, extras, now)),
  ];
  for (const o of outputs) t.notMatch(o, FULL_CODE);
  t.notOk('qrCode' in saleJson(PENDING, now));
  t.match(formatShow(PENDING, now), /code:\s+\*\*\*\*3456/);
  t.end();
});

t.test('show prints every field an operator needs to reconcile a sale', (t) => {
  const text = formatShow(PENDING, T0 + 192_000, 'Asia/Shanghai');
  for (const want of [
    /amount:\s+￥12\.50 \(nego_price 1250\)/,
    /item:\s+单次入场 #1001/,
    /created:\s+2026-11-25 19:30:00 \(UTC\+8\) \(3m12s ago\)/,
    /offline:\s+yes/,
    /forwarded:/,
    /reason:\s+等待支付结果/,
    /FLAG:\s+contradictory reply/,
    /checkout_id:\s+2026112522001234567890/,
    /biz_order_id:\s+9223372036854775807/,
    /error:\s+code 15, isp\.timeout, 超时, trace trace-1/,
  ]) {
    t.match(text, want);
  }
  t.end();
});

t.test('list columns line up in a terminal even with ￥ and Chinese text', (t) => {
  const other: SaleRecord = { ...PENDING, saleId: 'boot1-22', amountFen: 129_900, status: 'queued' };
  const lines = formatList([PENDING, other], T0).trimEnd().split('\n');
  const codeColumn = lines.map((l, i) => displayWidth(l.slice(0, l.indexOf(i === 0 ? 'CODE' : '****'))));
  t.equal(
    new Set(codeColumn).size,
    1,
    `CODE starts at the same column on every line (${codeColumn.join(',')})`,
  );
  t.equal(formatList([], T0), 'no sales to show\n');
  t.end();
});

t.test('a moved-aside file name gives the time it was moved', (t) => {
  t.equal(movedAt('/var/lib/xpos/ledger.db.corrupt-20261125T193005'), '2026-11-25 19:30:05');
  t.equal(movedAt('/var/lib/xpos/ledger.db.corrupt-20261125T193005-2'), '2026-11-25 19:30:05');
  t.equal(movedAt('/var/lib/xpos/ledger.db.corrupt'), undefined);
  t.end();
});

t.test('list and report print times in the kiosk zone with its offset, as receipts do', (t) => {
  // The same instant in two zones: the host's zone never leaks in when the kiosk's is given.
  const sh = formatList([PENDING], T0 + 192_000, 'Asia/Shanghai');
  const ny = formatList([PENDING], T0 + 192_000, 'America/New_York');
  t.match(sh, /CREATED/);
  t.match(sh, /2026-11-25 19:30:00 \(UTC\+8\)/);
  t.match(ny, /2026-11-25 06:30:00 \(UTC-5\)/);
  t.end();
});

t.test('list notes say only what holds for the sale now: no earlier answer once it is final', (t) => {
  const { flag: _flag, qrCode: _code, offline: _offline, forwardedAt: _forwarded, ...rest } = PENDING;
  const base: SaleRecord = { ...rest, printed: true };
  const row = (r: SaleRecord): string => formatList([r], T0).trimEnd().split('\n')[1] ?? '';
  // The same sale while the gateway said PROCESSING, then after it succeeded (success writes no reason).
  const processing: SaleRecord = { ...base, reason: 'still PROCESSING' };
  t.match(row(processing), /still PROCESSING$/, 'an open sale shows the last answer');
  const paid: SaleRecord = { ...processing, status: 'succeeded' };
  t.notMatch(row(paid), /PROCESSING/, 'a succeeded sale does not show an earlier attempt as its state');
  t.match(row(paid), /\*\*\*\*3456$/, 'nothing in NOTES');
  const offlinePaid: SaleRecord = {
    ...base,
    status: 'succeeded',
    offline: true,
    reason: 'accepted offline, to be confirmed',
  };
  t.match(row(offlinePaid), /offline$/, 'accepted offline stays a fact about the sale');
  t.notMatch(row(offlinePaid), /to be confirmed/);
  // A final sale's own reason and every flag stay.
  const declined: SaleRecord = { ...base, status: 'failed', reason: 'declined: isv.balance-not-enough' };
  t.match(row(declined), /declined: isv\.balance-not-enough$/);
  const refused: SaleRecord = { ...base, status: 'refused', reason: 'rate limited: too many calls' };
  t.match(row(refused), /rate limited: too many calls$/);
  const mismatch: SaleRecord = {
    ...paid,
    printed: false,
    flag: 'amount-mismatch: charged 1200 fen, the sale is 1250 fen',
  };
  t.match(row(mismatch), /FLAG: amount-mismatch: charged 1200 fen, the sale is 1250 fen; unprinted$/);
  const unpaid: SaleRecord = {
    ...declined,
    offline: true,
    flag: 'served-unpaid: accepted offline, then declined: isv.balance-not-enough',
  };
  t.match(row(unpaid), /FLAG: served-unpaid: .*; offline$/);
  t.end();
});

t.test('show, JSON and export give a succeeded sale its own reason, never an earlier attempt', (t) => {
  const { flag: _flag, qrCode: _code, offline: _offline, forwardedAt: _forwarded, ...rest } = PENDING;
  const error = { code: 15, subCode: 'isp.timeout', msg: 'Remote service error', traceId: 'tr1' };
  // Written by a version whose successes left the pending answer in place.
  const stale: SaleRecord = {
    ...rest,
    printed: true,
    status: 'succeeded',
    reason: 'still PROCESSING',
    error,
  };
  const shown = formatShow(stale, T0);
  t.notMatch(shown, /PROCESSING/, 'show leaves the stale reason out');
  t.match(shown, /earlier error:\s+code 15, isp\.timeout/, 'an error before the success is named as earlier');
  t.notMatch(shown, /^error:/m);
  t.equal(saleJson(stale, T0).reason, undefined, 'nor does --json give it');
  t.equal(exportRow(stale, 'Asia/Shanghai').reason, null, 'nor the export');

  const paid: SaleRecord = { ...stale, reason: 'paid (querystatus)' };
  t.match(formatShow(paid, T0), /reason:\s+paid \(querystatus\)/);
  t.equal(saleJson(paid, T0).reason, 'paid (querystatus)');
  t.equal(exportRow(paid, 'Asia/Shanghai').reason, 'paid (querystatus)');

  const pending: SaleRecord = { ...stale, status: 'pending' };
  t.match(formatShow(pending, T0), /reason:\s+still PROCESSING/, 'an open sale shows its last answer');
  t.match(formatShow(pending, T0), /^error:\s+code 15,/m);
  t.end();
});
