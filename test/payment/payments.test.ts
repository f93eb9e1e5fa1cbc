import t from 'tap';
import { DEFAULT_PAYMENT_SETTINGS } from '../../agent/payment/payments.js';
import type { OfflinePolicy } from '../../agent/payment/offline.js';
import type { PayOutcome } from '../../agent/pay/types.js';
import { AgentError, ErrorCode } from '../../agent/errors.js';
import type { Answer } from '../helpers/scripted-api.js';
import { CODE, INTENT as intent, MEMBER_POLICY, setup as setupWith } from '../helpers/payment-setup.js';
import type { QueryOutcome } from '../../agent/pay/types.js';

const ok: PayOutcome = {
  kind: 'success',
  value: { checkoutId: 'C1', bizOrderId: '2024112512345678901', currentPayFee: 1250, paymentOrderId: 'P1' },
};
const declined: PayOutcome = {
  kind: 'declined',
  error: { code: 15, subCode: 'isv.balance-not-enough', subMsg: '余额不足' },
};
const notSent: PayOutcome = { kind: 'not-sent', reason: 'ECONNREFUSED' };
const ambiguous: PayOutcome = { kind: 'ambiguous', reason: 'ECONNRESET after send' };

function setup(answers: Answer[], query: QueryOutcome[] = [], offline?: OfflinePolicy) {
  return setupWith(answers, { query, ...(offline && { offline }) });
}

t.test('the sale is recorded with its ids before the first request leaves', async (t) => {
  const s = setup([ok]);
  s.api.onPay = (req) => {
    const rec = s.store.get('S1');
    t.equal(rec?.status, 'sent', 'the intent is committed as sent, ids included, before the call');
    t.equal(rec?.requestId, req.requestId);
    t.equal(rec?.outBizId, req.outBizId);
  };
  const rec = await s.pay();
  t.equal(rec.status, 'succeeded');
  t.equal(rec.result?.bizOrderId, '2024112512345678901');
  t.equal(s.api.payCalls.length, 1);
  t.match(rec.requestId, /^K01/);
  t.match(rec.outBizId, /^K01\d{12}[0-9A-F]{8}$/);
  t.not(rec.requestId, rec.outBizId);
});

t.test('the pay request carries the store identity, price string and item as configured', async (t) => {
  const s = setup([ok]);
  await s.pay();
  const req = s.api.payCalls[0]!;
  t.same(
    { ...req, requestId: 'x', outBizId: 'y' },
    {
      negoPrice: '1250',
      qrCode: CODE,
      requestId: 'x',
      outBizId: 'y',
      storeId: '333333',
      cashierId: '346753',
      cashierName: '张丽',
      machineId: 'K01',
      itemId: 7,
    },
  );
});

t.test('a decline is final: failed, with the reason, and the full code is no longer kept', async (t) => {
  const s = setup([declined]);
  const rec = await s.pay();
  t.equal(rec.status, 'failed');
  t.match(rec.reason, /余额不足/);
  t.equal(rec.qrCode, undefined);
  t.equal(rec.codeMask, '****3456');
  t.equal(s.store.get('S1')?.qrCode, undefined);
});

t.test('a request that provably never left is resent at once with the same ids', async (t) => {
  const s = setup([notSent, notSent, ok]);
  const rec = await s.pay();
  t.equal(rec.status, 'succeeded');
  t.equal(s.api.payCalls.length, 3);
  t.same(s.api.payCalls[0], s.api.payCalls[2], 'every resend is the identical request');
  t.equal(s.checks(), 0, 'never shown as checking: nothing was ever unknown');
});

t.test('an unreachable gateway refuses the sale quickly, and nothing was charged', async (t) => {
  const s = setup([notSent]);
  const rec = await s.pay();
  t.equal(rec.status, 'refused');
  t.match(rec.reason, /unreachable/);
  t.equal(s.api.payCalls.length, 1 + DEFAULT_PAYMENT_SETTINGS.notSentRetries);
  t.ok(s.clock.t - 1_764_000_000_000 < 5_000, 'the member is told within seconds');
});

t.test('an ambiguous reply is resolved by replaying the identical request, never guessed', async (t) => {
  const s = setup([ambiguous, ok]);
  const rec = await s.pay();
  t.equal(rec.status, 'succeeded');
  t.equal(s.checks(), 1, 'the kiosk was told to show "checking" once');
  t.same(s.api.payCalls[0], s.api.payCalls[1]);
  t.equal(s.clock.sleeps[0], DEFAULT_PAYMENT_SETTINGS.pollIntervalMs);
});

t.test(
  'once a request may have reached the service, an unreachable gateway never makes it refused',
  async (t) => {
    const s = setup([ambiguous, notSent]);
    const rec = await s.pay();
    t.equal(rec.status, 'pending');
    t.ok(s.api.payCalls.length > 3, 'it kept trying until the member wait ran out');
    t.ok(s.clock.t - 1_764_000_000_000 >= DEFAULT_PAYMENT_SETTINGS.customerWaitMs);
  },
);

t.test('a pending payment with a checkout id is resolved by querystatus', async (t) => {
  const pending: PayOutcome = { kind: 'pending', value: { checkoutId: 'C9' } };
  const s = setup(
    [pending],
    [
      { kind: 'pending', value: { checkoutStatus: 'PROCESSING' } },
      {
        kind: 'success',
        value: { checkoutStatus: 'SUCCEEDED', checkoutId: 'C9', outBizId: 'filled-below', paidFee: 1200 },
      },
    ],
  );
  s.api.onPay = () => undefined;
  const rec0 = s.pay();
  const rec = await rec0;
  // The query answered for "filled-below", which is not this sale's order: it must not count.
  t.equal(rec.status, 'pending');
  t.same(s.api.queryCalls[0], { checkoutId: 'C9' });
});

t.test('a query answer for this order resolves the sale with the paid fee', async (t) => {
  const s = setup([{ kind: 'pending', value: { checkoutId: 'C9' } }]);
  s.api.onPay = (req) => {
    s.api.queryStatus = () =>
      Promise.resolve({
        kind: 'success',
        value: { checkoutStatus: 'SUCCEEDED', checkoutId: 'C9', outBizId: req.outBizId, paidFee: 1200 },
      });
  };
  const rec = await s.pay();
  t.equal(rec.status, 'succeeded');
  t.equal(rec.result?.currentPayFee, 1200);
  t.equal(rec.result?.checkoutId, 'C9');
  t.equal(rec.reason, 'paid (querystatus)', 'the success replaces the pending answer as the reason');
});

t.test(
  'still unknown after the member wait: pending (never failed), resolved later in the background',
  async (t) => {
    const s = setup([ambiguous]);
    const rec = await s.pay();
    t.equal(rec.status, 'pending');
    t.not(rec.qrCode, undefined, 'the code is kept while unresolved, for replay');
    s.api.pay = (req) => {
      s.api.payCalls.push(req);
      return Promise.resolve(ok);
    };
    const resolved = await s.background.resolvePending();
    t.equal(resolved.length, 1);
    t.equal(resolved[0]?.status, 'succeeded');
    t.equal(resolved[0]?.reason, 'paid', 'no earlier answer left as its reason');
    t.equal(s.store.get('S1')?.qrCode, undefined);
    t.same(s.store.unresolved(), []);
  },
);

t.test('background resolution backs off while the answer stays unknown', async (t) => {
  const s = setup([ambiguous]);
  await s.pay();
  const calls = () => s.api.payCalls.length;
  const before = calls();
  await s.background.resolvePending();
  t.equal(calls(), before + 1);
  await s.background.resolvePending();
  t.equal(calls(), before + 1, 'not asked again before the backoff expires');
  s.clock.t += 5_000;
  await s.background.resolvePending();
  t.equal(calls(), before + 2);
  s.clock.t += 5_000;
  await s.background.resolvePending();
  t.equal(calls(), before + 2, 'the second wait is longer');
});

t.test('a malformed reply is never success: the sale stays unknown', async (t) => {
  const s = setup([{ kind: 'malformed', reason: 'HTML body', httpStatus: 200, envelope: false }]);
  const rec = await s.pay();
  t.equal(rec.status, 'pending');
  t.match(rec.reason, /untrusted/);
});

t.test('rate limiting is honoured: wait out the ban, then the same request again', async (t) => {
  const s = setup([{ kind: 'rejected', reason: 'rate-limited', retryAfterMs: 2000, error: { code: 7 } }, ok]);
  const rec = await s.pay();
  t.equal(rec.status, 'succeeded');
  t.equal(s.clock.sleeps[0], 2000);
  t.same(s.api.payCalls[0], s.api.payCalls[1]);
});

t.test('a ban longer than the member can wait refuses the sale: nothing reached the service', async (t) => {
  const s = setup([{ kind: 'rejected', reason: 'rate-limited', retryAfterMs: 600_000, error: { code: 7 } }]);
  const rec = await s.pay();
  t.equal(rec.status, 'refused');
  t.match(rec.reason, /rate limited/);
});

t.test('a signature or app-key rejection refuses the sale with the reason', async (t) => {
  const s = setup([{ kind: 'rejected', reason: 'signature', error: { code: 25, msg: 'Invalid signature' } }]);
  const rec = await s.pay();
  t.equal(rec.status, 'refused');
  t.match(rec.reason, /signature/);
  t.equal(s.api.payCalls.length, 1);
});

t.test('when the sale cannot be recorded, nothing is sent', async (t) => {
  const s = setup([ok]);
  s.store.create = () => {
    throw new Error('ENOSPC');
  };
  await t.rejects(s.pay(), /ENOSPC/);
  t.equal(s.api.payCalls.length, 0);
});

t.test('a sale being paid in front of a member is not touched by the background pass', async (t) => {
  const s = setup([ambiguous, ok]);
  let background: Promise<unknown> | undefined;
  s.api.onPay = () => {
    background ??= s.background.resolvePending();
  };
  const rec = await s.pay();
  await background;
  t.equal(rec.status, 'succeeded');
  t.equal(s.api.payCalls.length, 2, 'only the foreground loop sent');
});

t.test('a request the client refuses to build is refused, not left unresolved', async (t) => {
  const s = setup([ok]);
  s.api.pay = () =>
    Promise.reject(new AgentError(ErrorCode.RequestInvalid, 'param0.qr_code: must not be blank'));
  const rec = await s.pay();
  t.equal(rec.status, 'refused');
  t.same(s.store.unresolved(), []);
});

t.test('an unexpected client exception leaves the sale pending rather than guessing', async (t) => {
  const s = setup([ok]);
  s.api.pay = () => Promise.reject(new Error('boom'));
  const rec = await s.pay();
  t.equal(rec.status, 'pending');
});

const MEMBER = 'M12345678';
const policy = MEMBER_POLICY;

function memberSale(s: ReturnType<typeof setup>, saleId: string, amountFen = 1_250) {
  return s.payments.pay(
    { ...intent, saleId, code: MEMBER, amountFen, negoPrice: String(amountFen) },
    () => undefined,
  );
}

t.test('offline, a member code within the limits is queued and receipted as accepted offline', async (t) => {
  const s = setup([notSent], [], policy);
  const rec = await memberSale(s, 'S1');
  t.equal(rec.status, 'queued');
  t.equal(rec.offline, true);
  t.match(rec.reason, /accepted offline/);
  t.equal(rec.qrCode, MEMBER, 'the member code is kept until the sale is forwarded and final');
  t.same(s.store.queuedTotals(), { count: 1, amountFen: 1_250 });
});

t.test('offline, a payment code is refused at once: payment codes need the network', async (t) => {
  const s = setup([notSent], [], policy);
  const rec = await s.pay();
  t.equal(rec.status, 'refused');
  t.match(rec.reason, /payment codes need the network/);
  t.same(s.store.queued(), []);
});

t.test(
  'offline limits: per sale, total stored amount and count are each enforced with a clear reason',
  async (t) => {
    const s = setup([notSent], [], policy);
    t.match((await memberSale(s, 'S1', 2_001)).reason, /per sale/);
    t.equal((await memberSale(s, 'S2', 2_000)).status, 'queued');
    t.match((await memberSale(s, 'S3', 1_500)).reason, /stored amount/);
    const c = setup([notSent], [], { ...policy, maxCount: 1 });
    t.equal((await memberSale(c, 'S1', 100)).status, 'queued');
    t.match((await memberSale(c, 'S2', 100)).reason, /too many/);
  },
);

t.test(
  'offline too long: once the oldest stored sale is older than the maximum age, no more are taken',
  async (t) => {
    const s = setup([notSent], [], policy);
    t.equal((await memberSale(s, 'S1', 100)).status, 'queued');
    s.clock.t += 86_400_001;
    t.match((await memberSale(s, 'S2', 100)).reason, /offline too long/);
  },
);

t.test('once offline, the next sale is refused without the resend delay', async (t) => {
  const s = setup([notSent]);
  await s.pay();
  const calls = s.api.payCalls.length;
  const started = s.clock.t;
  await s.payments.pay({ ...intent, saleId: 'S2' }, () => undefined);
  t.equal(s.api.payCalls.length, calls + 1, 'one attempt, no retries');
  t.equal(s.clock.t, started);
});

t.test('queued sales are forwarded in order when the gateway is back, with the same ids', async (t) => {
  const s = setup([notSent], [], policy);
  const a = await memberSale(s, 'S1', 100);
  const b = await memberSale(s, 'S2', 200);
  const before = s.api.payCalls.length;
  s.api.pay = (req) => {
    s.api.payCalls.push(req);
    return Promise.resolve(ok);
  };
  const done = await s.background.forwardQueued();
  t.same(
    done.map((r) => [r.saleId, r.status]),
    [
      ['S1', 'succeeded'],
      ['S2', 'succeeded'],
    ],
  );
  const forwarded = s.api.payCalls.slice(before);
  t.same(
    forwarded.map((r) => r.outBizId),
    [a.outBizId, b.outBizId],
  );
  t.ok(s.store.get('S1')?.forwardedAt !== undefined);
  t.equal(s.store.get('S1')?.qrCode, undefined);
});

t.test('a queued sale that still cannot reach the gateway goes back to the queue, unharmed', async (t) => {
  const s = setup([notSent], [], policy);
  await memberSale(s, 'S1', 100);
  const done = await s.background.forwardQueued();
  t.same(done, []);
  t.equal(s.store.get('S1')?.status, 'queued');
  t.same(s.store.unresolved(), []);
});

t.test(
  'a decline after forwarding is recorded and flagged: the gym carries that loss and must see it',
  async (t) => {
    const s = setup([notSent], [], policy);
    await memberSale(s, 'S1', 100);
    s.api.pay = () => Promise.resolve(declined);
    await s.background.forwardQueued();
    const rec = s.store.get('S1');
    t.equal(rec?.status, 'failed');
    t.match(rec?.flag, /^served-unpaid: accepted offline, then declined: 余额不足/);
    t.same(
      s.store.list({ flagged: true }).map((r) => r.saleId),
      ['S1'],
    );
  },
);

t.test(
  'after a restart, a sale left "sent" becomes pending and is resolved by an identical replay',
  async (t) => {
    const s = setup([ambiguous]);
    s.api.pay = (req) => {
      s.api.payCalls.push(req);
      return new Promise(() => undefined); // the power goes out mid-request
    };
    void s.pay();
    await new Promise((r) => setImmediate(r));
    t.equal(s.store.get('S1')?.status, 'sent');
    // A new process: nothing active, same ledger.
    s.payments.active.clear();
    t.equal(s.background.recover(), 1);
    t.equal(s.store.get('S1')?.status, 'pending');
    s.api.pay = (req) => {
      s.api.payCalls.push(req);
      return Promise.resolve(ok);
    };
    const resolved = await s.background.resolvePending();
    t.equal(resolved[0]?.status, 'succeeded');
    t.same(s.api.payCalls[0], s.api.payCalls.at(-1), 'the replay is the identical request');
  },
);

t.test('a recovered sale whose replay cannot reach the gateway stays pending, never refused', async (t) => {
  const s = setup([notSent]);
  s.api.pay = () => new Promise(() => undefined);
  void s.pay();
  await new Promise((r) => setImmediate(r));
  s.payments.active.clear();
  s.background.recover();
  s.api.pay = () => Promise.resolve(notSent);
  await s.background.resolvePending();
  t.equal(s.store.get('S1')?.status, 'pending');
});

t.test(
  'unresolved past the maximum age: flagged for manual reconciliation, still pending, still checked',
  async (t) => {
    const s = setup([ambiguous]);
    await s.pay();
    s.clock.t += 86_400_000;
    await s.background.resolvePending();
    const rec = s.store.get('S1');
    t.equal(rec?.status, 'pending');
    t.match(rec?.flag, /reconcile manually/);
  },
);

t.test('a contradictory reply in TOP shape is never success: pending and flagged', async (t) => {
  const s = setup([
    { kind: 'malformed', reason: 'model.success with result_status 2', httpStatus: 200, envelope: true },
  ]);
  const rec = await s.pay();
  t.equal(rec.status, 'pending');
  t.match(rec.flag, /^contradictory: model\.success with result_status 2/);
});

t.test(
  'a sale costs three commits or fewer on the happy path: intent, outcome (printed is the third)',
  async (t) => {
    const s = setup([ok]);
    let writes = 0;
    const create = s.store.create.bind(s.store);
    const update = s.store.update.bind(s.store);
    s.store.create = (r) => {
      writes += 1;
      create(r);
    };
    s.store.update = (id, p) => {
      writes += 1;
      return update(id, p);
    };
    await s.pay();
    t.equal(writes, 2);
  },
);
