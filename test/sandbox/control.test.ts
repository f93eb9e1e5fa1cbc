import t from 'tap';
import { isAgentError, ErrorCode } from '../../agent/errors.js';
import { createLogger } from '../../agent/log.js';
import { isLoopback } from '../../agent/sandbox/http.js';
import { SandboxGateway } from '../../agent/sandbox/server.js';
import {
  APP_KEY,
  SECRET,
  control,
  param0,
  pay,
  payModel,
  startSandbox,
  topError,
} from '../helpers/top-request.js';

t.test('POST /_sandbox/faults queues faults that hit the next TOP calls', async (t) => {
  const gw = await startSandbox(t);
  const posted = await control(gw.origin, 'POST', '/_sandbox/faults', { kind: 'isp', method: 'pay' });
  t.equal(posted.status, 201);
  t.match(posted.json, { faults: [{ spec: { kind: 'isp', method: 'pay' }, remaining: 1 }] });
  t.match(topError(await pay(gw.url, param0())), { sub_code: 'isp.top-remote-connection-timeout' });
  t.equal(payModel(await pay(gw.url, param0()))['result_status'], 1, 'one-shot by default');
});

t.test('POST /_sandbox/faults takes an array, and refuses the whole array if one spec is bad', async (t) => {
  const gw = await startSandbox(t);
  const bad = await control(gw.origin, 'POST', '/_sandbox/faults', [{ kind: 'html' }, { kind: 'delay' }]);
  t.equal(bad.status, 400);
  t.match(bad.json, { error: /fault 1/ });
  t.same(gw.faults.list(), [], 'nothing queued');
  t.equal((await control(gw.origin, 'POST', '/_sandbox/faults', 'not json')).status, 400);
  const ok = await control(gw.origin, 'POST', '/_sandbox/faults', [
    { kind: 'html', times: 2 },
    { kind: 'skew', ms: 1000 },
  ]);
  t.equal(ok.status, 201);
  t.match(ok.json, { faults: [{ remaining: 2 }, { spec: { kind: 'skew' }, remaining: null }] });
});

t.test('GET and DELETE /_sandbox/faults list and clear the queue', async (t) => {
  const gw = await startSandbox(t);
  gw.faults.inject({ kind: 'reset-before', persistent: true });
  t.match((await control(gw.origin, 'GET', '/_sandbox/faults')).json, {
    faults: [{ spec: { kind: 'reset-before' }, remaining: null }],
  });
  const cleared = await control(gw.origin, 'DELETE', '/_sandbox/faults');
  t.equal(cleared.status, 200);
  t.same(cleared.json, { faults: [] });
  t.equal(payModel(await pay(gw.url, param0()))['result_status'], 1);
});

t.test('GET /_sandbox/charges serves the ledger report', async (t) => {
  const gw = await startSandbox(t);
  const p0 = param0({ nego_price: '1234' });
  await pay(gw.url, p0);
  await pay(gw.url, p0);
  await pay(gw.url, param0({ qr_code: 'F1234567890' }));
  const got = await control(gw.origin, 'GET', '/_sandbox/charges');
  t.equal(got.status, 200);
  t.same(got.json, gw.charges.report());
  t.match(got.json, { charges: 1, totalFen: 1234, duplicates: [] });
});

t.test('unknown control routes are 404 and control replies carry a Date header', async (t) => {
  const gw = await startSandbox(t);
  const res = await fetch(`${gw.origin}/_sandbox/nothing`);
  t.equal(res.status, 404);
  t.ok(res.headers.get('date'));
  await res.text();
});

t.test('control requests are accepted only from loopback peers', (t) => {
  for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) t.ok(isLoopback(a), a);
  for (const a of ['10.0.0.2', '192.168.1.5', '::ffff:10.0.0.2', undefined])
    t.notOk(isLoopback(a), String(a));
  t.end();
});

t.test('the gateway listens on 127.0.0.1 only and refuses any other host', async (t) => {
  const gw = await startSandbox(t);
  t.match(gw.url, /^http:\/\/127\.0\.0\.1:\d+\/router\/rest$/);
  const err = await SandboxGateway.start({
    appKey: APP_KEY,
    secret: SECRET,
    log: createLogger('silent'),
    host: '0.0.0.0' as '127.0.0.1',
  }).catch((e: unknown) => e);
  t.ok(isAgentError(err, ErrorCode.ConfigInvalid));
});

t.test('a port already in use is an AgentError naming the port', async (t) => {
  const gw = await startSandbox(t);
  const err = await SandboxGateway.start({
    appKey: APP_KEY,
    secret: SECRET,
    log: createLogger('silent'),
    port: gw.port,
  }).catch((e: unknown) => e);
  t.ok(isAgentError(err, ErrorCode.SandboxConflict));
  t.match(err, { message: new RegExp(`127\\.0\\.0\\.1:${gw.port} is already in use`) });
});

t.test('close() drops in-flight calls, stops listening and is idempotent', async (t) => {
  const gw = await SandboxGateway.start({ appKey: APP_KEY, secret: SECRET, log: createLogger('silent') });
  gw.faults.inject({ kind: 'delay', ms: 10_000 });
  const p0 = param0();
  const inFlight = pay(gw.url, p0);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = Date.now();
  await Promise.all([gw.close(), gw.close()]);
  await t.rejects(inFlight, 'the delayed call is cut off');
  t.ok(Date.now() - started < 2000, 'close did not wait for the delay');
  t.equal(gw.charges.charges, 0, 'a call cut off by close is never processed');
  await t.rejects(pay(gw.url, param0()), 'nothing listens any more');
  await gw.close();
});
