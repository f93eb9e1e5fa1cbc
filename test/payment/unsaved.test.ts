/**
 * A ledger that cannot write after the gateway answered (disk full, EIO on the SD card). Before
 * issue 9 the write error escaped: the member who was charged saw "refused", and the sale stayed
 * `sent` until a restart. Now the outcome is held in memory, every read sees it, it is written as
 * soon as the ledger takes writes again, and a `sent` sale is resolved in the background.
 */
import t from 'tap';
import { pino } from 'pino';
import { AgentError, ErrorCode } from '../../agent/errors.js';
import type { Ledger } from '../../agent/ledger/ledger.js';
import type { PayOutcome } from '../../agent/pay/types.js';
import type { SalePatch } from '../../agent/payment/store.js';
import { UnsavedOutcomes } from '../../agent/payment/unsaved.js';
import { setup } from '../helpers/payment-setup.js';

const ok: PayOutcome = { kind: 'success', value: { checkoutId: 'C1', currentPayFee: 1250 } };

/** The real ledger, whose updates fail with "cannot write" while `full` is set. */
function failing(ledger: Ledger) {
  const state = { full: false, failed: 0 };
  const update = ledger.update.bind(ledger);
  ledger.update = (id: string, patch: SalePatch) => {
    if (state.full) {
      state.failed += 1;
      throw new AgentError(ErrorCode.LedgerUnwritable, 'ledger: updating a sale: database or disk is full');
    }
    return update(id, patch);
  };
  const store = new UnsavedOutcomes(ledger, pino({ level: 'silent' }));
  return { store, state };
}

t.test(
  'the gateway charged, the ledger is full: the member is told the truth, nothing is lost',
  async (t) => {
    let f: ReturnType<typeof failing> | undefined;
    const s = setup([ok], { store: (l) => (f = failing(l)).store });
    const { store, state } = f!;
    s.api.onPay = () => {
      state.full = true;
    };
    const rec = await s.pay();
    t.equal(rec.status, 'succeeded', 'what the gateway said, not "refused"');
    t.ok(state.failed > 0);
    t.equal(store.unsavedCount, 1);
    t.equal(s.ledger.get('S1')?.status, 'sent', 'the ledger itself still says sent');
    t.equal(store.get('S1')?.status, 'succeeded', 'every read through the store sees the outcome');
    t.equal(store.get('S1')?.qrCode, undefined, 'and, being final, only the mask of the code');
    t.same(store.unresolved(), [], 'not resolved again while the outcome is held');

    t.equal(store.flush(), 1, 'still full: kept');
    state.full = false;
    t.equal(store.flush(), 0);
    t.equal(s.ledger.get('S1')?.status, 'succeeded', 'written once the ledger takes writes again');
    t.equal(s.ledger.get('S1')?.result?.checkoutId, 'C1');
    t.equal(s.api.payCalls.length, 1, 'nothing was sent twice');
  },
);

t.test('later changes to a held sale are merged, then written together', async (t) => {
  let f: ReturnType<typeof failing> | undefined;
  const s = setup([ok], { store: (l) => (f = failing(l)).store });
  const { store, state } = f!;
  s.api.onPay = () => {
    state.full = true;
  };
  await s.pay();
  t.equal(store.update('S1', { printed: true }).printed, true);
  state.full = false;
  store.flush();
  t.match(s.ledger.get('S1'), { status: 'succeeded', printed: true });
});

t.test(
  'a sale left `sent` (its outcome write failed, the process lived) is resolved without a restart',
  async (t) => {
    const s = setup([{ kind: 'ambiguous', reason: 'ECONNRESET after send' }]);
    const update = s.ledger.update.bind(s.ledger);
    let refuse = true;
    s.ledger.update = (id, patch) => {
      if (refuse && patch.status === 'pending') {
        refuse = false;
        throw new AgentError(ErrorCode.LedgerUnwritable, 'disk I/O error');
      }
      return update(id, patch);
    };
    await t.rejects(s.pay(), /disk I\/O error/, 'the bare ledger throws (the runtime wraps it)');
    t.equal(s.ledger.get('S1')?.status, 'sent');
    s.api.pay = (req) => {
      s.api.record('pay', req);
      return Promise.resolve(ok);
    };
    const resolved = await s.background.resolvePending();
    t.equal(resolved[0]?.status, 'succeeded', 'the background pass took it, as pending');
    t.same(s.api.payCalls.at(-1), s.api.payCalls[0], 'by the identical replay');
  },
);

t.test('a new sale the ledger cannot record still fails loudly: nothing was sent', async (t) => {
  const s = setup([ok], {
    store: (l) => {
      l.create = () => {
        throw new AgentError(ErrorCode.LedgerUnwritable, 'database or disk is full');
      };
      return new UnsavedOutcomes(l, pino({ level: 'silent' }));
    },
  });
  await t.rejects(s.pay(), /disk is full/);
  t.equal(s.api.payCalls.length, 0);
});

t.test('a refused change (a bug, not the disk) is never hidden', (t) => {
  const s = setup([ok]);
  const store = new UnsavedOutcomes(s.ledger, pino({ level: 'silent' }));
  t.throws(() => store.update('nope', { printed: true }), /not recorded/);
  t.equal(store.unsavedCount, 0);
  t.end();
});
