/**
 * A merge left half-done must never ship: no tracked text file may hold a conflict marker. (Markdown
 * and YAML pass prettier with them inside, so nothing else would notice.)
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url).pathname;
const MARKER = /^(<{7} |>{7} |={7}$)/m;

t.test('no tracked file holds a merge conflict marker', (t) => {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && !/\.(bin|db|png|jpg|gz)$/.test(f));
  const found = files.filter((f) => {
    try {
      return MARKER.test(readFileSync(ROOT + f, 'utf8'));
    } catch {
      return false; // deleted in the work tree, or not readable as text
    }
  });
  t.same(found, [], 'files with <<<<<<< / ======= / >>>>>>> lines');
  t.end();
});
