/**
 * A short crash-and-fault run inside `make test` (the long one is `make chaos`): two SIGKILLs of
 * the built daemon under every sandbox personality, all personalities at once (each has its own
 * sandbox and state), then the lines `make chaos` prints, and over the safe personalities nothing
 * charged twice, no sale lost, no final status that disagrees with the money. `no-dedup` runs and
 * is reported, never asserted. CHAOS_SEED replays a failing run.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  SHORT_RUN_PERSONALITIES as SHORT,
  UNSAFE_SUFFIX,
  report,
  runPersonalities,
} from './personalities.js';
import { chooseSeed } from './prng.js';
import { killAllChildren } from './procs.js';

const MAIN = fileURLToPath(new URL('../../dist/agent/main.js', import.meta.url));
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);

const KILLS = 2;
// Enough for a pending sale to be resolved in the daemon's background loop after the last start.
const SETTLE_MS = 75_000;
const FIGURES = 'kills=\\d+ sales=\\d+ charged=\\d+ duplicates=\\d+ lost=\\d+ wrong_status=\\d+ flagged=\\d+';

t.setTimeout(240_000);
t.teardown(killAllChildren);

t.test(
  `${KILLS} kills under each personality: no double charge, no lost sale, no wrong status`,
  async (t) => {
    const seed = chooseSeed(process.env['CHAOS_SEED']);
    t.comment(`seed=${seed} (replay with CHAOS_SEED=${seed})`);
    const runs = await runPersonalities(SHORT, {
      main: MAIN,
      kills: KILLS,
      seed,
      settleMs: SETTLE_MS,
      parallel: true,
      out: (l) => t.comment(l),
    });
    for (const r of runs) for (const line of r.result.details) t.comment(`[${r.personality}] ${line}`);
    const { lines, total } = report(runs);
    for (const line of lines) t.comment(line);

    t.equal(lines.length, SHORT.length + 1, 'one line per personality and a total');
    for (const [i, p] of SHORT.entries()) {
      const suffix = p.unsafe ? UNSAFE_SUFFIX.replace(/[()]/g, '\\$&') : '';
      t.match(lines[i], new RegExp(`^personality=${p.spec.personality} ${FIGURES}${suffix}$`));
    }
    t.match(lines.at(-1), new RegExp(`^total ${FIGURES}$`));
    for (const r of runs) {
      t.ok(
        r.result.kills > 0 && r.result.sales > 0,
        `${r.personality}: the daemon took sales and was killed`,
      );
    }
    t.equal(total.duplicates, 0, 'no out_biz_id charged more than once');
    t.equal(total.lost, 0, 'every recorded or charged sale is in the ledger and closed');
    t.equal(total.wrongStatus, 0, "every sale's final status agrees with the charges");
  },
);
