/**
 * Money decisions that must not depend on luck: the amount actually charged is checked, a sale is
 * only resolved against its own gateway, and durations are measured on the monotonic clock so a
 * wall-clock step neither stretches a member's wait nor hides a sale that has waited too long.
 */
import t from 'tap';
import { buildReceipt } from '../../agent/receipt/build.js';
import { gatewayId } from '../../agent/payment/ids.js';
import type { PayOutcome } from '../../agent/pay/types.js';
import { DEFAULT_PAYMENT_SETTINGS } from '../../agent/payment/payments.js';
import { setup } from '../helpers/payment-setup.js';

const ambiguous: PayOutcome = { kind: 'ambiguous', reason: 'ECONNRESET after send' };

t.test(
  'a charge of another amount (a fen/yuan mix-up is 100x) is flagged and printed as charged',
  async (t) => {
    const s = setup([{ kind: 'success', value: { checkoutId: 'C1', currentPayFee: 125_000 } }]);
    const rec = await s.pay();
    t.equal(rec.status, 'succeeded');
    t.match(rec.flag, /^amount-mismatch: charged 125000 fen, the sale is 1250 fen/);
    t.same(s.store.summary().flagKinds, { 'amount-mismatch': 1 });
    const lines = buildReceipt(rec, {
      storeName: 'X',
      language: 'zh',
      timeZone: 'Asia/Shanghai',
      demo: false,
    })
      .blocks.map((b) => ('value' in b ? `${b.label} ${b.value}` : 'text' in b ? b.text : ''))
      .join('\n');
    t.match(lines, /金额 ￥12\.50/);
    t.match(lines, /实付 ￥1250\.00/, 'the receipt states what was charged');
    t.match(lines, /实付与金额不符/);
  },
);

t.test('the same amount charged raises nothing', async (t) => {
  const s = setup([{ kind: 'success', value: { checkoutId: 'C1', currentPayFee: 1250 } }]);
  t.equal((await s.pay()).flag, undefined);
});

t.test('a sale is recorded with its gateway and never resolved against another', async (t) => {
  const mine = gatewayId('https://eco.taobao.com/router/rest', '12345678');
  const s = setup([ambiguous], { gateway: mine });
  const rec = await s.pay();
  t.equal(rec.gateway, mine);
  t.equal(rec.status, 'pending');
  // The same state directory, now used by an agent with another gateway (a simulator, say).
  const other = setup([], { gateway: gatewayId('sandbox', '12345678') });
  other.ledger.create({ ...rec, saleId: 'X1', requestId: 'R-X1', outBizId: 'O-X1' });
  const resolved = await other.background.resolvePending();
  t.same(resolved, []);
  t.equal(other.api.calls.length, 0, 'nothing was sent for it');
  t.equal(other.background.otherGatewaySales, 1);
  t.not(gatewayId('sandbox', '12345678'), gatewayId('sandbox', '87654321'), 'the app key counts');
});

t.test("a wall-clock step forward does not cut the member's wait short", async (t) => {
  const s = setup([ambiguous]);
  s.api.onPay = () => {
    s.clock.wallStep += 3_600_000;
  };
  await s.pay();
  t.ok(s.api.payCalls.length > 10, `checked ${s.api.payCalls.length} times over the full wait`);
  const waited = s.clock.sleeps.reduce((a, b) => a + b, 0);
  t.equal(waited, DEFAULT_PAYMENT_SETTINGS.customerWaitMs);
});

t.test('a wall-clock step back does not stretch the wait nor hide an old sale from its flag', async (t) => {
  const s = setup([ambiguous]);
  s.api.onPay = () => {
    s.clock.wallStep -= 3_600_000;
  };
  await s.pay();
  const waited = s.clock.sleeps.reduce((a, b) => a + b, 0);
  t.equal(waited, DEFAULT_PAYMENT_SETTINGS.customerWaitMs);
  s.api.onPay = undefined;
  s.clock.t += 86_400_000;
  s.clock.wallStep = -10 * 86_400_000;
  await s.background.resolvePending();
  t.match(s.store.get('S1')?.flag, /^unresolved: unresolved after 24 h/);
});
