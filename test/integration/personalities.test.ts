/**
 * The built daemon, with a serial scanner on a pty, an evdev keypad on a FIFO and a file printer,
 * against a sandbox child of each safe personality: a few sales of every kind, then every sale
 * must close with a status that agrees with the money (charged ⇔ succeeded), never charged twice.
 *
 * The first sale's reply is lost (`reset-after`), so the daemon must find out by asking again: that
 * is where the personalities differ (replay-declines-used declines the replay, replay-completes
 * needs it); under `slow` the pending sale's pay meets a slow phase. `no-dedup` is left out: no
 * client can be safe against it (see make chaos). The personalities' params are the short-run ones
 * of the chaos test (test/chaos/personalities.ts).
 * The personalities run at the same time, each with its own sandbox, devices and state.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SHORT_RUN_PERSONALITIES, type ChaosPersonality } from '../chaos/personalities.js';
import { killAllChildren } from '../chaos/procs.js';
import { FINAL, readLedger, type LedgerSale } from '../chaos/ledger.js';
import { DaemonKiosk, type SoldSale } from '../helpers/daemon-kiosk.js';
import { socatAvailable } from '../helpers/pty-pair.js';

const MAIN = new URL('../../dist/agent/main.js', import.meta.url).pathname;
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);
if (!socatAvailable()) throw new Error('socat is missing: make test installs it (make sysdeps)');

/** What each code must end as: the demo-code table decides, whatever the personality. */
const SALES = [
  { code: '281234567890123456', ends: 'succeeded', loseReply: true, slowNow: false },
  { code: 'F2345678901', ends: 'failed', loseReply: false, slowNow: false },
  { code: '2812345678900000', ends: 'succeeded', loseReply: false, slowNow: true },
  { code: '2812345678909999', ends: 'failed', loseReply: false, slowNow: false },
] as const;
/** How long every sale has, after the last one, to close in the daemon's background loop. */
const CLOSE_WITHIN_MS = 60_000;

interface Outcome {
  sold: SoldSale[];
  ledger: Map<string, LedgerSale>;
  counts: Map<string, number>;
  duplicates: string[];
  closed: boolean;
  heldReplies: number;
}

async function run(personality: ChaosPersonality): Promise<Outcome> {
  const kiosk = await DaemonKiosk.start(MAIN, personality.spec);
  try {
    const sold: SoldSale[] = [];
    for (const s of SALES) {
      if (s.loseReply) await kiosk.sandbox.control.inject([{ kind: 'reset-after', method: 'pay' }]);
      // Setting it again starts slow's cycle with a slow phase: this sale's pay meets one for sure.
      if (s.slowNow && personality.spec.personality === 'slow') {
        await kiosk.sandbox.control.setPersonality(personality.spec);
      }
      sold.push(await kiosk.sell(s.code));
    }
    const deadline = Date.now() + CLOSE_WITHIN_MS;
    const open = (): boolean =>
      [...readLedger(kiosk.files.stateDir).sales.values()].some((s) => !FINAL.has(s.status));
    while (open() && Date.now() < deadline) await sleep(500);
    const charges = await kiosk.sandbox.control.charges();
    const ledger = readLedger(kiosk.files.stateDir).sales;
    const counts = new Map(sold.map((s) => [s.outBizId, charges.byOutBizId[s.outBizId]?.count ?? 0]));
    const heldReplies = kiosk.heldReplies;
    return { sold, ledger, counts, duplicates: charges.duplicates, closed: !open(), heldReplies };
  } finally {
    await kiosk.close();
  }
}

t.setTimeout(300_000);
t.teardown(killAllChildren);

const safe = SHORT_RUN_PERSONALITIES.filter((p) => !p.unsafe);
const outcomes = Promise.allSettled(safe.map(run));

for (const [i, p] of safe.entries()) {
  t.test(`${p.spec.personality}: every sale closes as the money says, charged once at most`, async (t) => {
    const settled = (await outcomes)[i];
    if (settled === undefined || settled.status === 'rejected') {
      t.fail(`the run failed: ${String(settled?.status === 'rejected' ? settled.reason : 'no result')}`);
      return;
    }
    const o = settled.value;
    t.comment(`sandbox: ${JSON.stringify(p.spec)}`);
    t.equal(o.sold.length, SALES.length, 'every sale was taken');
    t.same(o.duplicates, [], 'no out_biz_id charged twice');
    t.ok(o.closed, `the ledger closed every sale within ${CLOSE_WITHIN_MS / 1000} s`);
    if (p.spec.personality === 'slow')
      t.ok(o.heldReplies > 0, `${o.heldReplies} replies held in slow phases`);
    for (const [j, s] of SALES.entries()) {
      const sold = o.sold[j];
      const sale = o.ledger.get(sold?.outBizId ?? '');
      const count = o.counts.get(sold?.outBizId ?? '') ?? 0;
      const what = `${s.code.slice(-4)}${s.loseReply ? ' (reply lost)' : ''}: kiosk showed ${sold?.shown}, ledger says ${sale?.status}, charged ${count}`;
      t.comment(what);
      t.ok(count <= 1, `${what}: never charged twice`);
      t.equal(sale?.status === 'succeeded', count > 0, `${what}: charged ⇔ succeeded`);
      t.equal(sale?.status, s.ends, `${what}: ends ${s.ends}, as the code says`);
    }
  });
}
