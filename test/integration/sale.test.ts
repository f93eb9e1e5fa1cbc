import t from 'tap';
import { startKiosk } from '../helpers/kiosk-harness.js';
import { SECRET } from '../helpers/top-request.js';

const PAY_CODE = '281234567890123456';

t.test(
  'a preset sale goes end to end: signed request, one charge, receipt printed and recorded',
  async (t) => {
    const k = await startKiosk(t);
    const { sale, receipt } = await k.sale(['B'], PAY_CODE);
    t.equal(sale.status, 'succeeded');
    t.equal(sale.printed, true);
    t.equal(sale.qrCode, undefined, 'the full code is dropped once final');
    t.equal(k.gateway.charges.count(sale.outBizId), 1);
    t.equal(k.gateway.charges.report().byOutBizId[sale.outBizId]?.amountFen, 29_900);
    t.match(receipt, /成功/);
    t.match(receipt, /￥299\.00/);
    t.match(receipt, /月卡/);
    t.match(receipt, /\*\*\*\*3456/);
    t.notMatch(receipt, PAY_CODE);
    t.match(receipt, sale.outBizId.slice(0, 20));
    t.equal(k.agent.runtime.kiosk.state.mode, 'result');
    t.ok(k.feedback.signals.includes('success'));
    t.ok(k.agent.clock.synced, 'the clock offset was learned from the gateway');
  },
);

t.test('a typed price is sent as nego_price in fen and charged exactly', async (t) => {
  const k = await startKiosk(t);
  const { sale } = await k.sale(['1', '2', '.', '5', 'ENTER'], PAY_CODE);
  t.equal(sale.status, 'succeeded');
  t.equal(sale.negoPrice, '1250');
  t.equal(k.gateway.charges.report().byOutBizId[sale.outBizId]?.amountFen, 1250);
});

t.test('a declined code ends failed, nothing charged, and the receipt says so', async (t) => {
  const k = await startKiosk(t);
  const { sale, receipt } = await k.sale(['A'], 'F2345678901');
  t.equal(sale.status, 'failed');
  t.match(sale.reason, /余额不足/);
  t.equal(k.gateway.charges.charges, 0);
  t.match(receipt, /失败/);
  t.ok(k.feedback.signals.includes('failure'));
});

t.test('a pending payment is shown as checking and resolves to paid while the member waits', async (t) => {
  const k = await startKiosk(t, { sandbox: { pendingMs: 1_500 } });
  const { sale, receipt } = await k.sale(['A'], '2812345678900000');
  t.equal(sale.status, 'succeeded');
  t.ok(k.feedback.signals.includes('pending'), 'the kiosk signalled "checking"');
  t.equal(k.gateway.charges.count(sale.outBizId), 1);
  t.match(receipt, /成功/);
});

t.test(
  'still pending after the wait: a 处理中 receipt, never failed, then resolved in the background',
  async (t) => {
    const k = await startKiosk(t, {
      sandbox: { pendingMs: 6_500 },
      config: { payment: { customer_wait_ms: 5_000, poll_interval_ms: 1_000 } },
      resolveEveryMs: 500,
    });
    const resolved = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (k.agent.store.unresolved().length === 0) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
    });
    const { sale, receipt } = await k.sale(['A'], '2812345678900000');
    t.equal(sale.status, 'pending');
    t.match(receipt, /处理中/);
    t.notMatch(receipt, /失败/);
    await resolved;
    t.equal(k.agent.store.get(sale.saleId)?.status, 'succeeded');
    t.equal(k.gateway.charges.count(sale.outBizId), 1);
  },
);

t.test(
  'a wrong app secret is refused by the gateway: refused sale, no charge, no secret in any log',
  async (t) => {
    const k = await startKiosk(t, { secret: 'not-the-right-secret' });
    const { sale, receipt } = await k.sale(['A'], PAY_CODE);
    t.equal(sale.status, 'refused');
    t.match(sale.reason, /signature/);
    t.equal(k.gateway.charges.charges, 0);
    t.match(receipt, /未受理/);
    for (const line of k.logs) {
      t.notMatch(line, 'not-the-right-secret');
      t.notMatch(line, SECRET);
    }
  },
);

t.test(
  'a gateway clock 20 minutes off is learned from the Date header and the sale goes through',
  async (t) => {
    const k = await startKiosk(t);
    k.gateway.faults.inject({ kind: 'skew', ms: 20 * 60_000 });
    const { sale } = await k.sale(['A'], PAY_CODE);
    t.equal(sale.status, 'succeeded');
    t.equal(k.gateway.charges.count(sale.outBizId), 1);
    t.ok(Math.abs(k.agent.clock.offsetMs - 20 * 60_000) < 5_000, `offset ${k.agent.clock.offsetMs} ms`);
  },
);

t.test('an unreachable gateway refuses the sale within seconds, with nothing charged', async (t) => {
  const k = await startKiosk(t);
  await k.gateway.close();
  const started = Date.now();
  const { sale, receipt } = await k.sale(['A'], PAY_CODE);
  t.equal(sale.status, 'refused');
  t.match(sale.reason, /unreachable/);
  t.ok(Date.now() - started < 5_000);
  t.match(receipt, /未受理/);
});

t.test(
  'no log line of a full sale, a decline or an error holds the secret, a signature or a full code',
  async (t) => {
    const k = await startKiosk(t, { sandbox: { pendingMs: 1_200 } });
    const codes = [PAY_CODE, 'F2345678901', '2812345678900000', 'M123456789'];
    for (const code of codes) await k.sale(['A'], code);
    k.gateway.faults.inject({ kind: 'html' });
    await k.sale(['A'], '281111222233334444');
    codes.push('281111222233334444');
    t.ok(k.logs.length > 20, `${k.logs.length} log lines captured`);
    for (const line of k.logs) {
      t.notMatch(line, SECRET);
      t.notMatch(line, /"sign"\s*:\s*"[0-9A-F]{16,}"/);
      for (const code of codes) t.notMatch(line, code);
    }
  },
);
