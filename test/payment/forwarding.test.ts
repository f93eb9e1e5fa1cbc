/**
 * Sales accepted offline are money the gym is owed by a member it already served. Forwarding must
 * never turn a transient gateway refusal into a final refusal, a true decline must be flagged
 * "served but unpaid", and the offline limits must count every offline sale not yet confirmed.
 * (Before issue 9: a code 11 refusal at forwarding made the sale final `refused`, unflagged, code
 * erased; and a forwarded sale whose answer was lost dropped out of the cap: ￥30 allowed ￥60.)
 */
import t from 'tap';
import type { PayOutcome } from '../../agent/pay/types.js';
import { MEMBER_POLICY, setup } from '../helpers/payment-setup.js';

const MEMBER = 'M12345678';
const notSent: PayOutcome = { kind: 'not-sent', reason: 'ECONNREFUSED' };

function offlineSale(s: ReturnType<typeof setup>, saleId: string, amountFen = 1_000) {
  return s.pay({ saleId, code: MEMBER, amountFen, negoPrice: String(amountFen) });
}

const REFUSALS: [string, PayOutcome][] = [
  ['code 7 call limit', { kind: 'rejected', reason: 'rate-limited', retryAfterMs: 2000, error: { code: 7 } }],
  ['code 8 frequency', { kind: 'rejected', reason: 'rate-limited', retryAfterMs: 1000, error: { code: 8 } }],
  [
    'code 11 IP whitelist',
    {
      kind: 'rejected',
      reason: 'platform',
      error: { code: 11, subCode: 'isv.permission-ip-whitelist-limit' },
    },
  ],
  ['code 25 signature', { kind: 'rejected', reason: 'signature', error: { code: 25 } }],
  ['code 31 clock', { kind: 'rejected', reason: 'clock', error: { code: 31 } }],
  ['code 29 app key', { kind: 'rejected', reason: 'app-key', error: { code: 29 } }],
  ['unreachable', notSent],
];

for (const [name, refusal] of REFUSALS) {
  t.test(`forwarding refused (${name}): back in the queue, never refused, code kept`, async (t) => {
    const s = setup([notSent], { offline: MEMBER_POLICY });
    t.equal((await offlineSale(s, 'S1')).status, 'queued');
    s.api.pay = (req) => {
      s.api.record('pay', req);
      return Promise.resolve(refusal);
    };
    const done = await s.background.forwardQueued();
    t.same(done, []);
    const rec = s.store.get('S1');
    t.equal(rec?.status, 'queued');
    t.equal(rec?.qrCode, MEMBER);
    t.equal(rec?.flag, undefined);
    t.equal(rec?.offline, true);
  });
}

t.test('forwarding backs off while the gateway refuses, then forwards when it answers', async (t) => {
  const s = setup([notSent], { offline: MEMBER_POLICY });
  await offlineSale(s, 'S1');
  s.api.pay = (req) => {
    s.api.record('pay', req);
    return Promise.resolve(notSent);
  };
  await s.background.forwardQueued();
  await s.background.forwardQueued();
  t.equal(s.api.payCalls.length, 4, 'the second pass waited (1 + 2 resends, then 1)');
  s.clock.t += 5_000;
  s.api.pay = (req) => {
    s.api.record('pay', req);
    return Promise.resolve({ kind: 'success', value: { checkoutId: 'C1', currentPayFee: 1000 } });
  };
  const done = await s.background.forwardQueued();
  t.same(
    done.map((r) => r.status),
    ['succeeded'],
  );
});

t.test(
  'a true decline after forwarding: failed and flagged served-unpaid, in the report totals',
  async (t) => {
    const s = setup([notSent], { offline: MEMBER_POLICY });
    await offlineSale(s, 'S1', 1_500);
    s.api.pay = () =>
      Promise.resolve({
        kind: 'declined',
        error: { code: 15, subCode: 'isv.member-card-frozen', subMsg: '会员卡冻结' },
      });
    await s.background.forwardQueued();
    const rec = s.store.get('S1');
    t.equal(rec?.status, 'failed');
    t.match(rec?.flag, /^served-unpaid: accepted offline, then declined: 会员卡冻结/);
    const summary = s.store.summary();
    t.same(summary.servedUnpaid, { count: 1, amountFen: 1_500 });
    t.same(summary.flagKinds, { 'served-unpaid': 1 });
  },
);

t.test('a decline after a lost forwarding reply is not proof: pending, never failed', async (t) => {
  const s = setup([notSent], { offline: MEMBER_POLICY });
  await offlineSale(s, 'S1');
  s.api.pay = () => Promise.resolve({ kind: 'ambiguous', reason: 'ECONNRESET after send' });
  await s.background.forwardQueued();
  t.equal(s.store.get('S1')?.status, 'pending');
  s.api.pay = () => Promise.resolve({ kind: 'declined', error: { code: 15, subCode: 'isv.pay-code-used' } });
  s.clock.t += 5_000;
  await s.background.resolvePending();
  t.equal(s.store.get('S1')?.status, 'pending');
});

t.test('the offline cap counts forwarded sales whose answer is still unknown', async (t) => {
  const policy = { ...MEMBER_POLICY, maxSaleFen: 3_000, maxTotalFen: 3_000 };
  const s = setup([notSent], { offline: policy });
  t.equal((await offlineSale(s, 'S1', 3_000)).status, 'queued');
  s.api.pay = () => Promise.resolve({ kind: 'ambiguous', reason: 'ECONNRESET after send' });
  await s.background.forwardQueued();
  t.equal(s.store.get('S1')?.status, 'pending', 'forwarded, not confirmed');
  s.api.pay = () => Promise.resolve(notSent);
  const second = await offlineSale(s, 'S2', 3_000);
  t.equal(second.status, 'refused', 'the ￥30 cap holds ￥30, not ￥60');
  t.match(second.reason, /stored amount limit/);
  t.same(s.store.offlineOpen().amountFen, 3_000);
});

t.test('the offline age limit holds when the wall clock steps back', async (t) => {
  const s = setup([notSent], { offline: MEMBER_POLICY });
  await offlineSale(s, 'S1', 100);
  s.clock.t += MEMBER_POLICY.maxAgeMs + 1;
  s.clock.wallStep = -(MEMBER_POLICY.maxAgeMs + 3_600_000);
  const late = await offlineSale(s, 'S2', 100);
  t.equal(late.status, 'refused');
  t.match(late.reason, /offline too long/);
});
