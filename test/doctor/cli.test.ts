/**
 * `xpos-agent doctor` as a technician runs it: the built binary (`make build` first), its line
 * format and its exit codes.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEscpos } from '../helpers/escpos-decode.js';

const MAIN = new URL('../../dist/agent/main.js', import.meta.url).pathname;
if (!existsSync(new URL('../../dist/agent/doctor/doctor.js', import.meta.url))) {
  throw new Error(`${MAIN} has no doctor: run "make build" (make test does it first)`);
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function doctor(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    // No credential from the caller's environment: the run depends on the test's files only.
    const env = { ...process.env, CREDENTIALS_DIRECTORY: '' };
    const child = spawn(process.execPath, [MAIN, 'doctor', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function config(dir: string, devices: string): string {
  return (
    'gateway: { url: sandbox, app_key: "12345678" }\n' +
    'store: { store_id: "333333", cashier_id: "346753", cashier_name: 张丽, machine_id: K01 }\n' +
    `paths: { state_dir: ${join(dir, 'state')} }\n` +
    `devices:\n${devices}`
  );
}

const LINE = /^(OK {2}|WARN|FAIL) {2}\S.{18} {2}\S/;

t.test('all OK: one line per check, a summary, exit 0; --print-test prints', async (t) => {
  const dir = t.testdir();
  const paper = join(dir, 'paper.bin');
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    config(
      dir,
      `  scanner: { type: sim }\n  keypad: { type: sim }\n  printer: { type: file, path: ${paper} }\n`,
    ),
  );
  const r = await doctor(['--config', file, '--print-test']);
  t.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const summary = lines.pop();
  t.match(summary, /^doctor: 15 OK, 0 WARN, 0 FAIL \(exit 0\)$/);
  t.ok(
    lines.every((l) => LINE.test(l)),
    'every line is LEVEL  check  detail',
  );
  t.match(r.stdout, /^OK {4}gateway signed call {2}signature accepted/m);
  t.match(r.stdout, /^OK {4}print test/m);
  t.equal(r.stderr, '');
  t.match(decodeEscpos(readFileSync(paper), { columns: 32 }).lines.join('\n'), /测\s*试\s*小\s*票/);
});

t.test('a missing scanner: FAIL with its fix line, exit 2; --json gives the same as data', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'config.yaml');
  writeFileSync(file, config(dir, `  scanner: { type: serial, path: ${join(dir, 'ttyUSB7')} }\n`));
  const r = await doctor(['--config', file]);
  t.equal(r.code, 2);
  const line = `FAIL  ${'scanner'.padEnd(19)}  ${join(dir, 'ttyUSB7')} not found (ENOENT)\n  fix: check the cable`;
  t.ok(r.stdout.includes(line), 'the scanner line names the path, the fix follows');
  t.match(r.stdout, /^WARN {2}printer status .*\n {2}fix: add devices\.printer/m);

  const j = await doctor(['--config', file, '--json']);
  t.equal(j.code, 2);
  const report = JSON.parse(j.stdout) as {
    exitCode: number;
    worst: string;
    checks: { check: string; level: string }[];
  };
  t.equal(report.exitCode, 2);
  t.equal(report.worst, 'fail');
  t.match(
    report.checks.find((c) => c.check === 'scanner'),
    { level: 'fail', fix: /cable/ },
  );
});

t.test('an invalid config: every problem, exit 78', async (t) => {
  const dir = t.testdir({ 'bad.yaml': 'gateway: { url: sandbox }\nlog: { level: loud }\n' });
  const r = await doctor(['--config', join(dir, 'bad.yaml')]);
  t.equal(r.code, 78);
  t.match(r.stdout, /^FAIL {2}config .*problem\(s\)\n( {6}.*\n)+ {2}fix: edit /m);
  t.match(r.stdout, /log\.level/);
  t.match(r.stdout, /store/);
});
