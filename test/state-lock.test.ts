/**
 * One agent per state directory, in one process: the lock module itself and startAgent, which
 * takes it before the ledger opens. Other processes and SIGKILL: test/integration/state-lock.test.ts.
 */
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent } from '../agent/app.js';
import { createLogger } from '../agent/log.js';
import { LOCK_FILE, PID_FILE, StateDirLocked, lockStateDir } from '../agent/state-lock.js';
import { validateConfig } from '../config/load.js';
import { AbsentKeypad, AbsentPrinter, AbsentScanner, NoFeedback } from '../drivers/absent.js';

t.test('a second lock on the same directory is refused, naming the directory and the holder', (t) => {
  const dir = t.testdir({});
  const first = lockStateDir(dir);
  t.equal(readFileSync(join(dir, PID_FILE), 'utf8'), `${process.pid}\n`, 'the holder writes its pid');
  const err = t.throws(() => lockStateDir(dir));
  t.type(err, StateDirLocked);
  t.equal(
    (err as Error).message,
    `another xpos-agent (pid ${process.pid}) is using the state directory ${dir}; stop it first`,
  );
  t.match(err, { dir, pid: process.pid });

  first.release();
  t.notOk(existsSync(join(dir, PID_FILE)), 'the pid file goes with the lock');
  t.ok(existsSync(join(dir, LOCK_FILE)), 'the lock file stays: it is never the lock itself');
  first.release(); // idempotent
  const again = lockStateDir(dir);
  t.pass('free again once released');
  again.release();
  t.end();
});

t.test('a pid file naming no live process is left out of the message', (t) => {
  const dir = t.testdir({});
  const held = lockStateDir(dir);
  t.teardown(() => held.release());
  // As if the holder had not written its pid yet and a killed agent's file were still there.
  writeFileSync(join(dir, PID_FILE), '2147483646\n');
  t.throws(() => lockStateDir(dir), {
    message: `another xpos-agent is using the state directory ${dir}; stop it first`,
  });
  t.end();
});

t.test('startAgent refuses a second agent on the same state directory until the first stops', async (t) => {
  const dir = t.testdir({});
  const config = validateConfig({
    gateway: { url: 'sandbox', app_key: '12345678' },
    store: { store_id: '1', cashier_id: '1', cashier_name: 'x', machine_id: 'K01' },
    paths: { state_dir: dir },
  });
  const start = () =>
    startAgent({
      config,
      log: createLogger('silent'),
      devices: {
        keypad: new AbsentKeypad(),
        scanner: new AbsentScanner(),
        printer: new AbsentPrinter(),
        feedback: new NoFeedback(),
      },
    });
  const first = await start();
  await t.rejects(start(), {
    name: 'StateDirLocked',
    message: `another xpos-agent (pid ${process.pid}) is using the state directory ${dir}; stop it first`,
  });
  t.ok(first.store.summary(), 'the first agent still has its ledger');
  await first.stop(1_000);
  const second = await start();
  t.pass('a new agent starts once the first has stopped');
  await second.stop(1_000);
});
