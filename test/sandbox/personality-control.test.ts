/**
 * Choosing a personality: the control route (GET/PUT /_sandbox/personality), the option, and the
 * CLI flag of `xpos-agent sandbox` (the built binary, as the chaos harness starts it).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../agent/log.js';
import { runSandbox } from '../../agent/sandbox/cli.js';
import { PERSONALITY_NAMES } from '../../agent/sandbox/personality.js';
import { SandboxGateway } from '../../agent/sandbox/server.js';
import {
  APP_KEY,
  SECRET,
  control,
  manualClock,
  param0,
  pay,
  payModel,
  query,
  queryModel,
  startSandbox,
} from '../helpers/top-request.js';

const MAIN = new URL('../../dist/agent/main.js', import.meta.url).pathname;

/** GET or PUT /_sandbox/personality. */
const personality = (origin: string, method: 'GET' | 'PUT', body?: unknown) =>
  control(origin, method, '/_sandbox/personality', body);

t.test('GET shows the personality with its params; PUT switches it and fills defaults', async (t) => {
  const gw = await startSandbox(t);
  t.same((await personality(gw.origin, 'GET')).json, { personality: 'today' });
  const put = await personality(gw.origin, 'PUT', { personality: 'slow', slowReplyMs: 5000 });
  t.equal(put.status, 200);
  const slow = { personality: 'slow', slowPhaseMs: 4000, normalPhaseMs: 4000, slowReplyMs: 5000 };
  t.same(put.json, slow);
  t.same((await personality(gw.origin, 'GET')).json, slow);
  for (const name of PERSONALITY_NAMES) {
    t.equal((await personality(gw.origin, 'PUT', { personality: name })).status, 200, name);
    t.match((await personality(gw.origin, 'GET')).json, { personality: name });
  }
});

t.test('PUT with a bad body is 400 naming the problem, and nothing changes', async (t) => {
  const gw = await startSandbox(t);
  await personality(gw.origin, 'PUT', { personality: 'query-completes', queryPolls: 5 });
  const cases: [unknown, RegExp][] = [
    ['not json', /JSON/],
    [[{ personality: 'slow' }], /JSON object/],
    [{}, /"personality".*required/],
    [{ personality: 7 }, /"personality".*required/],
    [{ personality: 'grumpy' }, /unknown personality "grumpy"; one of: today, replay-completes/],
    [{ personality: 'slow', queryPolls: 2 }, /queryPolls/],
    [{ personality: 'slow', slowReplyMs: -1 }, /slowReplyMs/],
    [{ personality: 'query-completes', queryPolls: 1.5 }, /queryPolls/],
    [{ personality: 'no-dedup', dedupLagMs: '60000' }, /dedupLagMs/],
  ];
  for (const [body, problem] of cases) {
    const res = await personality(gw.origin, 'PUT', body);
    t.equal(res.status, 400, JSON.stringify(body));
    t.match(res.json, { error: problem });
  }
  t.same((await personality(gw.origin, 'GET')).json, { personality: 'query-completes', queryPolls: 5 });
});

t.test('a switch applies to payments made afterwards; earlier ones keep their behaviour', async (t) => {
  const clock = manualClock();
  const gw = await startSandbox(t, { now: clock.now });
  const s = (): { nowMs: number } => ({ nowMs: clock.now() });
  const before = param0({ qr_code: '2812345678900000' });
  t.equal(payModel(await pay(gw.url, before, s()))['result_status'], 3);
  t.equal((await personality(gw.origin, 'PUT', { personality: 'replay-completes' })).status, 200);
  const after = param0({ qr_code: '2812345678900000' });
  const id = String(payModel(await pay(gw.url, after, s()))['checkout_id']);
  clock.advance(4000);
  t.equal(gw.charges.count(String(before['out_biz_id'])), 1, 'the earlier one was paid by time');
  t.equal(queryModel(await query(gw.url, { checkout_id: id }, s()))['checkout_status'], 'PROCESSING');

  t.equal((await personality(gw.origin, 'PUT', { personality: 'today' })).status, 200);
  t.equal(queryModel(await query(gw.url, { checkout_id: id }, s()))['checkout_status'], 'PROCESSING');
  t.equal(payModel(await pay(gw.url, after, s()))['result_status'], 1, 'still completed by its replay');
  t.equal(gw.charges.charges, 2);
});

t.test('SandboxOptions.personality takes a name or a spec; a bad one throws before binding', async (t) => {
  const gw = await startSandbox(t, { personality: { personality: 'no-dedup', dedupLagMs: 10 } });
  t.same(gw.personality.current, { personality: 'no-dedup', dedupLagMs: 10 });
  const log = createLogger('silent');
  const bad = { appKey: APP_KEY, secret: SECRET, log, personality: 'grumpy' as 'today' };
  await t.rejects(SandboxGateway.start(bad), { name: 'TypeError', message: /unknown personality "grumpy"/ });
  t.throws(() => gw.personality.set({ personality: 'slow', slowPhaseMs: 0 }), TypeError);
  t.same(gw.personality.current, { personality: 'no-dedup', dedupLagMs: 10 }, 'unchanged');
});

t.test('runSandbox prints the personality and the control route', async (t) => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  const gw = await runSandbox({ port: 0, personality: 'query-completes' }, createLogger('silent'), out);
  t.teardown(() => gw.close());
  t.match(text, 'personality: {"personality":"query-completes","queryPolls":3}\n');
  t.match(text, `${gw.origin}/_sandbox/personality`);
});

t.test('xpos-agent sandbox --personality: an unknown name exits 64 listing the names', async (t) => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);
  const run = (args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [MAIN, 'sandbox', '--port', '0', ...args]);
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        // A good name starts the gateway: once it says so, stop it.
        if (stdout.includes('personality: ')) child.kill('SIGTERM');
      });
      child.on('close', (code) => resolve({ code, stderr, stdout }));
    });
  const bad = await run(['--personality', 'grumpy']);
  t.equal(bad.code, 64);
  t.match(bad.stderr, `unknown personality "grumpy"; one of: ${PERSONALITY_NAMES.join(', ')}`);
  t.equal(bad.stdout, '', 'no gateway started');
  const good = await run(['--personality', 'replay-completes']);
  t.equal(good.code, 0);
  t.match(good.stdout, 'personality: {"personality":"replay-completes"}');
});
