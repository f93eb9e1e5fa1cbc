/**
 * `queue export`, `ledger backup` and `ledger restore` follow `--state-dir DIR` as `queue`,
 * `reprint` and `doctor` do: the ledger is `DIR/ledger.db`, not the one under the config's
 * paths.state_dir. Real processes on dist/, a real ledger file.
 */
import t from 'tap';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type Ran } from '../helpers/cli-run.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import { createLogger } from '../../agent/log.js';
import type { SaleRecord } from '../../agent/payment/sale.js';

const xpos = (cwd: string, args: string[]): Promise<Ran> => runCli(args, { cwd });

/** The day the sales were made, as `queue export` takes it. */
const DAY = ['--from', '2026-12-04', '--to', '2026-12-04'];

/** 2026-12-04 20:00 in Shanghai (the config's kiosk.time_zone), plus n ms. */
const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);

function sale(n: number): SaleRecord {
  return {
    saleId: `boot1-${n}`,
    requestId: `req-${n}`,
    outBizId: `K07-OTHER-${n}`,
    status: 'succeeded',
    amountFen: 100 * n,
    negoPrice: String(100 * n),
    codeMask: '****3456',
    storeId: '333333',
    machineId: 'K07',
    cashierId: '346753',
    cashierName: '张丽',
    createdAt: T0 + n,
    updatedAt: T0 + n,
    attempts: 1,
    printed: true,
  };
}

/**
 * In dir: c.yaml, whose state directory ("configured") has no ledger, and the first `sales` sales
 * in the ledger of "other".
 */
function setUp(dir: string, sales: number): void {
  writeFileSync(
    join(dir, 'c.yaml'),
    `gateway: { url: sandbox, app_key: "12345678" }
store: { store_id: "1", cashier_id: "1", cashier_name: x, machine_id: K07 }
kiosk: { time_zone: Asia/Shanghai }
paths: { state_dir: ${JSON.stringify(join(dir, 'configured'))} }
backup: { dir: ${JSON.stringify(join(dir, 'copies'))}, keep: 3 }
`,
  );
  mkdirSync(join(dir, 'other'));
  const ledger = Ledger.open({ path: join(dir, 'other', 'ledger.db'), log: createLogger('silent') });
  for (let i = 1; i <= sales; i++) ledger.create(sale(i));
  ledger.close();
}

t.test(
  'queue export, ledger backup and ledger restore read and write the ledger in --state-dir',
  async (t) => {
    const dir = t.testdir({});
    setUp(dir, 3);
    const cfg = ['--config', 'c.yaml'];

    const exported = await xpos(dir, [
      'queue',
      'export',
      ...DAY,
      '--format',
      'json',
      ...cfg,
      '--state-dir',
      'other',
    ]);
    t.equal(exported.code, 0, exported.stderr);
    for (let i = 1; i <= 3; i++) t.match(exported.stdout, `K07-OTHER-${i}`, `sale ${i} exported`);
    const ignored = await xpos(dir, ['queue', 'export', ...DAY, ...cfg]);
    t.equal(ignored.code, 1, 'without --state-dir the configured directory is read');
    t.match(ignored.stderr, /configured\/ledger\.db/);

    const backup = await xpos(dir, ['ledger', 'backup', join(dir, 'b.db'), ...cfg, '--state-dir', 'other']);
    t.equal(backup.code, 0, backup.stderr);
    t.match(backup.stdout, /b\.db: 3 sales, \d+ bytes, integrity ok/);

    const restore = await xpos(dir, ['ledger', 'restore', join(dir, 'b.db'), ...cfg, '--state-dir', 'third']);
    t.equal(restore.code, 0, restore.stderr);
    t.match(
      restore.stdout,
      new RegExp(`restored 3 sales from .*b\\.db into ${join(dir, 'third', 'ledger.db')}`),
    );
    t.ok(existsSync(join(dir, 'third', 'ledger.db')), 'restored into --state-dir');
    t.notOk(existsSync(join(dir, 'configured', 'ledger.db')), 'not into the configured directory');

    const again = await xpos(dir, [
      'queue',
      'export',
      ...DAY,
      '--format',
      'json',
      ...cfg,
      '--state-dir',
      'third',
    ]);
    t.equal(again.code, 0, again.stderr);
    t.equal(again.stdout, exported.stdout, 'the restored ledger exports the same sales');

    const usage = await xpos(dir, ['ledger', 'backup', ...cfg, '--state-dir']);
    t.equal(usage.code, 64, '--state-dir needs a value');
    t.match(usage.stderr, /--state-dir/);
  },
);

t.test('options may come before the subcommand: a value is never read as a command word', async (t) => {
  const dir = t.testdir({});
  setUp(dir, 1);

  const report = await xpos(dir, ['queue', '--state-dir', 'other', '--config', 'c.yaml', 'report']);
  t.equal(report.code, 0, report.stderr);
  t.match(report.stdout, /succeeded\s+1\b/, 'queue --state-dir DIR report reads DIR');
  const show = await xpos(dir, ['queue', '--config', 'c.yaml', 'show', '--state-dir', 'other', 'boot1-1']);
  t.equal(show.code, 0, show.stderr);
  t.match(show.stdout, /K07-OTHER-1/);
  const exported = await xpos(dir, ['queue', '--state-dir', 'other', 'export', '--config', 'c.yaml', ...DAY]);
  t.equal(exported.code, 0, exported.stderr);
  t.match(exported.stdout, /K07-OTHER-1/, 'queue --state-dir DIR export reaches the export');
  const backup = await xpos(dir, [
    'ledger',
    '--config',
    'c.yaml',
    '--state-dir',
    'other',
    'backup',
    join(dir, 'b.db'),
  ]);
  t.equal(backup.code, 0, backup.stderr);
  t.match(backup.stdout, /b\.db: 1 sales/);
});
