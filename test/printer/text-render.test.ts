import t from 'tap';
import type { PrintDocument } from '../../drivers/printer/document.js';
import { displayWidth } from '../../drivers/printer/layout.js';
import { renderText } from '../../drivers/printer/text-render.js';

const doc: PrintDocument = {
  blocks: [
    { kind: 'text', text: '力美健身 Lime Gym', align: 'center', bold: true, size: 2 },
    { kind: 'text', text: 'left' },
    { kind: 'text', text: '右', align: 'right' },
    { kind: 'pair', label: '支付单号', value: '4200001234202611251234567890' },
    { kind: 'rule' },
    { kind: 'qr', data: 'K01202611251930050001' },
    { kind: 'qr', data: 'https://example.com/receipt/' + 'a'.repeat(60) },
    { kind: 'feed', lines: 1 },
    { kind: 'cut' },
  ],
};

function lines(cols: number): string[] {
  const out = renderText(doc, cols);
  t.ok(out.endsWith('\n'));
  return out.slice(0, -1).split('\n');
}

t.test('every rendered line has the same display width inside an ASCII frame', (t) => {
  for (const cols of [32, 48]) {
    const ls = lines(cols);
    t.same(new Set(ls.map(displayWidth)), new Set([cols + 4]), `${cols} columns`);
    t.equal(ls[0], `+${'-'.repeat(cols + 2)}+`);
    t.equal(ls.at(-1), ls[0]);
    for (const l of ls.slice(1, -1)) t.match(l, /^\| .* \|$/u);
    t.notOk(/[\u2500-\u257f\u2702]/u.test(ls.join('')), 'no box drawing or scissors');
  }
  t.end();
});

t.test('text is aligned and double size takes twice the columns', (t) => {
  const ls = lines(32);
  t.equal(ls[1], '|    力  美  健  身    L i m e     |');
  t.equal(ls[2], '|              G y m               |');
  t.equal(ls[3], `| left${' '.repeat(28)} |`);
  t.equal(ls[4], `| ${' '.repeat(30)}右 |`);
  t.equal(ls[5], `| 支付单号${' '.repeat(24)} |`);
  t.equal(ls[6], '|     4200001234202611251234567890 |');
  t.equal(ls[7], `| ${'-'.repeat(32)} |`);
  t.end();
});

t.test('QR codes render as a centred placeholder, wrapped when long', (t) => {
  const ls = lines(32);
  t.equal(ls[8], '|   [QR: K01202611251930050001]    |');
  const long = ls.filter((l) => l.includes('a'.repeat(10)) || l.includes('[QR: https'));
  t.ok(long.length >= 2, 'long data wraps');
  t.ok(ls.join('').replace(/[| ]/g, '').includes('a'.repeat(60)), 'no data lost');
  t.end();
});

t.test('a cut is an ASCII dashed line', (t) => {
  const ls = lines(48);
  const cut = ls.at(-2) ?? '';
  t.match(cut, /-- cut --/);
  t.equal(cut, `| ${'-'.repeat(19)}-- cut --${'-'.repeat(20)} |`);
  t.equal(ls.at(-3), `| ${' '.repeat(48)} |`, 'feed is a blank line');
  t.end();
});
