/**
 * The decision table, walked cell by cell: for every gateway answer × sale history, a sale in that
 * history is attempted once against a real (in-memory) ledger with an API that gives that answer,
 * and the stored status and flags must be what the table says. The README must print the same table.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { Ledger } from '../../agent/ledger/ledger.js';
import { SaleAttempts } from '../../agent/payment/attempt.js';
import { ANSWER_KINDS, type AnswerKind } from '../../agent/payment/answer.js';
import { flagKinds } from '../../agent/payment/flags.js';
import type { SaleRecord } from '../../agent/payment/sale.js';
import {
  decide,
  HISTORIES,
  MAX_UNCONFIRMED_DECLINES,
  renderTable,
  TABLE,
  type History,
} from '../../agent/payment/table.js';
import type { PayOutcome, QueryOutcome } from '../../agent/pay/types.js';
import { ScriptedApi } from '../helpers/scripted-api.js';

const log = pino({ level: 'silent' });
const CODE = 'M12345678';
const T0 = 1_764_000_000_000;

function sale(history: History, withCheckout: boolean): SaleRecord {
  return {
    saleId: 'S1',
    requestId: 'K01-R1',
    outBizId: 'K01OUT1',
    status: history === 'maybe-charged' ? 'pending' : 'sent',
    amountFen: 1250,
    negoPrice: '1250',
    qrCode: CODE,
    codeMask: '****5678',
    storeId: '1',
    machineId: 'K01',
    cashierId: '2',
    cashierName: 'x',
    createdAt: T0,
    updatedAt: T0,
    attempts: 1,
    printed: false,
    ...(history === 'offline' && { offline: true }),
    ...(withCheckout && { result: { checkoutId: 'C1' } }),
  };
}

const PAY: Record<Exclude<AnswerKind, 'declined-confirmed'>, PayOutcome> = {
  charged: { kind: 'success', value: { checkoutId: 'C1', currentPayFee: 1250 } },
  declined: { kind: 'declined', error: { code: 15, subCode: 'isv.balance-not-enough', subMsg: '余额不足' } },
  pending: { kind: 'pending', value: { checkoutId: 'C1' } },
  unknown: { kind: 'ambiguous', reason: 'ECONNRESET after send' },
  contradictory: {
    kind: 'malformed',
    reason: 'result_status 1 with a failure flag',
    httpStatus: 200,
    envelope: true,
  },
  'not-sent': { kind: 'not-sent', reason: 'ECONNREFUSED' },
  busy: { kind: 'rejected', reason: 'rate-limited', retryAfterMs: 2000, error: { code: 7 } },
  rejected: {
    kind: 'rejected',
    reason: 'platform',
    error: { code: 11, subCode: 'isv.permission-ip-whitelist-limit' },
  },
};
const CONFIRMED: QueryOutcome = {
  kind: 'declined',
  error: { msg: 'checkout FAILED' },
  value: { checkoutStatus: 'FAILED', checkoutId: 'C1', outBizId: 'K01OUT1' },
};

for (const kind of ANSWER_KINDS) {
  for (const history of HISTORIES) {
    const cell = TABLE[kind][history];
    t.test(`${kind} × ${history} → ${cell.next}${cell.flag ? ` + ${cell.flag}` : ''}`, async (t) => {
      const store = Ledger.open({ path: ':memory:', log });
      if (kind === 'declined-confirmed') {
        // querystatus is only asked once a sale may have been charged; elsewhere the pure rule.
        const s = sale(history, true);
        if (history !== 'maybe-charged') {
          const d = decide({ kind, via: 'query', reason: 'FAILED' }, s, { unconfirmedDeclines: 0 });
          t.equal(d.status, cell.next);
          return;
        }
        store.create(s);
        const api = new ScriptedApi([], [CONFIRMED]);
        const r = await new SaleAttempts(api, store, log, () => T0 + 1).attempt(s);
        t.equal(api.queryCalls.length, 1, 'asked by querystatus');
        t.equal(r.answer.kind, kind);
        t.equal(store.get('S1')?.status, cell.next);
        return;
      }
      const s = sale(history, false);
      store.create(s);
      const api = new ScriptedApi([PAY[kind]]);
      const r = await new SaleAttempts(api, store, log, () => T0 + 1).attempt(s);
      t.equal(r.answer.kind, kind, 'the outcome reads as this answer');
      const stored = store.get('S1');
      t.equal(stored?.status, cell.next, cell.note);
      t.equal(r.decision.final, ['succeeded', 'failed', 'refused'].includes(cell.next));
      const flags = flagKinds(stored?.flag);
      if (cell.flag !== undefined) t.ok(flags.includes(cell.flag), `flagged ${cell.flag}`);
      if (cell.next === 'failed' && history === 'offline') t.ok(flags.includes('served-unpaid'));
      if (cell.flag === undefined && !(cell.next === 'failed' && history === 'offline')) t.same(flags, []);
      if (cell.next === 'succeeded' || cell.next === 'failed' || cell.next === 'refused') {
        t.equal(stored?.qrCode, undefined, 'a final sale keeps only the mask');
      }
    });
  }
}

t.test(
  'declines on replays after an unanswered attempt are flagged after the limit, never failed',
  async (t) => {
    const store = Ledger.open({ path: ':memory:', log });
    let s = sale('maybe-charged', false);
    store.create(s);
    const attempts = new SaleAttempts(new ScriptedApi([PAY.declined]), store, log, () => T0);
    for (let i = 1; i <= MAX_UNCONFIRMED_DECLINES; i += 1) {
      s = (await attempts.attempt(s)).sale;
      t.equal(s.status, 'pending');
      t.equal(s.flag === undefined, i < MAX_UNCONFIRMED_DECLINES, `flag after ${i} decline(s)`);
    }
    t.match(s.flag, /^contradictory: declined 3 times on replay/);
  },
);

t.test('a charge of another amount is flagged, and so is one under a second checkout', (t) => {
  const s = { ...sale('maybe-charged', true) };
  const d = decide(
    { kind: 'charged', via: 'pay', reason: 'paid', result: { checkoutId: 'C2', currentPayFee: 125_000 } },
    s,
    { unconfirmedDeclines: 0 },
  );
  t.equal(d.status, 'succeeded', 'money moved: the sale is paid');
  t.same(flagKinds(d.flag), ['amount-mismatch', 'double-charge']);
  t.match(d.flag, /charged 125000 fen, the sale is 1250 fen/);
  t.end();
});

t.test('the README prints this table', (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  t.ok(readme.includes(renderTable()), 'README.md contains renderTable() verbatim (regenerate it)');
  t.end();
});
