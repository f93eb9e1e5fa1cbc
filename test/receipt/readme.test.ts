import t from 'tap';
import { readFileSync } from 'node:fs';
import { receiptExamples } from '../helpers/receipt-examples.js';

t.test('the README shows one receipt of each kind, as the agent prints it today', (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  t.ok(readme.includes(receiptExamples()), 'README.md contains receiptExamples() verbatim (regenerate it)');
  t.end();
});
