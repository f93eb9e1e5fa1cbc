/**
 * Every fault the sandbox can inject, through the whole agent: whatever goes wrong on the wire,
 * a sale ends recorded, and an order is never charged twice.
 */
import t from 'tap';
import type { FaultSpec } from '../../agent/sandbox/faults.js';
import type { SaleStatus } from '../../agent/payment/sale.js';
import { startKiosk } from '../helpers/kiosk-harness.js';
import { SECRET } from '../helpers/top-request.js';

interface Case {
  name: string;
  fault: FaultSpec;
  status: SaleStatus;
  charges: 0 | 1;
  /** The kiosk had to ask again (replay or query) to find out. */
  checked: boolean;
}

const cases: Case[] = [
  { name: 'connection reset before the charge', fault: { kind: 'reset-before' }, status: 'succeeded', charges: 1, checked: true },
  { name: 'connection reset after the charge', fault: { kind: 'reset-after' }, status: 'succeeded', charges: 1, checked: true },
  { name: 'HTTP 502 before the charge', fault: { kind: 'http-502' }, status: 'succeeded', charges: 1, checked: true },
  { name: 'HTTP 502 after the charge', fault: { kind: 'http-502', after: true }, status: 'succeeded', charges: 1, checked: true },
  { name: 'a captive-portal HTML page', fault: { kind: 'html' }, status: 'succeeded', charges: 1, checked: true },
  { name: 'a truncated JSON reply', fault: { kind: 'truncated' }, status: 'succeeded', charges: 1, checked: true },
  { name: 'isp.* before the charge', fault: { kind: 'isp' }, status: 'succeeded', charges: 1, checked: true },
  { name: 'isp.* after the charge', fault: { kind: 'isp', after: true }, status: 'succeeded', charges: 1, checked: true },
  { name: 'a reply slower than the response timeout', fault: { kind: 'delay', ms: 2_500 }, status: 'succeeded', charges: 1, checked: true },
  { name: 'code 7 with a 1 s ban', fault: { kind: 'rate-limit', banSeconds: 1 }, status: 'succeeded', charges: 1, checked: false },
  { name: 'pending for two polls, then paid', fault: { kind: 'pending-then', polls: 2, outcome: 'success' }, status: 'succeeded', charges: 1, checked: true },
  { name: 'pending for one poll, then failed', fault: { kind: 'pending-then', polls: 1, outcome: 'fail' }, status: 'failed', charges: 0, checked: true },
]; // prettier-ignore

for (const c of cases) {
  t.test(`${c.name}: the sale ends ${c.status} with ${c.charges} charge(s)`, async (t) => {
    const k = await startKiosk(t, { responseTimeoutMs: 1_000 });
    k.gateway.faults.inject({ ...c.fault, method: 'pay', times: 1 });
    const { sale, receipt } = await k.sale(['A'], '281234567890123456');
    t.equal(sale.status, c.status);
    t.equal(k.gateway.charges.count(sale.outBizId), c.charges);
    t.same(k.gateway.charges.report().duplicates, []);
    t.equal(
      k.feedback.signals.includes('pending'),
      c.checked,
      'checking shown only when the outcome was unknown',
    );
    t.match(receipt, c.status === 'succeeded' ? /成功/ : /失败/);
    // Every error path logs: none of it may carry the secret, a signature or the full code.
    for (const line of k.logs) {
      if (
        line.includes(SECRET) ||
        line.includes('281234567890123456') ||
        /"sign"\s*:\s*"[0-9A-F]{16,}"/.test(line)
      ) {
        t.fail(`a log line leaks: ${line.slice(0, 200)}`);
      }
    }
    t.notMatch(receipt, '281234567890123456', 'the receipt shows the code masked');
  });
}

t.test('a fault on the status query is survived: the sale still resolves by asking again', async (t) => {
  const k = await startKiosk(t, { sandbox: { pendingMs: 1_200 } });
  k.gateway.faults.inject({ kind: 'reset-before', method: 'query', times: 1 });
  k.gateway.faults.inject({ kind: 'html', method: 'query', times: 1 });
  const { sale } = await k.sale(['A'], '2812345678900000');
  t.equal(sale.status, 'succeeded');
  t.equal(k.gateway.charges.count(sale.outBizId), 1);
});

t.test('a gateway that answers only garbage leaves the sale pending and never paid or failed', async (t) => {
  const k = await startKiosk(t, {
    config: { payment: { customer_wait_ms: 5_000, poll_interval_ms: 1_000 } },
  });
  k.gateway.faults.inject({ kind: 'truncated', persistent: true });
  const { sale, receipt } = await k.sale(['A'], '281234567890123456');
  t.equal(sale.status, 'pending');
  t.match(receipt, /处理中/);
  t.ok(sale.qrCode !== undefined, 'the code is kept to replay later');
});
