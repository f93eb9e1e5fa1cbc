import t from 'tap';
import { formatGmt8 } from '../../agent/pay/clock.js';
import {
  PAY_METHOD,
  QUERY_METHOD,
  callTop,
  manualClock,
  param0,
  pay,
  payModel,
  signedParams,
  startSandbox,
  topError,
  type TopReply,
} from '../helpers/top-request.js';

/** The reply as one object to match: HTTP status plus the error_response fields. */
function err(reply: TopReply): Record<string, unknown> {
  return { status: reply.status, ...topError(reply) };
}

/** TOP answers errors with HTTP 200, and every error carries a gateway trace id. */
function refusal(code: number, subCode?: string): Record<string, unknown> {
  return { status: 200, code, request_id: String, ...(subCode !== undefined && { sub_code: subCode }) };
}

t.test('a correctly signed pay is accepted with each sign method and each request layout', async (t) => {
  const gw = await startSandbox(t);
  for (const signMethod of ['md5', 'hmac', 'hmac-sha256'] as const) {
    for (const via of ['body', 'split', 'get'] as const) {
      const reply = await callTop(
        gw.url,
        signedParams(PAY_METHOD, { param0: JSON.stringify(param0()) }, { signMethod }),
        via,
      );
      t.equal(payModel(reply)['result_status'], 1, `${signMethod} via ${via}`);
    }
  }
  t.equal(gw.charges.charges, 9);
});

t.test('a missing method is refused with 21 and an unknown one with 22', async (t) => {
  const gw = await startSandbox(t);
  t.match(err(await callTop(gw.url, signedParams(PAY_METHOD, {}, { drop: ['method'] }))), refusal(21));
  t.match(err(await callTop(gw.url, signedParams('taobao.item.seller.get', {}))), refusal(22));
});

t.test('a missing app_key is refused with 28 and a foreign one with 29', async (t) => {
  const gw = await startSandbox(t);
  t.match(err(await callTop(gw.url, signedParams(QUERY_METHOD, {}, { drop: ['app_key'] }))), refusal(28));
  t.match(err(await callTop(gw.url, signedParams(QUERY_METHOD, {}, { appKey: '87654321' }))), refusal(29));
});

t.test(
  'timestamps: missing is 30; wrong format or more than 10 minutes off the server clock is 31',
  async (t) => {
    const clock = manualClock();
    const gw = await startSandbox(t, { now: clock.now });
    const q = { checkout_id: 'nope' };
    t.match(err(await callTop(gw.url, signedParams(QUERY_METHOD, q, { drop: ['timestamp'] }))), refusal(30));
    const epochMs = String(clock.now());
    t.match(err(await callTop(gw.url, signedParams(QUERY_METHOD, q, { timestamp: epochMs }))), refusal(31));
    // UTC instead of GMT+8: the classic eight-hours-off kiosk.
    const utc = new Date(clock.now()).toISOString().slice(0, 19).replace('T', ' ');
    t.match(err(await callTop(gw.url, signedParams(QUERY_METHOD, q, { timestamp: utc }))), refusal(31));
    t.match(
      err(await callTop(gw.url, signedParams(QUERY_METHOD, q, { nowMs: clock.now() + 11 * 60_000 }))),
      refusal(31),
    );
    const inWindow = await callTop(
      gw.url,
      signedParams(QUERY_METHOD, q, { nowMs: clock.now() - 9 * 60_000 }),
    );
    t.match(err(inWindow), refusal(15, 'isv.checkout-not-exist'));
    t.equal(inWindow.date, new Date(clock.now()).toUTCString(), 'the Date header is the gateway clock');
  },
);

t.test('signatures: missing is 24; wrong secret, tampered param or unknown sign_method is 25', async (t) => {
  const gw = await startSandbox(t);
  const app = { param0: JSON.stringify(param0()) };
  t.match(err(await callTop(gw.url, signedParams(PAY_METHOD, app, { drop: ['sign'] }))), refusal(24));
  const wrong = await callTop(gw.url, signedParams(PAY_METHOD, app, { secret: 'not-the-secret' }));
  t.match(err(wrong), refusal(25));
  t.notOk('sub_code' in topError(wrong), 'code 25 carries no sub_code, as on TOP');
  const tampered = signedParams(PAY_METHOD, app);
  tampered['param0'] = JSON.stringify({ ...param0(), nego_price: '1' });
  t.match(err(await callTop(gw.url, tampered)), refusal(25));
  t.match(
    err(await callTop(gw.url, signedParams(PAY_METHOD, app, { signMethodParam: 'sha1' }))),
    refusal(25),
  );
  const lower = signedParams(PAY_METHOD, app);
  lower['sign'] = (lower['sign'] ?? '').toLowerCase();
  t.match(err(await callTop(gw.url, lower)), refusal(25));
  t.equal(gw.charges.charges, 0, 'nothing refused at the gateway is charged');
});

t.test(
  'versions: missing v is 32, a non-version 33, anything but 2.0 is 34; format must be json',
  async (t) => {
    const gw = await startSandbox(t);
    const q = { checkout_id: 'x' };
    t.match(err(await callTop(gw.url, signedParams(QUERY_METHOD, q, { drop: ['v'] }))), refusal(32));
    t.match(err(await callTop(gw.url, signedParams(QUERY_METHOD, q, { v: 'two' }))), refusal(33));
    t.match(err(await callTop(gw.url, signedParams(QUERY_METHOD, q, { v: '1.0' }))), refusal(34));
    t.match(err(await callTop(gw.url, signedParams(QUERY_METHOD, q, { drop: ['format'] }))), refusal(23));
    t.match(err(await callTop(gw.url, signedParams(QUERY_METHOD, q, { format: 'xml' }))), refusal(23));
  },
);

t.test(
  'checks run in the gateway order: method before app_key before timestamp before signature',
  async (t) => {
    const gw = await startSandbox(t);
    const bad = { appKey: 'other', secret: 'wrong', timestamp: 'yesterday' };
    t.match(err(await callTop(gw.url, signedParams('no.such.method', {}, bad))), refusal(22));
    t.match(err(await callTop(gw.url, signedParams(QUERY_METHOD, {}, bad))), refusal(29));
    t.match(
      err(await callTop(gw.url, signedParams(QUERY_METHOD, {}, { ...bad, appKey: '12345678' }))),
      refusal(31),
    );
    const stale = formatGmt8(Date.now());
    t.match(
      err(await callTop(gw.url, signedParams(QUERY_METHOD, {}, { secret: 'wrong', timestamp: stale }))),
      refusal(25),
    );
  },
);

t.test('param0 missing is 40; not JSON or not an object is 41', async (t) => {
  const gw = await startSandbox(t);
  t.match(
    err(await callTop(gw.url, signedParams(PAY_METHOD, {}))),
    refusal(40, 'isv.missing-parameter:param0'),
  );
  t.match(err(await pay(gw.url, '{nego_price:')), refusal(41, 'isv.invalid-parameter:param0'));
  t.match(err(await pay(gw.url, '[1,2]')), refusal(41, 'isv.invalid-parameter:param0'));
});

t.test('each required param0 field missing or empty is 40 naming the field', async (t) => {
  const gw = await startSandbox(t);
  for (const field of [
    'nego_price',
    'qr_code',
    'request_id',
    'out_biz_id',
    'cashier_name',
    'cashier_id',
    'store_id',
  ]) {
    t.match(
      err(await pay(gw.url, param0({ [field]: undefined }))),
      refusal(40, `isv.missing-parameter:${field}`),
    );
    t.match(err(await pay(gw.url, param0({ [field]: ' ' }))), refusal(40, `isv.missing-parameter:${field}`));
  }
  t.equal(gw.charges.charges, 0);
});

t.test('wrong param0 types and amounts are 41 naming the field', async (t) => {
  const gw = await startSandbox(t);
  const cases: [Record<string, unknown>, string][] = [
    [{ nego_price: 3900 }, 'nego_price'],
    [{ nego_price: '39.00' }, 'nego_price'],
    [{ nego_price: '0' }, 'nego_price'],
    [{ nego_price: '-5' }, 'nego_price'],
    [{ item_id: '1001' }, 'item_id'],
    [{ machine_id: 7 }, 'machine_id'],
    [{ store_id: 333333 }, 'store_id'],
  ];
  for (const [fields, field] of cases) {
    t.match(err(await pay(gw.url, param0(fields))), refusal(41, `isv.invalid-parameter:${field}`));
  }
  t.equal(
    payModel(await pay(gw.url, param0({ item_id: undefined, machine_id: undefined })))['result_status'],
    1,
  );
});

t.test('a non-TOP HTTP verb is code 9 and an unknown path is 404', async (t) => {
  const gw = await startSandbox(t);
  const put = await fetch(gw.url, { method: 'PUT', body: 'x' });
  t.equal((JSON.parse(await put.text()) as { error_response: { code: number } }).error_response.code, 9);
  const other = await fetch(`${gw.origin}/elsewhere`);
  t.equal(other.status, 404);
  await other.text();
});
