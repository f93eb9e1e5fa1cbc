/**
 * Every bad input a person can give the built CLI gets a named message and the documented exit
 * code (agent/exit-codes.ts), never Node's own wording and never a stack trace. Each row spawns
 * dist/agent/main.js as a technician would, in a fresh folder holding that row's files.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rows, type Row } from '../helpers/bad-input-rows.js';

const MAIN = new URL('../../dist/agent/main.js', import.meta.url).pathname;
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(row: Row, dir: string): Promise<Ran> {
  return new Promise((resolve) => {
    // tap's process hooks write into .tap/ as root: a child run as another user gets a bare env.
    const env: NodeJS.ProcessEnv =
      row.uid === undefined ? { ...process.env } : { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    delete env['CREDENTIALS_DIRECTORY'];
    for (const [k, v] of Object.entries(row.env ?? {})) env[k] = v.replace('DIR', dir);
    // Another user through setpriv, with env -i: tap puts hooks into node children's environment
    // that write into .tap/, which only root may.
    const [cmd, ...pre] =
      row.uid === undefined
        ? [process.execPath]
        : ['setpriv', `--reuid=${row.uid}`, `--regid=${row.uid}`, '--clear-groups'].concat([
            'env',
            '-i',
            `PATH=${env['PATH'] ?? ''}`,
            process.execPath,
          ]);
    const child = spawn(cmd ?? process.execPath, [...pre, MAIN, ...row.args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(row.input ?? '');
  });
}

const USAGE = 64;
const HINT = '(xpos-agent --help for usage)';

/**
 * Every usage error (exit 64) reads the same way (agent/cli/usage.ts): one first line
 * `xpos-agent: …` naming the problem, then either the usage text (the command line does not
 * parse) or, on that line, the hint (a bad value): never both, never neither, nothing on stdout.
 */
function usageShape(t: Test, r: Ran): void {
  const [first = '', ...rest] = r.stderr.split('\n');
  t.match(first, /^xpos-agent: \S/, 'the first line starts "xpos-agent: "');
  const usage = rest.join('\n').startsWith('usage: xpos-agent <command>');
  const hint = first.endsWith(` ${HINT}`);
  t.ok(usage !== hint, `either the usage text follows or the line ends with ${HINT}`);
  if (hint) t.equal(rest.join(''), '', 'one line only');
  t.equal(r.stdout, '', 'nothing on stdout');
}

t.test(`${rows.length} bad inputs: named message, documented exit code, no stack trace`, async (t) => {
  t.ok(rows.length >= 30, 'the table holds at least 30 bad inputs');
  const root = t.testdir({});
  chmodSync(root, 0o755);
  for (const [i, row] of rows.entries()) {
    const dir = join(root, String(i));
    mkdirSync(dir, { mode: 0o755 });
    for (const d of row.dirs ?? []) mkdirSync(join(dir, d), { recursive: true });
    for (const [name, content] of Object.entries(row.files ?? {})) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      const path = join(dir, name);
      writeFileSync(path, content.replaceAll('DIR', dir));
      chmodSync(path, row.modes?.[name] ?? 0o600);
    }
    // Neither the user running it nor root: the case the mode bits alone cannot catch.
    if (row.uid !== undefined) chownSync(join(dir, 'secret'), 1234, 1234);
    const r = await run(row, dir);
    t.test(row.name, (t) => {
      t.equal(r.code, row.code, `exit ${row.code}\n${r.stderr}`);
      for (const want of row.stderr) t.match(r.stderr, want);
      const first = row.stderr[0];
      if (row.once === true && first !== undefined) {
        const global = new RegExp(first.source, 'g');
        t.equal(r.stderr.match(global)?.length, 1, 'reported once');
      }
      t.notMatch(`${r.stdout}\n${r.stderr}`, /^ {4}at /m, 'no stack trace');
      t.notMatch(
        r.stderr,
        /To specify a positional argument|ERR_PARSE_ARGS|Invalid URL/,
        "not Node's wording",
      );
      t.notMatch(`${r.stdout}\n${r.stderr}`, /s3cret/, 'the secret never appears');
      if (row.code === USAGE) usageShape(t, r);
      t.end();
    });
  }
});
