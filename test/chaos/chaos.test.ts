/**
 * A short crash-and-fault run inside `make test` (the long one is `make chaos`): a dozen SIGKILLs
 * of the built daemon, at least one under every fault kind, and then nothing may be charged twice
 * and no sale may be lost. CHAOS_SEED replays a failing run.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runChaos } from './harness.js';
import { FAULT_VARIANTS } from './plan.js';
import { chooseSeed } from './prng.js';
import { killAllChildren } from './procs.js';
import { summaryLine } from './verify.js';

const MAIN = fileURLToPath(new URL('../../dist/agent/main.js', import.meta.url));
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);

// One cycle per fault variant and one more, so every fault kind is met.
const KILLS = FAULT_VARIANTS.length + 1;

t.teardown(killAllChildren);

t.test(`${KILLS} kills under gateway faults: no double charge, no lost sale`, async (t) => {
  const seed = chooseSeed(process.env['CHAOS_SEED']);
  t.comment(`seed=${seed} (replay with CHAOS_SEED=${seed})`);
  const r = await runChaos({ main: MAIN, kills: KILLS, seed, settleMs: 30_000, out: (l) => t.comment(l) });
  for (const line of r.details) t.comment(line);
  const summary = summaryLine(r);
  t.comment(summary);
  t.match(summary, /^kills=\d+ sales=\d+ charged=\d+ duplicates=\d+ lost=\d+$/);
  t.ok(r.kills > 0 && r.sales > 0, 'the daemon took sales and was killed');
  t.equal(r.duplicates, 0, 'no out_biz_id charged more than once');
  t.equal(r.lost, 0, 'every recorded or charged sale is in the ledger and closed');
});
