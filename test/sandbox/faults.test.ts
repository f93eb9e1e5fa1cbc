import t from 'tap';
import { formatGmt8 } from '../../agent/pay/clock.js';
import { FaultControl, type FaultSpec } from '../../agent/sandbox/faults.js';
import {
  PAY_METHOD,
  callTop,
  manualClock,
  param0,
  pay,
  payModel,
  query,
  queryModel,
  signedParams,
  startSandbox,
  topError,
} from '../helpers/top-request.js';

t.test('delay holds the reply; a client that gives up early still gets charged', async (t) => {
  const gw = await startSandbox(t);
  gw.faults.inject({ kind: 'delay', ms: 150 });
  const started = Date.now();
  t.equal(payModel(await pay(gw.url, param0()))['result_status'], 1);
  t.ok(Date.now() - started >= 140, 'the reply came after the delay');

  gw.faults.inject({ kind: 'delay', ms: 200 });
  const p0 = param0();
  const gaveUp = fetchWithTimeout(gw.url, p0, 50);
  await t.rejects(gaveUp, 'the client timed out');
  t.equal(gw.charges.count(String(p0['out_biz_id'])), 0, 'not yet processed');
  await new Promise((resolve) => setTimeout(resolve, 250));
  t.equal(gw.charges.count(String(p0['out_biz_id'])), 1, 'processed after all: the ambiguous timeout');
});

async function fetchWithTimeout(url: string, p0: Record<string, unknown>, ms: number): Promise<void> {
  await callTop(
    url,
    signedParams(PAY_METHOD, { param0: JSON.stringify(p0) }),
    'body',
    AbortSignal.timeout(ms),
  );
}

t.test(
  'reset-before drops the connection before processing: nothing charged, a retry pays once',
  async (t) => {
    const gw = await startSandbox(t);
    gw.faults.inject({ kind: 'reset-before' });
    const p0 = param0();
    await t.rejects(pay(gw.url, p0));
    t.equal(gw.charges.charges, 0);
    t.equal(payModel(await pay(gw.url, p0))['result_status'], 1);
    t.equal(gw.charges.charges, 1);
  },
);

t.test(
  'reset-after charges and then drops the connection; the replay reports it without charging again',
  async (t) => {
    const gw = await startSandbox(t);
    gw.faults.inject({ kind: 'reset-after' });
    const p0 = param0();
    await t.rejects(pay(gw.url, p0));
    t.equal(gw.charges.charges, 1, 'the customer paid although the kiosk heard nothing');
    t.equal(payModel(await pay(gw.url, p0))['result_status'], 1);
    t.equal(gw.charges.charges, 1);
  },
);

t.test('http-502 answers an HTML 502 before processing, or after charging with after: true', async (t) => {
  const gw = await startSandbox(t);
  gw.faults.inject({ kind: 'http-502' });
  const before = await pay(gw.url, param0());
  t.equal(before.status, 502);
  t.match(before.contentType, /^text\/html/);
  t.match(before.text, /502 Bad Gateway/);
  t.equal(gw.charges.charges, 0);
  gw.faults.inject({ kind: 'http-502', after: true });
  t.equal((await pay(gw.url, param0())).status, 502);
  t.equal(gw.charges.charges, 1);
});

t.test('html answers a captive-portal page with HTTP 200 and processes nothing', async (t) => {
  const gw = await startSandbox(t);
  gw.faults.inject({ kind: 'html' });
  const reply = await pay(gw.url, param0());
  t.equal(reply.status, 200);
  t.match(reply.contentType, /^text\/html/);
  t.match(reply.text, /^<!DOCTYPE html>.*Wi-Fi/);
  t.throws(() => JSON.parse(reply.text) as unknown);
  t.equal(gw.charges.charges, 0);
});

t.test('truncated sends the first half of the real reply after charging', async (t) => {
  const gw = await startSandbox(t);
  gw.faults.inject({ kind: 'truncated' });
  const p0 = param0();
  const cut = await pay(gw.url, p0);
  t.equal(cut.status, 200);
  t.match(cut.text, /^\{"alibaba_alisports_lianbei_xpos_pay_response":\{"result":/);
  t.throws(() => JSON.parse(cut.text) as unknown, 'not valid JSON');
  t.equal(gw.charges.charges, 1);
  const whole = await pay(gw.url, p0);
  t.equal(Buffer.byteLength(cut.text), Math.floor(Buffer.byteLength(whole.text) / 2), 'exactly half');
  t.equal(gw.charges.charges, 1);
});

t.test('isp answers code 15 isp.top-remote-connection-timeout, before or after charging', async (t) => {
  const gw = await startSandbox(t);
  gw.faults.inject({ kind: 'isp' });
  t.match(topError(await pay(gw.url, param0())), {
    code: 15,
    sub_code: 'isp.top-remote-connection-timeout',
    request_id: String,
  });
  t.equal(gw.charges.charges, 0, 'the default isp fault never reached the service');
  gw.faults.inject({ kind: 'isp', after: true });
  const p0 = param0();
  t.match(topError(await pay(gw.url, p0)), { sub_code: 'isp.top-remote-connection-timeout' });
  t.equal(gw.charges.charges, 1, 'after: true charged behind the timeout');
  t.equal(payModel(await pay(gw.url, p0))['result_status'], 1, 'the replay tells the truth');
  t.equal(gw.charges.charges, 1);
});

t.test('rate-limit answers code 7 with the ban length in sub_msg and processes nothing', async (t) => {
  const gw = await startSandbox(t);
  gw.faults.inject({ kind: 'rate-limit', banSeconds: 5 });
  t.same(
    { ...topError(await pay(gw.url, param0())), request_id: 'x' },
    {
      code: 7,
      msg: 'App Call Limited',
      sub_code: 'accesscontrol.limited-by-app-access-count',
      sub_msg: 'This ban will last for 5 more seconds',
      request_id: 'x',
    },
  );
  gw.faults.inject({ kind: 'rate-limit' });
  t.match(topError(await pay(gw.url, param0())), { sub_msg: 'This ban will last for 2 more seconds' });
  t.equal(gw.charges.charges, 0);
});

t.test('pending-then holds the next payment pending for N polls, then succeeds', async (t) => {
  const clock = manualClock();
  const gw = await startSandbox(t, { now: clock.now });
  gw.faults.inject({ kind: 'pending-then', polls: 2, outcome: 'success' });
  const p0 = param0({ qr_code: '281234567890123456' });
  const first = await pay(gw.url, p0, { nowMs: clock.now() });
  t.equal(payModel(first)['result_status'], 3, 'a code that would succeed at once is held');
  clock.advance(60_000);
  const id = { checkout_id: String(payModel(first)['checkout_id']) };
  t.equal(queryModel(await query(gw.url, id, { nowMs: clock.now() }))['checkout_status'], 'PROCESSING');
  t.equal(
    payModel(await pay(gw.url, p0, { nowMs: clock.now() }))['result_status'],
    3,
    'a replay is a poll too',
  );
  t.equal(gw.charges.charges, 0, 'time alone does not resolve it');
  t.match(queryModel(await query(gw.url, id, { nowMs: clock.now() })), {
    checkout_status: 'SUCCEEDED',
    paid_time: formatGmt8(clock.now()),
  });
  t.equal(gw.charges.charges, 1);
  t.equal(payModel(await pay(gw.url, param0(), { nowMs: clock.now() }))['result_status'], 1, 'one-shot');
});

t.test(
  'pending-then with outcome fail resolves to a decline on the first poll when polls is 0',
  async (t) => {
    const gw = await startSandbox(t);
    gw.faults.inject({ kind: 'pending-then', polls: 0, outcome: 'fail' });
    const p0 = param0();
    t.equal(payModel(await pay(gw.url, p0))['result_status'], 3);
    t.match(payModel(await pay(gw.url, p0)), { result_status: 2, success: false });
    t.equal(gw.charges.charges, 0);
  },
);

t.test(
  'skew moves the gateway clock: in-sync timestamps get 31, the Date header shows the skewed time',
  async (t) => {
    const clock = manualClock();
    const gw = await startSandbox(t, { now: clock.now });
    const skewMs = 20 * 60_000;
    gw.faults.inject({ kind: 'skew', ms: skewMs });
    const refused = await pay(gw.url, param0(), { nowMs: clock.now() });
    t.match(topError(refused), { code: 31 });
    t.equal(refused.date, new Date(clock.now() + skewMs).toUTCString());
    const fromDate = Date.parse(refused.date ?? '');
    t.equal(
      payModel(await pay(gw.url, param0(), { nowMs: fromDate }))['result_status'],
      1,
      'resynced from Date',
    );
    t.equal(payModel(await pay(gw.url, param0(), { nowMs: fromDate }))['result_status'], 1, 'skew persists');
    gw.faults.clear();
    t.equal(payModel(await pay(gw.url, param0(), { nowMs: clock.now() }))['result_status'], 1, 'cleared');
  },
);

t.test('faults hit only their method, for their count, or until cleared when persistent', async (t) => {
  const gw = await startSandbox(t);
  gw.faults.inject({ kind: 'isp', method: 'query', times: 2 });
  const paid = await pay(gw.url, param0());
  t.equal(payModel(paid)['result_status'], 1, 'a query-only fault leaves pay alone');
  const id = { checkout_id: String(payModel(paid)['checkout_id']) };
  t.match(topError(await query(gw.url, id)), { code: 15, sub_code: /^isp\./ });
  t.match(topError(await query(gw.url, id)), { code: 15, sub_code: /^isp\./ });
  t.equal(queryModel(await query(gw.url, id))['checkout_status'], 'SUCCEEDED', 'spent after two');

  gw.faults.inject({ kind: 'html', persistent: true });
  for (let i = 0; i < 3; i += 1) t.match((await query(gw.url, id)).text, /<html/);
  t.equal(gw.faults.list().length, 1);
  gw.faults.clear();
  t.equal(queryModel(await query(gw.url, id))['checkout_status'], 'SUCCEEDED');
});

t.test('an invalid fault spec is refused with a TypeError naming the problem, and nothing is queued', (t) => {
  const faults = new FaultControl();
  t.throws(
    () => {
      faults.inject({ kind: 'delay', ms: -1 });
    },
    { name: 'TypeError', message: /ms/ },
  );
  const wrong = [
    { kind: 'pending-then', polls: 1, outcome: 'success', method: 'query' },
    { kind: 'nope' },
    { kind: 'html', tims: 2 },
  ];
  for (const spec of wrong) {
    t.throws(() => {
      faults.inject(spec as unknown as FaultSpec);
    }, TypeError);
  }
  t.same(faults.list(), []);
  t.end();
});
