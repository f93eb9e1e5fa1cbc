import t from 'tap';
import { formatGmt8 } from '../../agent/pay/clock.js';
import { AMOUNT_LIMIT_FEN, DEMO_CODES, decide } from '../../agent/sandbox/behaviour.js';
import {
  PAY_METHOD,
  at,
  callTop,
  manualClock,
  param0,
  parse,
  pay,
  payModel,
  query,
  queryModel,
  rawNumber,
  signedParams,
  startSandbox,
  topError,
} from '../helpers/top-request.js';

t.test('a plain payment code succeeds, is charged once and answers in the documented envelope', async (t) => {
  const clock = manualClock();
  const gw = await startSandbox(t, { now: clock.now });
  const p0 = param0({ qr_code: '281234567890123456', nego_price: '3900' });
  const reply = await pay(gw.url, p0, { nowMs: clock.now() });
  t.equal(reply.status, 200);
  t.match(reply.contentType, /^application\/json/);
  t.equal(reply.date, new Date(clock.now()).toUTCString(), 'HTTP Date is the gateway clock');
  const inner = at(parse(reply), 'alibaba_alisports_lianbei_xpos_pay_response');
  t.match(inner, {
    result: { http_status_code: 200, msg_code: '0', msg_info: '访问成功', success: true },
    request_id: /^[0-9a-z]{13}$/,
  });
  t.match(payModel(reply), {
    checkout_id: String,
    success: true,
    current_pay_fee: 3900,
    payment_order_id: String,
    result_status: 1,
  });
  t.same(gw.charges.report(), {
    charges: 1,
    totalFen: 3900,
    byOutBizId: { [String(p0['out_biz_id'])]: { count: 1, amountFen: 3900, status: 'SUCCEEDED' } },
    duplicates: [],
  });
});

t.test('biz_order_id and buyer_id are 19/16-digit JSON numbers written literally, beyond 2^53', async (t) => {
  const gw = await startSandbox(t);
  const reply = await pay(gw.url, param0());
  const digits = rawNumber(reply, 'biz_order_id');
  t.match(digits, /^\d{19}$/, 'a bare 19-digit number in the JSON text, not a string');
  t.ok(BigInt(digits ?? '0') > BigInt(Number.MAX_SAFE_INTEGER));
  t.not(
    String(payModel(reply)['biz_order_id']),
    digits,
    'plain JSON.parse loses precision, as in production',
  );
  t.match(rawNumber(reply, 'buyer_id'), /^\d{16}$/);
  t.ok(BigInt(digits ?? '0') < 2n ** 63n, 'still a Java Long');
});

t.test('a code starting with F is declined for balance and nothing is charged', async (t) => {
  const gw = await startSandbox(t);
  const reply = await pay(gw.url, param0({ qr_code: 'F2345678901' }));
  t.match(at(parse(reply), 'alibaba_alisports_lianbei_xpos_pay_response', 'result'), { success: true });
  t.match(payModel(reply), {
    success: false,
    result_status: 2,
    current_pay_fee: 0,
    result_code: 'BALANCE_NOT_ENOUGH',
    result_message: '余额不足',
  });
  t.notOk('buyer_id' in payModel(reply));
  t.equal(gw.charges.charges, 0);
});

t.test('a code that is not 8–64 letters or digits is declined as invalid', async (t) => {
  const gw = await startSandbox(t);
  for (const code of ['1234', 'x'.repeat(65), '2812 3456 7890']) {
    t.match(payModel(await pay(gw.url, param0({ qr_code: code }))), {
      result_status: 2,
      result_message: '付款码无效',
    });
  }
  t.equal(gw.charges.charges, 0);
});

t.test('a member code (M…) succeeds and keeps one buyer id across payments', async (t) => {
  const gw = await startSandbox(t);
  const a = await pay(gw.url, param0({ qr_code: 'M12345678' }));
  const b = await pay(gw.url, param0({ qr_code: 'M12345678' }));
  t.equal(payModel(a)['result_status'], 1);
  t.match(rawNumber(a, 'buyer_id'), /^2208\d{12}$/);
  t.equal(rawNumber(a, 'buyer_id'), rawNumber(b, 'buyer_id'));
  t.equal(gw.charges.charges, 2);
});

t.test('a code ending 0000 is pending for pendingMs, then succeeds and is charged only then', async (t) => {
  const clock = manualClock();
  const gw = await startSandbox(t, { now: clock.now });
  const p0 = param0({ qr_code: '2812345678900000', nego_price: '500' });
  const first = await pay(gw.url, p0, { nowMs: clock.now() });
  t.match(payModel(first), { result_status: 3, success: true, current_pay_fee: 0 });
  t.notOk('buyer_id' in payModel(first), 'no buyer yet while pending');
  t.equal(gw.charges.charges, 0, 'pending is not charged');
  const checkoutId = String(payModel(first)['checkout_id']);
  const q1 = await query(gw.url, { checkout_id: checkoutId }, { nowMs: clock.now() });
  t.match(queryModel(q1), { checkout_status: 'PROCESSING', paid_fee: 0, out_biz_id: p0['out_biz_id'] });
  t.notOk('paid_time' in queryModel(q1));

  const resolvedAt = clock.now() + 4000;
  clock.advance(4000);
  const q2 = await query(gw.url, { checkout_id: checkoutId }, { nowMs: clock.now() });
  t.same(queryModel(q2), {
    paid_fee: 500,
    paid_time: formatGmt8(resolvedAt),
    checkout_status: 'SUCCEEDED',
    checkout_id: checkoutId,
    out_biz_id: p0['out_biz_id'],
    result_message: '支付成功',
    result_code: 'SUCCESS',
    success: true,
  });
  t.equal(gw.charges.charges, 1);
});

t.test('a code ending 9999 is pending, then fails and is never charged', async (t) => {
  const clock = manualClock();
  const gw = await startSandbox(t, { now: clock.now, pendingMs: 1000 });
  const p0 = param0({ qr_code: '2812345678909999' });
  const first = await pay(gw.url, p0, { nowMs: clock.now() });
  t.equal(payModel(first)['result_status'], 3);
  clock.advance(1000);
  t.equal(gw.charges.charges, 0);
  const q = await query(
    gw.url,
    { checkout_id: String(payModel(first)['checkout_id']) },
    { nowMs: clock.now() },
  );
  t.match(queryModel(q), {
    checkout_status: 'FAILED',
    paid_fee: 0,
    result_message: '用户未确认支付',
    success: false,
  });
  t.same(gw.charges.report().byOutBizId[String(p0['out_biz_id'])], {
    count: 0,
    amountFen: 0,
    status: 'FAILED',
  });
});

t.test(
  `an amount over ${AMOUNT_LIMIT_FEN} fen is refused with isv.amount-over-limit, any code`,
  async (t) => {
    const gw = await startSandbox(t);
    const reply = await pay(
      gw.url,
      param0({ nego_price: String(AMOUNT_LIMIT_FEN + 1), qr_code: 'M12345678' }),
    );
    t.match(topError(reply), { code: 15, sub_code: 'isv.amount-over-limit' });
    t.equal(
      payModel(await pay(gw.url, param0({ nego_price: String(AMOUNT_LIMIT_FEN) })))['result_status'],
      1,
    );
    t.equal(gw.charges.totalFen, AMOUNT_LIMIT_FEN);
  },
);

t.test('every DEMO_CODES example produces the outcome its row documents', (t) => {
  for (const rule of DEMO_CODES) {
    const amount = rule.outcome === 'over-limit' ? AMOUNT_LIMIT_FEN + 1 : 100;
    t.equal(decide(rule.example, amount), rule.outcome, rule.when);
  }
  t.equal(decide('M1234567890000', 100), 'pending-success', 'first match wins: 0000 before M');
  t.end();
});

t.test('querystatus finds a payment by biz_order_id given as the exact 19-digit string', async (t) => {
  const gw = await startSandbox(t);
  const paid = await pay(gw.url, param0());
  const bizOrderId = rawNumber(paid, 'biz_order_id') ?? '';
  const q = await query(gw.url, { biz_order_id: bizOrderId });
  t.match(queryModel(q), { checkout_status: 'SUCCEEDED', checkout_id: payModel(paid)['checkout_id'] });
  const rounded = String(Number(bizOrderId));
  t.match(
    topError(await query(gw.url, { biz_order_id: rounded })),
    { code: 15, sub_code: 'isv.checkout-not-exist' },
    'the id a lossy parser would send finds nothing',
  );
});

t.test('querystatus without an id is 40, an unknown id is an isv error, mismatched ids are 41', async (t) => {
  const gw = await startSandbox(t);
  t.match(topError(await query(gw.url, {})), { code: 40, sub_code: 'isv.missing-parameter:checkout_id' });
  t.match(topError(await query(gw.url, { checkout_id: 'SBX-unknown' })), { code: 15, sub_code: /^isv\./ });
  t.match(topError(await query(gw.url, { biz_order_id: '12ab' })), { code: 41 });
  const a = await pay(gw.url, param0());
  const b = await pay(gw.url, param0());
  const mixed = {
    checkout_id: String(payModel(a)['checkout_id']),
    biz_order_id: rawNumber(b, 'biz_order_id') ?? '',
  };
  t.match(topError(await query(gw.url, mixed)), { code: 41, sub_code: 'isv.invalid-parameter:biz_order_id' });
});

t.test('simplify=true puts the result at the root, as the Java SimplifyJsonConverter expects', async (t) => {
  const gw = await startSandbox(t);
  const params = signedParams(PAY_METHOD, { param0: JSON.stringify(param0()), simplify: 'true' });
  const root = parse(await callTop(gw.url, params));
  t.match(root, { result: { success: true, model: { result_status: 1 } }, request_id: String });
});
