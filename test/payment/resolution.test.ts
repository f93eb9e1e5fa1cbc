/**
 * How a sale that may have been charged is resolved, against gateways that behave differently:
 * one that completes a pending payment only when queried, one only on an identical replay, one on
 * either; one that declines a replay of a charged request; one that charges a replay again.
 * (Before issue 9 the kiosk only ever queried: 1 pay and 15 queries, pending for ever; and a decline
 * on a replay after a lost reply was recorded as failed.)
 */
import t from 'tap';
import type { PayOutcome, PayRequest, QueryOutcome } from '../../agent/pay/types.js';
import { DEFAULT_PAYMENT_SETTINGS } from '../../agent/payment/payments.js';
import { setup } from '../helpers/payment-setup.js';

const pendingC1: PayOutcome = { kind: 'pending', value: { checkoutId: 'C1' } };
const paid = (checkoutId = 'C1'): PayOutcome => ({
  kind: 'success',
  value: { checkoutId, currentPayFee: 1250 },
});
const processing: QueryOutcome = { kind: 'pending', value: { checkoutStatus: 'PROCESSING' } };
const ambiguous: PayOutcome = { kind: 'ambiguous', reason: 'ECONNRESET after send' };
const codeUsed: Extract<PayOutcome, { kind: 'declined' }> = {
  kind: 'declined',
  error: { code: 15, subCode: 'isv.pay-code-used', subMsg: '付款码已使用' },
};

/** The tools used, in order: "pay" for a send or replay, "query" for querystatus. */
function tools(s: ReturnType<typeof setup>): string[] {
  return s.api.calls;
}

t.test('a gateway that completes only on an identical replay: resolved while the member waits', async (t) => {
  const s = setup([pendingC1], { query: [processing] });
  s.api.pay = (req) => {
    s.api.record('pay', req);
    return Promise.resolve(s.api.payCalls.length === 1 ? pendingC1 : paid());
  };
  const rec = await s.pay();
  t.equal(rec.status, 'succeeded');
  t.same(tools(s), ['pay', 'query', 'pay'], 'query first, then the identical replay');
  t.same(s.api.payCalls[1], s.api.payCalls[0], 'the replay is the identical request');
  t.equal(s.checks(), 1);
});

t.test('a gateway that completes only when queried (replays stay pending) is resolved too', async (t) => {
  const succeeded = (req: PayRequest): QueryOutcome => ({
    kind: 'success',
    value: { checkoutStatus: 'SUCCEEDED', checkoutId: 'C1', outBizId: req.outBizId, paidFee: 1250 },
  });
  const s = setup([pendingC1]);
  let queries = 0;
  s.api.queryStatus = (q) => {
    s.api.record('query', q);
    queries += 1;
    const req = s.api.payCalls[0];
    return Promise.resolve(queries < 4 || req === undefined ? processing : succeeded(req));
  };
  const rec = await s.pay();
  t.equal(rec.status, 'succeeded');
  t.same(tools(s), ['pay', 'query', 'pay', 'query', 'pay', 'query', 'pay', 'query']);
  t.equal(rec.result?.checkoutId, 'C1');
});

t.test('still pending after the member wait: the background alternates both tools until final', async (t) => {
  const s = setup([pendingC1], { query: [processing] });
  const rec = await s.pay();
  t.equal(rec.status, 'pending');
  const n = s.api.calls.length;
  t.ok(n >= 10, `checked ${n} times while the member waited`);
  t.ok(s.api.payCalls.length >= 5 && s.api.queryCalls.length >= 5, 'both tools were used');
  s.api.pay = (req) => {
    s.api.record('pay', req);
    return Promise.resolve(paid());
  };
  let resolved = await s.background.resolvePending();
  if (resolved.length === 0) {
    s.clock.t += 60_000;
    resolved = await s.background.resolvePending();
  }
  t.equal(resolved[0]?.status, 'succeeded', 'ends final in the background');
});

t.test(
  'one background check asks both ways: a query that learns nothing is followed by the replay',
  async (t) => {
    const s = setup([pendingC1], { query: [processing] });
    await s.pay();
    const before = s.api.calls.length;
    s.clock.t += 60_000;
    await s.background.resolvePending();
    t.same([...s.api.calls.slice(before)].sort(), ['pay', 'query'], 'both tools in one pass');
    s.clock.t += 1_000;
    await s.background.resolvePending();
    t.equal(s.api.calls.length, before + 2, 'then it waits for its backoff');
  },
);

t.test('a decline on a replay after a lost reply is not proof: pending, then flagged', async (t) => {
  const s = setup([ambiguous, codeUsed]);
  const rec = await s.pay();
  t.equal(rec.status, 'pending', 'never failed: the first, unanswered attempt may have charged');
  t.match(rec.flag, /^contradictory: declined 3 times on replay/);
  t.not(rec.qrCode, undefined, 'still resolvable: the code is kept');
});

/** A lost reply, then a replay declined under checkout C1, whose status query says `status`. */
async function declinedUnderC1(status: 'SUCCEEDED' | 'FAILED') {
  const usedC1: PayOutcome = { ...codeUsed, value: { checkoutId: 'C1' } };
  const s = setup([ambiguous, usedC1]);
  s.api.queryStatus = (q) => {
    s.api.record('query', q);
    const value = { checkoutStatus: status, checkoutId: 'C1', outBizId: s.api.payCalls[0]!.outBizId };
    return Promise.resolve(
      status === 'SUCCEEDED'
        ? { kind: 'success', value: { ...value, paidFee: 1250 } }
        : { kind: 'declined', error: { msg: 'checkout FAILED' }, value },
    );
  };
  return { s, rec: await s.pay() };
}

t.test(
  'a decline on a replay naming a checkout is checked by querystatus: charged → succeeded',
  async (t) => {
    const { s, rec } = await declinedUnderC1('SUCCEEDED');
    t.equal(rec.status, 'succeeded');
    t.same(tools(s), ['pay', 'pay', 'query']);
    t.equal(rec.flag, undefined);
  },
);

t.test('... and when querystatus confirms FAILED for this order, the sale is failed', async (t) => {
  const { rec } = await declinedUnderC1('FAILED');
  t.equal(rec.status, 'failed');
  t.match(rec.reason, /querystatus FAILED/);
});

t.test('a replay charged under a new checkout: paid, flagged double-charge, replays stop', async (t) => {
  const s = setup([pendingC1], { query: [processing] });
  s.api.pay = (req) => {
    s.api.record('pay', req);
    return Promise.resolve(s.api.payCalls.length === 1 ? pendingC1 : paid('C2'));
  };
  const rec = await s.pay();
  t.equal(rec.status, 'succeeded', 'money moved');
  t.match(rec.flag, /^double-charge: a replay was charged under checkout C2, an earlier answer gave C1/);
  t.equal(rec.result?.checkoutId, 'C1', 'the first checkout stays the sale’s; the second is in the flag');
  t.equal(s.payments.attempts.replaysSafe, false);

  // The next sale whose reply is lost cannot be replayed any more: a person must reconcile it.
  s.api.pay = (req) => {
    s.api.record('pay', req);
    return Promise.resolve(ambiguous);
  };
  const next = await s.pay({ saleId: 'S2' });
  t.equal(next.status, 'pending');
  t.match(next.flag, /^unresolvable: replays are unsafe/);
  t.equal(
    s.api.payCalls.filter((r) => r.requestId === next.requestId).length,
    1,
    'sent once, never replayed',
  );
});

t.test('busy while checking: the ban is waited out, the sale stays pending', async (t) => {
  const s = setup([
    ambiguous,
    { kind: 'rejected', reason: 'rate-limited', retryAfterMs: 7_000, error: { code: 7 } },
  ]);
  const rec = await s.pay();
  t.equal(rec.status, 'pending');
  t.ok(s.clock.sleeps.slice(1).every((ms) => ms >= 7_000 || ms < DEFAULT_PAYMENT_SETTINGS.pollIntervalMs));
});
