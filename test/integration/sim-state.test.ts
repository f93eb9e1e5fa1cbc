/**
 * The operators' tools find the simulator's state: `sim` writes the config it runs with into its
 * state folder, `queue`/`reprint`/`doctor` follow `--state-dir`, and the embedded sandbox keeps its
 * payment book there, so a payment left pending by a quit resolves at the next start and payment
 * numbers never repeat. Real processes on dist/, real files.
 */
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type Ran } from '../helpers/cli-run.js';

const xpos = (cwd: string, args: string[], input = ''): Promise<Ran> => runCli(args, { cwd, input });

interface SaleJson {
  outBizId: string;
  status: string;
  result?: { paymentOrderId?: string };
}

async function sales(cwd: string, status?: string): Promise<SaleJson[]> {
  const args = ['queue', 'list', '--json', '--config', 'st/sim.yaml'];
  const r = await xpos(cwd, status === undefined ? args : [...args, '--status', status]);
  if (r.code !== 0) throw new Error(`queue list exited ${r.code}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { sales: SaleJson[] }).sales;
}

t.test('a quit during a pending payment, then a restart: tools, book and numbering', async (t) => {
  const dir = t.testdir({});
  // Demo code p: pending for 4 s, then paid. The simulator quits long before.
  const first = await xpos(dir, ['sim', '--state-dir', 'st'], 'key A\ndemo p\nwait 400\nquit\n');
  t.equal(first.code, 0, first.stderr);
  t.ok(existsSync(join(dir, 'st/sim.yaml')), 'sim wrote the config it ran with');
  t.match(first.stdout, /config: .*st\/sim\.yaml/);
  t.ok(existsSync(join(dir, 'st/sandbox-book.json')), 'the sandbox book is in the state folder');

  const pending = await sales(dir, 'pending');
  t.equal(pending.length, 1, 'the sale is pending in the ledger sim.yaml names');
  const outBizId = pending[0]?.outBizId ?? '';

  const list = await xpos(dir, ['queue', 'list', '--config', 'st/sim.yaml']);
  t.match(list.stdout, /pending\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+8\)/, 'kiosk zone with offset');
  const report = await xpos(dir, ['queue', 'report', '--config', 'st/sim.yaml']);
  t.match(report.stdout, /^ledger .*st\/ledger\.db at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+8\)/m);

  const elsewhere = await xpos(dir, ['queue', 'report', '--config', 'st/sim.yaml', '--state-dir', 'other']);
  t.equal(elsewhere.code, 1, '--state-dir is followed, not ignored');
  t.match(elsewhere.stderr, /no ledger at .*other\/ledger\.db/);
  const doctor = await xpos(dir, ['doctor', '--config', 'st/sim.yaml', '--state-dir', 'other', '--json']);
  t.match(doctor.stdout, /other\/ledger\.db not created yet/, 'doctor reads the ledger in --state-dir');

  const reprint = await xpos(dir, ['reprint', outBizId, '--config', 'st/sim.yaml']);
  t.equal(reprint.code, 0, reprint.stderr);
  t.match(reprint.stdout, /no agent is running on .*st: it prints when the daemon next runs/);

  // Restart after the pending time: recovery asks the sandbox, which still knows the payment.
  await new Promise((r) => setTimeout(r, 4_000));
  const second = await xpos(dir, ['sim', '--state-dir', 'st'], 'wait 2500\nkey A\ndemo s\nwait 800\nquit\n');
  t.equal(second.code, 0, second.stderr);
  t.notMatch(second.stdout, /checkout-not-exist/);
  const done = await sales(dir, 'succeeded');
  t.ok(
    done.some((s) => s.outBizId === outBizId),
    'the payment left pending by the quit resolved as paid after the restart',
  );
  const numbers = done.map((s) => s.result?.paymentOrderId).filter((n) => n !== undefined);
  t.equal(numbers.length, 2, 'both sales have a payment number');
  t.equal(new Set(numbers).size, 2, `payment numbers are unique across restarts: ${numbers.join(' ')}`);
  const book = readFileSync(join(dir, 'st/sandbox-book.json'), 'utf8');
  t.notMatch(book, /"qrCode"|28\d{16}/, 'the book holds no payment code');
});
