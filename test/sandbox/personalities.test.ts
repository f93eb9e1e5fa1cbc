/**
 * Each sandbox personality over real HTTP, with hand-signed calls: how it dedups, how a pending
 * payment completes, and that the charge ledger stays the truth whatever the gateway answers.
 * Time is the sandbox's injected clock wherever it matters.
 */
import t from 'tap';
import type { PersonalityName, PersonalitySpec } from '../../agent/sandbox/personality.js';
import type { SandboxGateway } from '../../agent/sandbox/server.js';
import {
  PAY_METHOD,
  callTop,
  manualClock,
  pay,
  param0,
  payModel,
  query,
  queryModel,
  rawNumber,
  signedParams,
  startSandbox,
  type Teardown,
  type TopReply,
} from '../helpers/top-request.js';

/** One code per demo outcome, with what it ends as and whether that moves money. */
const CODES = [
  { code: '281234567890123456', status: 1, checkout: 'SUCCEEDED', charged: true },
  { code: 'F2345678901', status: 2, checkout: 'FAILED', charged: false },
  { code: '2812345678900000', status: 1, checkout: 'SUCCEEDED', charged: true },
  { code: '2812345678909999', status: 2, checkout: 'FAILED', charged: false },
  { code: 'M12345678', status: 1, checkout: 'SUCCEEDED', charged: true },
] as const;

interface Rig {
  gw: SandboxGateway;
  clock: ReturnType<typeof manualClock>;
  pay: (p0: Record<string, unknown> | string, signal?: AbortSignal) => Promise<TopReply>;
  query: (checkoutId: string) => Promise<Record<string, unknown>>;
  count: (p0: Record<string, unknown>) => number;
}

/** A sandbox with this personality on a manual clock, and calls stamped with that clock. */
async function rig(t: Teardown, personality: PersonalityName | PersonalitySpec): Promise<Rig> {
  const clock = manualClock();
  const gw = await startSandbox(t, { now: clock.now, personality });
  return {
    gw,
    clock,
    pay: (p0) => pay(gw.url, p0, { nowMs: clock.now() }),
    query: async (checkoutId) =>
      queryModel(await query(gw.url, { checkout_id: checkoutId }, { nowMs: clock.now() })),
    count: (p0) => gw.charges.count(String(p0['out_biz_id'])),
  };
}

const checkoutOf = (reply: TopReply): string => String(payModel(reply)['checkout_id']);

t.test('today (the default): one payment per request_id, pending codes resolve by time', async (t) => {
  const r = await rig(t, 'today');
  t.same(r.gw.personality.current, { personality: 'today' });
  const p0 = param0();
  const first = await r.pay(p0);
  const again = await r.pay(p0);
  t.equal(checkoutOf(again), checkoutOf(first), 'a replay is the same payment');
  t.equal(r.count(p0), 1);
  const pending = param0({ qr_code: '2812345678900000' });
  t.equal(payModel(await r.pay(pending))['result_status'], 3);
  r.clock.advance(4000);
  t.equal(r.count(pending), 1, 'paid by time alone');
});

t.test('replay-completes: pending until the identical pay is sent again, never by query', async (t) => {
  const r = await rig(t, 'replay-completes');
  for (const c of CODES) {
    const p0 = param0({ qr_code: c.code });
    const first = await r.pay(p0);
    t.match(payModel(first), { result_status: 3, success: true }, `${c.code}: pending at first`);
    const id = checkoutOf(first);
    t.match(id, /^SBX/, 'with a checkout_id');
    r.clock.advance(3_600_000);
    for (let i = 0; i < 6; i += 1) t.equal((await r.query(id))['checkout_status'], 'PROCESSING');
    t.equal(r.count(p0), 0, 'neither queries nor time complete it');

    // The same meaning in other bytes is the identical request.
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(p0).reverse()), null, 1);
    const done = await r.pay(reordered);
    t.match(
      payModel(done),
      { result_status: c.status, checkout_id: id },
      `${c.code}: the replay completes it`,
    );
    t.equal((await r.query(id))['checkout_status'], c.checkout, 'a query afterwards sees it');
    t.equal(payModel(await r.pay(p0))['result_status'], c.status, 'and so does a later replay');
    t.equal(r.count(p0), c.charged ? 1 : 0);
  }
  t.same(r.gw.charges.report().duplicates, []);
});

t.test('replay-completes: a different body under the same request_id does not complete it', async (t) => {
  const r = await rig(t, 'replay-completes');
  const p0 = param0();
  const id = checkoutOf(await r.pay(p0));
  const conflict = await r.pay({ ...p0, nego_price: '3901' });
  t.match(conflict.text, /isv\.request-id-conflict/);
  t.equal((await r.query(id))['checkout_status'], 'PROCESSING');
  t.equal(r.count(p0), 0);
});

t.test('query-completes: the query after queryPolls PROCESSING answers completes it', async (t) => {
  const r = await rig(t, 'query-completes');
  t.same(r.gw.personality.current, { personality: 'query-completes', queryPolls: 3 });
  for (const c of CODES) {
    const p0 = param0({ qr_code: c.code });
    const id = checkoutOf(await r.pay(p0));
    r.clock.advance(3_600_000);
    for (let i = 0; i < 5; i += 1) {
      t.equal(payModel(await r.pay(p0))['result_status'], 3, 'a replay answers pending and does not count');
    }
    for (let i = 0; i < 3; i += 1) t.equal((await r.query(id))['checkout_status'], 'PROCESSING');
    t.equal(r.count(p0), 0);
    t.equal((await r.query(id))['checkout_status'], c.checkout, `${c.code}: the fourth query completes it`);
    t.equal(payModel(await r.pay(p0))['result_status'], c.status, 'a replay afterwards agrees');
    t.equal(r.count(p0), c.charged ? 1 : 0);
  }
});

t.test('query-completes with queryPolls 0: the first query completes it', async (t) => {
  const r = await rig(t, { personality: 'query-completes', queryPolls: 0 });
  const p0 = param0();
  const id = checkoutOf(await r.pay(p0));
  t.equal((await r.query(id))['checkout_status'], 'SUCCEEDED');
  t.equal(r.count(p0), 1);
});

t.test('replay-declines-used: a replay of a paid request is declined, the truth stays paid', async (t) => {
  const r = await rig(t, 'replay-declines-used');
  const p0 = param0();
  const first = await r.pay(p0);
  t.match(payModel(first), { result_status: 1, success: true });
  const replay = await r.pay(p0);
  t.same(payModel(replay), {
    success: false,
    result_status: 2,
    result_code: 'PAY_CODE_USED',
    result_message: '付款码已使用',
    current_pay_fee: 0,
    checkout_id: checkoutOf(first),
    biz_order_id: Number(rawNumber(first, 'biz_order_id')),
  });
  t.equal(rawNumber(replay, 'biz_order_id'), rawNumber(first, 'biz_order_id'), 'all 19 digits');
  t.match(await r.query(checkoutOf(first)), { checkout_status: 'SUCCEEDED', paid_fee: 3900 });
  t.equal(r.count(p0), 1, 'nothing charged again');

  const declined = param0({ qr_code: 'F2345678901' });
  await r.pay(declined);
  t.match(payModel(await r.pay(declined)), { result_status: 2, result_code: 'BALANCE_NOT_ENOUGH' });

  const pending = param0({ qr_code: '2812345678900000' });
  const id = checkoutOf(await r.pay(pending));
  t.equal(payModel(await r.pay(pending))['result_status'], 3, 'still pending: answered as it is');
  r.clock.advance(4000);
  t.match(payModel(await r.pay(pending)), {
    result_status: 2,
    result_code: 'PAY_CODE_USED',
    checkout_id: id,
  });
  t.equal((await r.query(id))['checkout_status'], 'SUCCEEDED');
  t.equal(r.gw.charges.charges, 2);
  t.same(r.gw.charges.report().duplicates, []);
});

t.test('no-dedup: within dedupLagMs a replay is a new payment and charges again', async (t) => {
  const r = await rig(t, 'no-dedup');
  t.same(r.gw.personality.current, { personality: 'no-dedup', dedupLagMs: 60_000 });
  const p0 = param0();
  const first = await r.pay(p0);
  r.clock.advance(1000);
  const second = await r.pay(p0);
  t.not(checkoutOf(second), checkoutOf(first), 'a new checkout_id');
  t.not(rawNumber(second, 'biz_order_id'), rawNumber(first, 'biz_order_id'), 'a new biz_order_id');
  t.equal(r.count(p0), 2, 'the same out_biz_id charged twice');
  t.same(r.gw.charges.report().duplicates, [p0['out_biz_id']]);
  r.clock.advance(58_999); // 59,999 ms after the request_id was first seen
  const third = await r.pay(p0);
  t.equal(r.count(p0), 3);
  r.clock.advance(1); // the lag has passed: today's dedup, on the latest payment
  t.equal(checkoutOf(await r.pay(p0)), checkoutOf(third));
  r.clock.advance(60_000);
  t.equal(checkoutOf(await r.pay(p0)), checkoutOf(third));
  t.equal(r.count(p0), 3, 'no charge after the lag');
  for (const reply of [first, second, third]) {
    t.equal((await r.query(checkoutOf(reply)))['checkout_status'], 'SUCCEEDED', 'each payment is real');
  }
});

t.test('no-dedup: a declined code declines again and never charges', async (t) => {
  const r = await rig(t, 'no-dedup');
  const p0 = param0({ qr_code: 'F2345678901' });
  const first = await r.pay(p0);
  const second = await r.pay(p0);
  t.not(checkoutOf(second), checkoutOf(first));
  t.equal(payModel(second)['result_status'], 2);
  t.equal(r.gw.charges.charges, 0);
});

/** Whether the gateway answers a pay within `ms` of real time (the sandbox's clock is manual). */
function answersWithin(r: Rig, p0: Record<string, unknown>, ms: number): Promise<boolean> {
  const params = signedParams(PAY_METHOD, { param0: JSON.stringify(p0) }, { nowMs: r.clock.now() });
  return callTop(r.gw.url, params, 'body', AbortSignal.timeout(ms)).then(
    () => true,
    () => false,
  );
}

t.test('slow: processed at once, the reply held in the slow phase and sent after slowReplyMs', async (t) => {
  const r = await rig(t, { personality: 'slow', slowPhaseMs: 1000, normalPhaseMs: 1000, slowReplyMs: 400 });
  const p0 = param0();
  t.equal(await answersWithin(r, p0, 100), false, 'a client that waits less than slowReplyMs gives up');
  t.equal(r.count(p0), 1, 'but the call was processed and charged at once');
  const started = Date.now();
  const replay = await r.pay(p0);
  t.ok(Date.now() - started >= 390, 'the answer came after slowReplyMs');
  t.equal(payModel(replay)['result_status'], 1);
  t.equal(r.count(p0), 1, 'the replay is deduplicated as today');
});

t.test(
  'slow: the phases alternate on the sandbox clock; close() does not wait for held replies',
  async (t) => {
    // A hold no test outlives: a reply either comes at once or not at all.
    const spec = {
      personality: 'slow',
      slowPhaseMs: 4000,
      normalPhaseMs: 2000,
      slowReplyMs: 600_000,
    } as const;
    const r = await rig(t, spec);
    t.equal(await answersWithin(r, param0(), 300), false, 'slow phase, from when it was set');
    r.clock.advance(3999);
    t.equal(await answersWithin(r, param0(), 300), false, 'still slow at 3999 ms');
    r.clock.advance(1);
    t.equal(await answersWithin(r, param0(), 10_000), true, 'normal phase: answered at once');
    r.clock.advance(1999);
    t.equal(await answersWithin(r, param0(), 10_000), true, 'still normal at 5999 ms');
    r.clock.advance(1);
    const held = r.pay(param0());
    t.equal(await answersWithin(r, param0(), 300), false, 'slow again at 6000 ms');
    t.equal(r.gw.charges.charges, 6, 'every call was charged, held or not');
    const started = Date.now();
    await r.gw.close();
    await t.rejects(held, 'a held reply is dropped by close');
    t.ok(Date.now() - started < 5000, 'close did not wait for the held replies');
  },
);

t.test(
  'faults stay orthogonal: reset-after under replay-completes, pending-then under query-completes',
  async (t) => {
    const r = await rig(t, 'replay-completes');
    r.gw.faults.inject({ kind: 'reset-after', method: 'pay' });
    const p0 = param0();
    await t.rejects(r.pay(p0), 'the reply is lost');
    t.equal(r.count(p0), 0, 'the payment was made, pending');
    t.equal(payModel(await r.pay(p0))['result_status'], 1, 'the identical replay completes it');
    t.equal(r.count(p0), 1);

    const q = await rig(t, 'query-completes');
    q.gw.faults.inject({ kind: 'pending-then', polls: 1, outcome: 'fail' });
    const p1 = param0();
    const id = checkoutOf(await q.pay(p1));
    t.equal(payModel(await q.pay(p1))['result_status'], 3, 'a replay still does not count');
    t.equal((await q.query(id))['checkout_status'], 'PROCESSING', "the fault's one poll");
    t.match(await q.query(id), { checkout_status: 'FAILED' }, "the fault's outcome, on a query");
    t.equal(q.gw.charges.charges, 0);
  },
);
