import t from 'tap';
import {
  manualClock,
  param0,
  pay,
  payModel,
  query,
  queryModel,
  rawNumber,
  startSandbox,
  topError,
} from '../helpers/top-request.js';

t.test('a replay under the same request_id returns the same payment and does not charge again', async (t) => {
  const gw = await startSandbox(t);
  const p0 = param0();
  const first = await pay(gw.url, p0);
  // Same meaning, different bytes: keys reordered and pretty-printed.
  const reordered = Object.fromEntries(Object.entries(p0).reverse());
  const second = await pay(gw.url, JSON.stringify(reordered, null, 2));
  t.equal(payModel(second)['result_status'], 1);
  t.equal(payModel(second)['checkout_id'], payModel(first)['checkout_id']);
  t.equal(rawNumber(second, 'biz_order_id'), rawNumber(first, 'biz_order_id'));
  t.equal(gw.charges.charges, 1);
  t.equal(gw.charges.count(String(p0['out_biz_id'])), 1);
  t.same(gw.charges.report().duplicates, []);
});

t.test('the same request_id with a different body is refused and charges nothing more', async (t) => {
  const gw = await startSandbox(t);
  const p0 = param0({ nego_price: '3900' });
  await pay(gw.url, p0);
  for (const change of [
    { nego_price: '3901' },
    { qr_code: 'M99999999' },
    { item_id: 1002 },
    { machine_id: undefined },
  ]) {
    const conflict = await pay(gw.url, {
      ...param0(change),
      request_id: p0['request_id'],
      out_biz_id: p0['out_biz_id'],
    });
    t.match(topError(conflict), { code: 15, sub_code: 'isv.request-id-conflict' }, JSON.stringify(change));
  }
  t.equal(gw.charges.charges, 1);
  t.equal(payModel(await pay(gw.url, p0))['result_status'], 1, 'the original still replays');
});

t.test('a refused parameter does not bind the request_id: the corrected call goes through', async (t) => {
  const gw = await startSandbox(t);
  const p0 = param0();
  t.match(topError(await pay(gw.url, { ...p0, nego_price: '39.00' })), { code: 41 });
  t.equal(payModel(await pay(gw.url, p0))['result_status'], 1);
  t.equal(gw.charges.charges, 1);
});

t.test('a business refusal (over the limit) is replayed as the same refusal', async (t) => {
  const gw = await startSandbox(t);
  const p0 = param0({ nego_price: '2000000' });
  t.match(topError(await pay(gw.url, p0)), { sub_code: 'isv.amount-over-limit' });
  t.match(topError(await pay(gw.url, p0)), { sub_code: 'isv.amount-over-limit' });
  t.equal(gw.charges.charges, 0);
});

t.test('a declined payment replays as declined: a retry never turns a decline into a charge', async (t) => {
  const gw = await startSandbox(t);
  const p0 = param0({ qr_code: 'F0000000001' });
  await pay(gw.url, p0);
  t.match(payModel(await pay(gw.url, p0)), { result_status: 2, success: false });
  t.equal(gw.charges.charges, 0);
});

t.test('a pending payment replayed reports its current status, and resolves by replay alone', async (t) => {
  const clock = manualClock();
  const gw = await startSandbox(t, { now: clock.now, pendingMs: 2000 });
  const p0 = param0({ qr_code: '5555555550000' });
  t.equal(payModel(await pay(gw.url, p0, { nowMs: clock.now() }))['result_status'], 3);
  clock.advance(1999);
  t.equal(
    payModel(await pay(gw.url, p0, { nowMs: clock.now() }))['result_status'],
    3,
    'still pending at 1999 ms',
  );
  clock.advance(1);
  const done = await pay(gw.url, p0, { nowMs: clock.now() });
  t.match(payModel(done), { result_status: 1, success: true, current_pay_fee: 3900 });
  t.match(rawNumber(done, 'buyer_id'), /^\d{16}$/);
  t.equal(gw.charges.charges, 1);
  t.equal(payModel(await pay(gw.url, p0, { nowMs: clock.now() }))['result_status'], 1);
  t.equal(gw.charges.charges, 1, 'replays after success still charge once');
});

t.test('a pending payment resolves by query, and a replay afterwards agrees', async (t) => {
  const clock = manualClock();
  const gw = await startSandbox(t, { now: clock.now });
  const p0 = param0({ qr_code: '5555555559999' });
  const first = await pay(gw.url, p0, { nowMs: clock.now() });
  clock.advance(5000);
  const q = await query(
    gw.url,
    { checkout_id: String(payModel(first)['checkout_id']) },
    { nowMs: clock.now() },
  );
  t.equal(queryModel(q)['checkout_status'], 'FAILED');
  t.match(payModel(await pay(gw.url, p0, { nowMs: clock.now() })), { result_status: 2, success: false });
  t.equal(gw.charges.charges, 0);
});

t.test(
  'the ledger settles a pending payment whose time has come even if nobody asks the gateway',
  async (t) => {
    const clock = manualClock();
    const gw = await startSandbox(t, { now: clock.now });
    await pay(gw.url, param0({ qr_code: '5555555550000' }), { nowMs: clock.now() });
    t.equal(gw.charges.charges, 0);
    clock.advance(4000);
    t.equal(gw.charges.charges, 1, 'the buyer confirmed: money moved whether or not the kiosk noticed');
  },
);

t.test(
  'a second request_id for the same out_biz_id charges again and is reported as a duplicate',
  async (t) => {
    const gw = await startSandbox(t);
    const p0 = param0({ nego_price: '1000' });
    await pay(gw.url, p0);
    await pay(gw.url, { ...p0, request_id: `${String(p0['request_id'])}-again` });
    const report = gw.charges.report();
    t.equal(report.charges, 2);
    t.equal(report.totalFen, 2000);
    t.same(report.duplicates, [p0['out_biz_id']]);
    t.same(report.byOutBizId[String(p0['out_biz_id'])], { count: 2, amountFen: 2000, status: 'SUCCEEDED' });
  },
);
