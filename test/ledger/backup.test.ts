/**
 * `ledger backup` and `ledger restore` on real SQLite files: the copy holds what a writer has
 * committed (WAL included), passes integrity_check, is private, appears whole or not at all, and
 * only our own old copies are pruned; a restore checks the backup, keeps the ledger it replaces
 * (with its WAL) and refuses while a process holds the ledger.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { fleetCommand } from '../../agent/cli/fleet.js';
import { backupLedger, backupName, verifyLedgerFile } from '../../agent/ledger/backup.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import { holders, restoreLedger } from '../../agent/ledger/restore.js';
import { createLogger } from '../../agent/log.js';
import type { SaleRecord } from '../../agent/payment/sale.js';

const log = createLogger('silent');
const T0 = Date.UTC(2026, 11, 4, 13, 0, 0);

function sale(n: number): SaleRecord {
  return {
    saleId: `boot1-${n}`,
    requestId: `req-${n}`,
    outBizId: `K01-${n}`,
    status: 'succeeded',
    amountFen: 100 * n,
    negoPrice: String(100 * n),
    codeMask: '****3456',
    storeId: '333333',
    machineId: 'K01',
    cashierId: '346753',
    cashierName: '张丽',
    createdAt: T0 + n,
    updatedAt: T0 + n,
    attempts: 1,
    printed: true,
  };
}

/**
 * A ledger kept open by a writer, so recent sales are still in its WAL; in `root/state`. (tap
 * makes one test directory per test: each test calls t.testdir() once and works below it.)
 */
function liveLedger(t: Test, root: string, count: number): { path: string; ledger: Ledger } {
  mkdirSync(join(root, 'state'), { recursive: true });
  const path = join(root, 'state', 'ledger.db');
  const ledger = Ledger.open({ path, log });
  t.teardown(() => ledger.close());
  for (let i = 1; i <= count; i++) ledger.create(sale(i));
  return { path, ledger };
}

const count = (file: string): number => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM sales').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

t.test('a backup of a ledger being written holds every committed sale, checked and private', (t) => {
  const root = t.testdir({});
  const { path, ledger } = liveLedger(t, root, 25);
  t.ok(existsSync(`${path}-wal`), 'sales still in the WAL');
  const dir = join(root, 'backups');
  const r = backupLedger({ ledgerPath: path, dest: dir, machineId: 'K01', keep: 7, now: T0 });
  t.equal(r.path, join(dir, 'ledger-K01-20261204T130000Z.db'));
  t.equal(r.sales, 25);
  t.equal(count(r.path), 25);
  t.strictSame(verifyLedgerFile(r.path), { sales: 25, version: verifyLedgerFile(r.path).version });
  t.equal(statSync(r.path).mode & 0o777, 0o600, 'readable by the service user only');
  t.equal(statSync(dir).mode & 0o777, 0o700);
  t.strictSame(readdirSync(dir), ['ledger-K01-20261204T130000Z.db'], 'no temporary file, no -wal');
  // The daemon goes on writing; the copy is a snapshot.
  ledger.create(sale(26));
  t.equal(count(r.path), 25);
  t.end();
});

t.test('keep N: the newest N of our own copies stay, nothing else in the folder is touched', (t) => {
  const root = t.testdir({
    backups: {
      'notes.txt': 'mine',
      'ledger-K02-20261201T000000Z.db': 'another kiosk',
      '.ledger-K01-x.db.tmp-999999999': 'a crashed run',
    },
  });
  const dir = join(root, 'backups');
  const { path } = liveLedger(t, root, 3);
  const made = [0, 1, 2, 3].map((d) =>
    backupLedger({ ledgerPath: path, dest: dir, machineId: 'K01', keep: 2, now: T0 + d * 86_400_000 }),
  );
  t.strictSame(made[3]?.pruned, [join(dir, backupName('K01', T0 + 86_400_000))]);
  t.strictSame(readdirSync(dir).sort(), [
    'ledger-K01-20261206T130000Z.db',
    'ledger-K01-20261207T130000Z.db',
    'ledger-K02-20261201T000000Z.db',
    'notes.txt',
  ]);
  const twice = backupLedger({ ledgerPath: path, dest: dir, machineId: 'K01', now: T0 + 3 * 86_400_000 });
  t.equal(twice.path, join(dir, 'ledger-K01-20261207T130000Z-2.db'), 'two in one second get distinct names');
  t.end();
});

t.test('DEST.db is one file, never overwritten', (t) => {
  const root = t.testdir({});
  const { path } = liveLedger(t, root, 2);
  const file = join(root, 'copy.db');
  t.equal(backupLedger({ ledgerPath: path, dest: file, machineId: 'K01', keep: 1 }).path, file);
  t.equal(count(file), 2);
  t.throws(() => backupLedger({ ledgerPath: path, dest: file, machineId: 'K01' }), /already exists/);
  t.end();
});

t.test('a missing or corrupt ledger is refused and leaves nothing in the folder', (t) => {
  const root = t.testdir({ 'ledger.db': Buffer.alloc(4096, 7) });
  const dir = join(root, 'backups');
  t.throws(
    () => backupLedger({ ledgerPath: join(root, 'absent.db'), dest: dir, machineId: 'K01' }),
    /no ledger at .*absent\.db/,
  );
  t.throws(
    () => backupLedger({ ledgerPath: join(root, 'ledger.db'), dest: dir, machineId: 'K01' }),
    /not a readable SQLite database|backup of/,
  );
  t.strictSame(existsSync(dir) ? readdirSync(dir) : [], []);
  t.end();
});

t.test('integrity_check catches a damaged copy', (t) => {
  const root = t.testdir({});
  const { path } = liveLedger(t, root, 200);
  const file = join(root, 'copy.db');
  backupLedger({ ledgerPath: path, dest: file, machineId: 'K01' });
  const bytes = readFileSync(file);
  // Damage the middle of the file (a table or index page), not the header.
  bytes.fill(0x55, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 512);
  writeFileSync(file, bytes);
  t.throws(() => verifyLedgerFile(file), /integrity check failed|not a ledger|malformed/);
  t.end();
});

t.test('restore: checked backup in place, the replaced ledger kept whole', (t) => {
  const root = t.testdir({});
  const path = join(root, 'state', 'ledger.db');
  mkdirSync(join(root, 'state'));
  const backup = join(root, 'b.db');
  const first = Ledger.open({ path, log });
  for (let i = 1; i <= 5; i++) first.create(sale(i));
  backupLedger({ ledgerPath: path, dest: backup, machineId: 'K01' });
  for (let i = 6; i <= 8; i++) first.create(sale(i));
  first.close();
  const r = restoreLedger({ backup, ledgerPath: path, now: T0 });
  t.equal(r.sales, 5);
  t.match(r.replaced, /ledger\.db\.replaced-\d{8}T\d{6}$/);
  t.equal(count(path), 5, 'the backup is the ledger now');
  t.equal(count(r.replaced ?? ''), 8, 'the replaced ledger still has every sale');
  t.equal(statSync(path).mode & 0o777, 0o600);
  const reopened = Ledger.open({ path, log });
  t.equal(reopened.summary().byStatus.succeeded.count, 5, 'the daemon opens it');
  reopened.close();
  t.end();
});

t.test('restore refuses a damaged backup and leaves the ledger alone', (t) => {
  const root = t.testdir({ 'bad.db': 'not a database at all, just text' });
  const { path, ledger } = liveLedger(t, root, 3);
  ledger.close();
  const bad = join(root, 'bad.db');
  t.throws(() => restoreLedger({ backup: bad, ledgerPath: path }), /bad\.db/);
  t.equal(count(path), 3);
  t.end();
});

t.test('restore refuses while a process holds the ledger open, naming it', async (t) => {
  const root = t.testdir({});
  const { path, ledger } = liveLedger(t, root, 2);
  ledger.close();
  const backup = join(root, 'b.db');
  backupLedger({ ledgerPath: path, dest: backup, machineId: 'K01' });
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const D = require('better-sqlite3'); new D(${JSON.stringify(path)}); console.log('open'); setInterval(() => {}, 1000);`,
    ],
    { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => holder.kill('SIGKILL'));
  await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
  t.ok(holders(path).includes(holder.pid ?? -1), 'found through /proc');
  t.throws(
    () => restoreLedger({ backup, ledgerPath: path }),
    new RegExp(`open in process ${holder.pid}.*systemctl stop xpos-agent`),
  );
  t.equal(count(path), 2);
});

t.test(
  'the commands: usage errors exit 64 naming the flag, the default folder comes from config',
  async (t) => {
    const root = t.testdir({});
    const { path, ledger } = liveLedger(t, root, 4);
    ledger.close();
    const config = join(root, 'c.yaml');
    writeFileSync(
      config,
      `gateway: { url: sandbox, app_key: "12345678" }
store: { store_id: "1", cashier_id: "1", cashier_name: x, machine_id: K07 }
paths: { state_dir: ${JSON.stringify(join(path, '..'))} }
backup: { dir: ${JSON.stringify(join(root, 'copies'))}, keep: 3 }
`,
    );
    const run = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
      const out: string[] = [];
      const err: string[] = [];
      const sink = (into: string[]): Writable =>
        new Writable({
          write(c: Buffer, _e, cb): void {
            into.push(c.toString());
            cb();
          },
        });
      const code = await fleetCommand([...argv, '--config', config], { out: sink(out), err: sink(err) });
      return { code, out: out.join(''), err: err.join('') };
    };
    const made = await run('ledger', 'backup');
    t.equal(made.code, 0, made.err);
    t.match(made.out, /copies\/ledger-K07-\d{8}T\d{6}Z\.db: 4 sales, \d+ bytes, integrity ok/);
    t.match(
      (await run('ledger', 'backup', '--keep', '0')).err,
      /--keep: "0" — expected a whole number of copies, 1\.\.365/,
    );
    t.equal((await run('ledger', 'backup', '--keep', 'two')).code, 64);
    t.equal((await run('ledger', 'backup', '--bogus')).code, 64);
    const noArg = await run('ledger', 'restore');
    t.equal(noArg.code, 64);
    t.match(noArg.err, /BACKUP missing/);
    t.equal((await run('ledger', 'explode')).code, 64);
    const missing = await run('ledger', 'restore', join(root, 'nope.db'));
    t.equal(missing.code, 1);
    t.match(missing.err, /no backup at .*nope\.db/);
  },
);
