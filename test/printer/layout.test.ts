import t from 'tap';
import type { PrintDocument } from '../../drivers/printer/document.js';
import {
  center,
  displayWidth,
  layoutDocument,
  padEnd,
  padStart,
  pairLine,
  printable,
  wrap,
} from '../../drivers/printer/layout.js';

/** Deterministic pseudo-random text mixing ASCII words, CJK, fullwidth punctuation and spaces. */
function sampleText(seed: number, length: number): string {
  const pieces = [
    '张',
    '丽',
    '健',
    '身',
    '，',
    '。',
    '￥',
    'a',
    'Gym',
    ' ',
    ' ',
    '12.50',
    'receipt',
    'x'.repeat(40),
  ];
  let s = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out += pieces[s % pieces.length] ?? '';
  }
  return out;
}

t.test('displayWidth counts East Asian wide characters as two columns', (t) => {
  t.equal(displayWidth('张丽'), 4);
  t.equal(displayWidth('abc'), 3);
  t.equal(displayWidth(''), 0);
  t.equal(displayWidth('金额 ￥12.50'), 12, 'CJK, space, fullwidth yen, ASCII');
  t.equal(displayWidth('收银员：张丽'), 12, 'fullwidth colon');
  t.equal(displayWidth('结果确认中，请保留小票'), 22, 'CJK punctuation');
  t.equal(displayWidth('あア가'), 6, 'kana and Hangul');
  t.equal(displayWidth('ｱ'), 1, 'halfwidth katakana stays narrow');
  t.equal(displayWidth('e\u0301'), 1, 'a combining accent takes no column');
  t.equal(displayWidth('𠮷'), 2, 'astral CJK extension B');
  t.equal(displayWidth('😀'), 2);
  t.end();
});

t.test('padding and centring work in display columns', (t) => {
  t.equal(padEnd('张丽', 6), '张丽  ');
  t.equal(padStart('张丽', 6), '  张丽');
  t.equal(center('张丽', 9), '  张丽   ', 'odd spare column goes right');
  t.equal(center('toolong', 3), 'toolong', 'never truncates');
  t.equal(center('ab', 6, '-'), '--ab--');
  t.end();
});

t.test('wrap never exceeds the width and loses no characters', (t) => {
  for (const cols of [16, 32, 48]) {
    for (let seed = 1; seed <= 200; seed++) {
      const text = sampleText(seed, 30);
      const lines = wrap(text, cols);
      const over = lines.filter((l) => displayWidth(l) > cols);
      if (over.length > 0) t.fail(`seed ${seed} at ${cols}: ${JSON.stringify(over)}`);
      t.equal(lines.join('').replace(/ /g, ''), text.replace(/ /g, ''), `seed ${seed} at ${cols}`, {
        diagnostic: false,
      });
    }
  }
  t.end();
});

t.test('wrap breaks at spaces, between CJK characters, and inside a word only when it must', (t) => {
  t.same(wrap('hello world foo', 11), ['hello world', 'foo']);
  t.same(wrap('aaaa bbbb', 6), ['aaaa', 'bbbb'], 'the break eats the space');
  t.same(
    wrap('a' + '张'.repeat(16), 32),
    ['a' + '张'.repeat(15), '张'],
    'a wide char never straddles the edge',
  );
  t.same(wrap('x'.repeat(70), 32), ['x'.repeat(32), 'x'.repeat(32), 'x'.repeat(6)]);
  t.same(wrap('Order ' + '9'.repeat(40), 32), ['Order', '9'.repeat(32), '9'.repeat(8)]);
  t.same(wrap('  ' + 'y'.repeat(10), 4), ['yyyy', 'yyyy', 'yy'], 'no blank line before a hard split');
  t.same(wrap('一二三，四', 6), ['一二', '三，四'], 'closing punctuation does not start a line');
  t.same(wrap('a\n\nb', 32), ['a', '', 'b'], 'newlines force breaks');
  t.same(wrap('', 32), ['']);
  t.same(wrap('e\u0301'.repeat(5), 4), ['e\u0301'.repeat(4), 'e\u0301'], 'accents stay with their letter');
  t.throws(() => wrap('x', 1), RangeError);
  t.end();
});

t.test('pairLine puts the label left and the value right, or the value on its own line', (t) => {
  t.same(pairLine('金额', '￥12.50', 32), ['金额' + ' '.repeat(21) + '￥12.50']);
  t.equal(displayWidth(pairLine('订单号', 'K01', 32)[0] ?? ''), 32);

  const id = '4200001234202611251234567890';
  t.same(pairLine('支付单号', id, 32), ['支付单号', '    ' + id], 'overflow: value right-aligned below');
  t.same(pairLine('支付单号', id, 48), ['支付单号' + ' '.repeat(12) + id]);

  // Longer than a line: wrapped under the label, indented, not ragged at the far right.
  const long = pairLine('订单号', '9'.repeat(40), 32);
  t.same(long, ['订单号', '  ' + '9'.repeat(30), '  ' + '9'.repeat(10)]);
  for (const l of long) t.ok(displayWidth(l) <= 32);
  t.same(pairLine('项目', '单次入场（含淋浴、毛巾、储物柜、运动饮料一瓶）', 32), [
    '项目',
    '  单次入场（含淋浴、毛巾、储物',
    '  柜、运动饮料一瓶）',
  ]);

  t.same(pairLine('A very long label that wraps around', '￥1.00', 20), [
    'A very long label',
    'that wraps around',
    ' '.repeat(14) + '￥1.00',
  ]);
  t.same(pairLine('A label that wraps here', '￥1.00', 20), [
    'A label that wraps',
    'here' + ' '.repeat(10) + '￥1.00',
  ]);
  t.same(pairLine('', '￥1.00', 8), ['  ￥1.00']);
  t.same(pairLine('Only', '', 8), ['Only']);
  t.end();
});

t.test('printable replaces what a printer in 2-byte GB mode cannot print as measured', (t) => {
  t.equal(printable('¥12.50'), '￥12.50', 'U+00A5 would print as junk');
  t.equal(printable('￥12.50 张丽'), '￥12.50 张丽', 'GB text is untouched');
  t.equal(printable('“quoted” ‘x’'), '"quoted" \'x\'');
  t.equal(printable('a\u00a0b'), 'a b');
  t.equal(printable('paid 😀!'), 'paid ?!');
  t.equal(printable('❤\ufe0f'), '?', 'variation selectors vanish');
  t.equal(printable('𠮷'), '?', 'astral CJK has no 2-byte GB code');
  t.equal(printable('가'), '?', 'Hangul syllables are 4-byte GB18030');
  t.equal(printable('a\u0007b\tc'), 'a?b c');
  t.equal(printable('Café — 3×2…'), 'Cafe - 3x2...', 'ambiguous-width GB characters become ASCII');
  t.equal(printable('line1\r\nline2'), 'line1\nline2');

  for (let seed = 1; seed <= 50; seed++) {
    const s = printable(sampleText(seed, 20) + '¥😀“”·é가');
    t.notOk(/[\u00a5\u201c\u201d\u00b7]/u.test(s), 'no narrow non-ASCII survives');
    t.notOk(/[\u{10000}-\u{10ffff}]/u.test(s), 'no astral character survives');
  }
  t.end();
});

t.test('layoutDocument lays out each block kind', (t) => {
  const doc: PrintDocument = {
    blocks: [
      { kind: 'text', text: '力美健身中心欢迎您光临本店', align: 'center', bold: true, size: 2 },
      { kind: 'pair', label: '金额', value: '¥12.50', bold: true },
      { kind: 'rule' },
      { kind: 'rule', char: '=' },
      { kind: 'rule', char: '＝' },
      { kind: 'qr', data: 'K01-0001' },
      { kind: 'qr', data: 'K01-0002', size: 6 },
      { kind: 'feed', lines: 2 },
      { kind: 'cut' },
    ],
  };
  const lines = layoutDocument(doc, 32);
  t.same(lines, [
    { kind: 'text', text: '力美健身中心欢迎', align: 'center', bold: true, size: 2 },
    { kind: 'text', text: '您光临本店', align: 'center', bold: true, size: 2 },
    { kind: 'text', text: '金额' + ' '.repeat(21) + '￥12.50', align: 'left', bold: true, size: 1 },
    { kind: 'text', text: '-'.repeat(32), align: 'left', bold: false, size: 1 },
    { kind: 'text', text: '='.repeat(32), align: 'left', bold: false, size: 1 },
    { kind: 'text', text: '＝'.repeat(16), align: 'left', bold: false, size: 1 },
    { kind: 'qr', data: 'K01-0001' },
    { kind: 'qr', data: 'K01-0002', size: 6 },
    { kind: 'text', text: '', align: 'left', bold: false, size: 1 },
    { kind: 'text', text: '', align: 'left', bold: false, size: 1 },
    { kind: 'cut' },
  ]);
  const wide = layoutDocument({ blocks: [{ kind: 'text', text: 'x'.repeat(40), size: 2 }] }, 48);
  t.same(
    wide.map((l) => (l.kind === 'text' ? l.text : '')),
    ['x'.repeat(24), 'x'.repeat(16)],
    'size 2 halves the columns',
  );
  t.end();
});
