/**
 * scripts/tap-summary.sh, what `make test` prints: fed tap logs recorded from a small fixture run
 * (test/fixtures/tap-summary/), it keeps the whole log in a file, prints one line per directory, a
 * failing file's output in full, tap's own count line (which .ci/run reads) and the audit note.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
const FIXTURES = join(REPO, 'test/fixtures/tap-summary');

function summarize(input: string): { code: number | null; out: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xpos-tap-summary-'));
  try {
    const log = join(dir, 'out/tap.log');
    const r = spawnSync('bash', [join(REPO, 'scripts/tap-summary.sh'), log], {
      input,
      encoding: 'utf8',
    });
    return {
      code: r.status,
      out: r.stdout + r.stderr,
      log: existsSync(log) ? readFileSync(log, 'utf8') : '',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const failing = readFileSync(join(FIXTURES, 'failing.tap'), 'utf8');
const passing = readFileSync(join(FIXTURES, 'passing.tap'), 'utf8');

t.test('a failing file: its output in full, the count line, exit 1', (t) => {
  const r = summarize(failing);
  t.equal(r.code, 1);
  t.equal(r.log, failing, 'the log file holds everything tap printed');
  const lines = r.out.split('\n');
  t.ok(
    lines.some((l) => /^test\/b +1 files +2 asserts +1 pass +1 FAIL \(1 files\)$/.test(l)),
    'the directory line counts the failure',
  );
  t.ok(
    lines.some((l) => /^test\/a +1 files +2 asserts +2 pass$/.test(l)),
    'a passing directory',
  );
  t.match(r.out, '=== FAILED: test/b/bad.test.mjs ===');
  // The failing file's block, assertion diagnostics, diff and stderr included.
  const block = failing.slice(
    failing.indexOf('# Subtest: test/b/bad.test.mjs'),
    failing.indexOf('# Subtest: test/top.test.mjs'),
  );
  t.ok(r.out.includes(block.trimEnd()), 'the whole block as tap printed it');
  t.match(r.out, 'not ok 1 - one is two');
  t.match(r.out, 'stderr noise from bad');
  t.notMatch(r.out, '# Subtest: test/a/ok.test.mjs', 'passing files are not repeated');
  t.ok(lines.includes('# { total: 5, pass: 4, fail: 1 }'), "tap's count line, as .ci/run greps it");
  t.ok(
    lines.includes('NOTE: npm audit NOT CHECKED: the advisory service is unavailable here (ENOTFOUND)'),
    'the audit note in the summary',
  );
  t.match(r.out, /FAILED: 1 file\(s\): test\/b\/bad\.test\.mjs/);
  t.end();
});

t.test('all passing: short, the count line, exit 0', (t) => {
  const r = summarize(passing);
  t.equal(r.code, 0, r.out);
  const lines = r.out.split('\n');
  t.ok(lines.includes('# { total: 3, pass: 3 }'));
  // tap counts a subtest without assertions (the audit when NOT CHECKED) as one: so do the lines.
  t.ok(lines.includes('test/a                 1 files     2 asserts     2 pass'), 'an empty subtest counts');
  t.ok(lines.includes('test                   1 files     1 asserts     1 pass'), 'files at the top');
  t.match(r.out, 'coverage: statements 58.89%, branches 51.14%, functions 31.69%, lines 58.89%');
  t.notMatch(r.out, 'app.ts', 'not the coverage table itself');
  t.notMatch(r.out, /FAILED|# Subtest/);
  t.ok(lines.length < 12, `${lines.length} lines`);
  t.end();
});

t.test('a log cut off before the count line fails and shows its end', (t) => {
  const cut = passing.slice(0, passing.indexOf('# { total'));
  const r = summarize(cut);
  t.equal(r.code, 1);
  t.match(r.out, 'tap printed no count line');
  t.match(r.out, 'ok 2 - test/top.test.mjs');
  t.end();
});
