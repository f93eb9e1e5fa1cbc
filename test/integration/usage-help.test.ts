/**
 * `--help` / `-h` anywhere after a command or a command group prints the usage text on stdout and
 * exits 0 (`xpos-agent queue --help` once said "unknown command: queue"); a group without its
 * subcommand says what it needs. Real child processes running the built dist/agent/main.js.
 */
import t from 'tap';
import { runCli } from '../helpers/cli-run.js';

t.test('--help after any command or group prints the usage and exits 0', async (t) => {
  const usage = await runCli(['--help']);
  t.equal(usage.code, 0);
  t.match(usage.stdout, /^usage: xpos-agent <command> \[options\]\n/);
  t.match(usage.stdout, /--help \(-h\) after any command prints this text/);
  const lines = [
    ['-h'],
    ['queue', '--help'],
    ['queue', '-h'],
    ['--help', 'queue'],
    ['ledger', '--help'],
    ['ledger', '-h'],
    ['config', '--help'],
    ['config', 'check', '--help'],
    ['queue', 'list', '--help'],
    ['queue', 'show', '-h'],
    ['queue', 'report', '--help'],
    ['queue', 'export', '--help'],
    ['ledger', 'backup', '--help'],
    ['ledger', 'restore', '-h'],
    ['run', '--help'],
    ['sim', '-h'],
    ['sandbox', '--help'],
    ['reprint', '--help'],
    ['doctor', '-h'],
  ];
  for (const args of lines) {
    const r = await runCli(args);
    t.equal(r.code, 0, `${args.join(' ')}: exit 0\n${r.stderr}`);
    t.equal(r.stdout, usage.stdout, `${args.join(' ')}: the usage text`);
    t.equal(r.stderr, '', `${args.join(' ')}: nothing on stderr`);
  }
});

t.test('a group without its subcommand says what it needs, exit 64, never "unknown command"', async (t) => {
  const needs: [string, string][] = [
    ['queue', 'queue needs one of: list, show ID, report, export'],
    ['ledger', 'ledger needs one of: backup [DEST], restore BACKUP'],
    ['config', 'config needs a subcommand: check'],
  ];
  for (const [group, message] of needs) {
    const r = await runCli([group]);
    t.equal(r.code, 64, group);
    t.equal(r.stderr.split('\n')[0], `xpos-agent: ${message}`, `${group}: what it needs`);
    t.match(r.stderr, /\nusage: xpos-agent <command>/, `${group}: the usage text follows`);
    t.notMatch(r.stderr, /unknown command/, `${group} is no unknown command`);
    t.equal(r.stdout, '');
  }
});

t.test('an unknown command with --help is still an error naming it', async (t) => {
  const r = await runCli(['frob', '--help']);
  t.equal(r.code, 64);
  t.match(r.stderr, /^xpos-agent: unknown command: frob\nusage: xpos-agent/);
  const sub = await runCli(['queue', 'frob', '--help']);
  t.equal(sub.code, 64);
  t.match(
    sub.stderr,
    /^xpos-agent: unknown command: queue frob; queue needs one of: list, show ID, report, export\n/,
  );
});
