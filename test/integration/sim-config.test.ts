/**
 * What the simulator leaves behind for the operators' tools, on the built binary: `sim.yaml` names
 * the simulated devices (so `doctor` reports them as simulated, not missing) and a backup folder
 * inside the state folder; saved receipts are numbered on across runs and `doctor --print-test`,
 * never replaced; piped scripts take the preset letters in either case; a demo scan's line never
 * claims a payment the kiosk refused.
 */
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type Ran } from '../helpers/cli-run.js';

// As outside the service: no $CREDENTIALS_DIRECTORY for doctor or run to take a secret from.
const xpos = (cwd: string, args: string[], input = ''): Promise<Ran> =>
  runCli(args, { cwd, input, env: { ...process.env, CREDENTIALS_DIRECTORY: '' } });

interface DoctorJson {
  exitCode: number;
  checks: { check: string; level: string; detail: string }[];
}

t.test('sim.yaml: doctor sees simulated devices, backups stay in the state folder', async (t) => {
  const dir = t.testdir({});
  const sim = await xpos(dir, ['sim', '--state-dir', 'st'], 'key B\ndemo s\nwait 800\nquit\n');
  t.equal(sim.code, 0, sim.stderr);
  t.match(sim.stdout, /支付成功/, 'the simulator took a sale');

  const yaml = readFileSync(join(dir, 'st/sim.yaml'), 'utf8');
  t.match(yaml, /^backup:\n {2}dir: \/\S+\/st\/backups$/m, 'backup.dir is <state dir>/backups');
  t.notMatch(yaml, '/var/lib/xpos-agent-backups');

  const doctor = await xpos(dir, ['doctor', '--config', 'st/sim.yaml', '--json']);
  const report = JSON.parse(doctor.stdout) as DoctorJson;
  const level = (check: string): string | undefined => report.checks.find((c) => c.check === check)?.level;
  for (const device of ['scanner', 'keypad', 'feedback', 'display']) {
    const line = report.checks.find((c) => c.check === device);
    t.match(line, { level: 'ok', detail: /^simulated/ }, `${device}: reported as simulated`);
  }
  t.equal(level('printer status'), 'ok');
  t.same(
    report.checks.filter((c) => c.level === 'fail'),
    [],
    'no check fails on the config the simulator just took sales with',
  );
  t.not(doctor.code, 2, 'doctor does not exit 2');
  t.equal(doctor.code, report.exitCode);

  const backup = await xpos(dir, ['ledger', 'backup', '--config', 'st/sim.yaml']);
  t.equal(backup.code, 0, backup.stderr);
  t.match(backup.stdout, /\/st\/backups\/ledger-SIM01-\S+\.db: 1 sales/);
  t.equal(readdirSync(join(dir, 'st/backups')).length, 1, 'the copy is in st/backups');

  const run = await xpos(dir, ['run', '--config', 'st/sim.yaml']);
  t.equal(run.code, 78, 'run without --demo still refuses the simulator config');
  t.match(run.stderr, /gateway\.url: "sandbox" — the embedded demo gateway takes no real money/);

  const again = await xpos(dir, ['sim', '--config', 'st/sim.yaml', '--state-dir', 'st'], 'quit\n');
  t.equal(again.code, 0, `the simulator starts with the sim.yaml it wrote: ${again.stderr}`);
  t.match(again.stdout, /\[ready\]/);
});

t.test('receipts are numbered on across runs and a test print: none is replaced', async (t) => {
  const dir = t.testdir({});
  const receipts = join(dir, 'st/receipts');
  const first = await xpos(dir, ['sim', '--state-dir', 'st'], 'key B\ndemo s\nwait 800\nquit\n');
  t.equal(first.code, 0, first.stderr);
  const firstText = readFileSync(join(receipts, 'receipt-00001.txt'), 'utf8');
  t.match(firstText, /月卡/);

  const test = await xpos(dir, ['doctor', '--config', 'st/sim.yaml', '--print-test']);
  t.match(test.stdout, /^OK +print test/m, test.stdout);
  const second = await xpos(dir, ['sim', '--state-dir', 'st'], 'key D\ndemo s\nwait 800\nquit\n');
  t.equal(second.code, 0, second.stderr);

  t.same(readdirSync(receipts).sort(), ['receipt-00001.txt', 'receipt-00002.txt', 'receipt-00003.txt']);
  t.equal(
    readFileSync(join(receipts, 'receipt-00001.txt'), 'utf8'),
    firstText,
    'the first run’s receipt kept',
  );
  t.match(readFileSync(join(receipts, 'receipt-00002.txt'), 'utf8'), /Test receipt/, 'then the test receipt');
  t.match(readFileSync(join(receipts, 'receipt-00003.txt'), 'utf8'), /运动饮料/, 'then the second run’s');
});

t.test('piped scripts: key b is key B; other bad keys still exit 65', async (t) => {
  const dir = t.testdir({});
  const lower = await xpos(dir, ['sim', '--state-dir', 'a'], 'key b\ndemo s\nwait 800\nquit\n');
  t.equal(lower.code, 0, lower.stderr);
  t.match(lower.stdout, /\[awaiting-scan\] [^\n]*￥299\.00 {2}月卡/, 'key b chose preset B');
  t.match(lower.stdout, /\[ok\] 支付成功/);

  for (const bad of ['e', 'bb', 'enter']) {
    const r = await xpos(dir, ['sim', '--state-dir', `bad-${bad}`], `key A\nkey ${bad}\nquit\n`);
    t.equal(r.code, 65, `key ${bad}: exit 65`);
    t.match(r.stderr, `script line 2: "key ${bad}" — unknown key "${bad}"`);
  }
});

t.test('a demo scan the kiosk refuses is not reported as paid', async (t) => {
  const dir = t.testdir({});
  const r = await xpos(dir, ['sim', '--state-dir', 'st'], 'demo s\nkey 1 2\ndemo s\nwait 300\nquit\n');
  t.equal(r.code, 0, r.stderr);
  const notes = r.stdout.split('\n').filter((l) => l.startsWith('demo code '));
  t.equal(notes.length, 2, r.stdout);
  for (const line of notes) t.match(line, /^demo code 28…\d{4}: the sandbox pays it$/);
  t.match(r.stdout, /请先输入金额或选择项目 \/ Enter a price or choose an item first/, 'refused while idle');
  t.notMatch(r.stdout, /→ paid|scanned payment code|支付成功/, 'no line says a payment happened');
  t.notOk(
    existsSync(join(dir, 'st/receipts')) && readdirSync(join(dir, 'st/receipts')).length > 0,
    'no sale',
  );
  t.notMatch(r.stdout, /28\d{16}/, 'the code stays masked');
});
