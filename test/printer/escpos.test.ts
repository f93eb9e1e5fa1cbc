/**
 * The ESC/POS encoder, byte for byte. Golden receipts live in test/fixtures/escpos/*.bin; after a
 * deliberate change to the receipt or the encoder, regenerate them with
 *   UPDATE_GOLDEN=1 node_modules/.bin/tap --disable-coverage test/printer/escpos.test.ts
 * and read the diff of the decoded text this test prints before committing the new bytes.
 */
import t from 'tap';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { buildReceipt, type ReceiptOptions } from '../../agent/receipt/build.js';
import type { SaleRecord, SaleStatus } from '../../agent/payment/sale.js';
import type { PrintDocument } from '../../drivers/printer/document.js';
import {
  QR_MAX_BYTES,
  cmd,
  encodeDocument,
  encodeLines,
  type EncodeOptions,
} from '../../drivers/printer/escpos.js';
import { renderText } from '../../drivers/printer/text-render.js';
import { decodeEscpos, framed, EscposDecodeError } from '../helpers/escpos-decode.js';
import { receiptSale } from '../helpers/receipt-sale.js';

const FIXTURES = new URL('../fixtures/escpos/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const OUT_BIZ_ID = 'K01202611251930050001';

function sale(status: SaleStatus, extra: Partial<SaleRecord> = {}): SaleRecord {
  return receiptSale(status, extra);
}

/** A member code accepted while the gateway was unreachable: no gateway result yet. */
function offlineSale(): SaleRecord {
  const { result: _none, ...queued } = sale('queued', {
    codeMask: '****1234',
    offline: true,
    amountFen: 3000,
    label: '月卡续费',
  });
  return queued;
}

function receiptOpts(extra: Partial<ReceiptOptions> = {}): ReceiptOptions {
  return { storeName: '力美健身 Lime Gym', language: 'zh', timeZone: 'Asia/Shanghai', demo: false, ...extra };
}

const base58: EncodeOptions = { columns: 32, cut: 'partial', qr: { moduleSize: 6, errorLevel: 'M' } };
const base80: EncodeOptions = { columns: 48, cut: 'full', qr: { moduleSize: 8, errorLevel: 'Q' } };

interface Golden {
  name: string;
  doc: PrintDocument;
  opts: EncodeOptions;
  want: RegExp[];
  wantNot?: RegExp[];
}

const GOLDEN: Golden[] = [
  {
    name: 'success-zh-32',
    doc: buildReceipt(sale('succeeded'), receiptOpts()),
    opts: base58,
    want: [
      /状态\s+成功/,
      /金额\s+￥12\.50/,
      /实付\s+￥12\.50/,
      /付款码\s+\*\*\*\*3456/,
      /收银员\s+张丽 \(346753\)/,
    ],
  },
  {
    name: 'pending-en-48',
    doc: buildReceipt(
      sale('pending', { codeMask: '****1234', label: 'Day pass', result: { checkoutId: 'C2026112500042' } }),
      receiptOpts({ language: 'en' }),
    ),
    opts: base80,
    want: [
      /Status\s+Processing/,
      /Amount\s+￥12\.50/,
      /Payment code\s+\*\*\*\*1234/,
      /We are confirming the payment/,
    ],
    wantNot: [/Paid/, /Fail/i],
  },
  {
    name: 'queued-zh-32',
    doc: buildReceipt(offlineSale(), receiptOpts({ clockSynced: false })),
    opts: base58,
    want: [
      /状态\s+离线受理/,
      /金额\s+￥30\.00/,
      /离线受理，联网后确认，/,
      /时钟未同步/,
      /付款码\s+\*\*\*\*1234/,
    ],
    wantNot: [/实付/, /失败/],
  },
  {
    name: 'reprint-zh-48',
    doc: buildReceipt(
      sale('succeeded'),
      receiptOpts({ reprint: true, now: Date.UTC(2026, 10, 26, 1, 0, 0) }),
    ),
    opts: { ...base80, cut: 'partial', qr: { moduleSize: 6, errorLevel: 'M' } },
    want: [
      /^\s+重印\s+$/m,
      /重印时间\s+2026-11-26 09:00:00/,
      /状态\s+成功/,
      /支付单号\s+4200001234202611251234567890/,
    ],
  },
];

t.test('golden receipts: the encoder output equals the fixture byte for byte', (t) => {
  if (UPDATE) mkdirSync(FIXTURES, { recursive: true });
  for (const g of GOLDEN) {
    const bytes = encodeDocument(g.doc, g.opts);
    const file = new URL(`${g.name}.bin`, FIXTURES);
    if (UPDATE) {
      writeFileSync(file, bytes);
      t.comment(`${g.name}.bin rewritten:\n${framed(decodeEscpos(bytes, g.opts), g.opts.columns)}`);
    }
    t.ok(existsSync(file), `${g.name}.bin exists (UPDATE_GOLDEN=1 writes it)`);
    t.ok(bytes.equals(readFileSync(file)), `${g.name} matches`);
  }
  t.end();
});

t.test('golden receipts decode back to the expected paper', (t) => {
  for (const g of GOLDEN) {
    const bytes = readFileSync(new URL(`${g.name}.bin`, FIXTURES));
    const d = decodeEscpos(bytes, g.opts);
    const text = d.lines.join('\n');
    for (const re of g.want) t.match(text, re, `${g.name} says ${re.source}`);
    for (const re of g.wantNot ?? []) t.notMatch(text, re, `${g.name} never says ${re.source}`);
    t.same(d.qr, [OUT_BIZ_ID], `${g.name} QR is the order reference`);
    t.equal(d.inits, 1);
    t.ok(d.chineseMode, 'FS & sent');
    t.same(
      d.paper.filter((p) => p.kind === 'cut'),
      [{ kind: 'cut', mode: g.opts.cut, feed: 0 }],
    );
    t.equal(d.cuts.at(0), d.lines.length - 1, 'the cut is last');
    t.equal(d.drawerPulses, 0, 'no drawer pulse by default');
    const qr = d.paper.find((p) => p.kind === 'qr');
    t.match(qr, { moduleSize: g.opts.qr.moduleSize, errorLevel: g.opts.qr.errorLevel, align: 'center' });
    // The store name is the only double-size text and it is bold and centred.
    const big = d.spans.filter((s) => s.size === 2);
    t.ok(big.length > 0 && big.every((s) => s.bold), `${g.name} title is bold double size`);
    t.notOk(bytes.includes(Buffer.from([0x81, 0x30, 0x84, 0x36])), 'no 4-byte yen');
    t.ok(bytes.includes(Buffer.from([0xa3, 0xa4])), '￥ as A3A4');
  }
  t.end();
});

t.test('decoded bytes look exactly like the simulator text, including the golden text receipt', (t) => {
  const first = GOLDEN[0]!;
  const goldenFile = new URL('../fixtures/receipts/success-zh-32.txt', import.meta.url);
  if (UPDATE) writeFileSync(goldenFile, renderText(first.doc, 32));
  const golden = readFileSync(goldenFile, 'utf8');
  t.equal(framed(decodeEscpos(encodeDocument(first.doc, first.opts), first.opts), 32), golden);
  for (const g of GOLDEN) {
    for (const columns of [32, 48] as const) {
      const opts = { ...g.opts, columns };
      const decoded = decodeEscpos(encodeDocument(g.doc, opts), opts);
      t.equal(framed(decoded, columns), renderText(g.doc, columns), `${g.name} at ${columns} columns`);
    }
  }
  t.end();
});

t.test("a demo receipt prints its DEMO line in the printer's code page, bold, near the top", (t) => {
  const marks = { zh: '演示 - 非真实交易', en: 'DEMO - not a real payment' } as const;
  for (const language of ['zh', 'en'] as const) {
    for (const opts of [base58, base80]) {
      for (const reprint of [false, true]) {
        const name = `${language} ${opts.columns}${reprint ? ' reprint' : ''}`;
        const doc = buildReceipt(sale('succeeded'), receiptOpts({ language, reprint, demo: true }));
        // The decoder throws on a 4-byte GB18030 code, a line too wide and anything a printer garbles.
        const d = decodeEscpos(encodeDocument(doc, opts), opts);
        const at = d.lines.flatMap((l, i) => (l.trim() === marks[language] ? [i] : []));
        t.equal(at.length, 2, `${name}: printed twice`);
        t.ok((at[0] ?? 99) <= 2, `${name}: near the top (line ${at[0]})`);
        t.ok(
          d.spans.some((s) => s.text === marks[language] && s.bold && s.size === 1),
          `${name}: bold, normal size`,
        );
        const plain = decodeEscpos(
          encodeDocument(buildReceipt(sale('succeeded'), receiptOpts({ language, reprint })), opts),
          opts,
        );
        t.notOk(
          plain.lines.some((l) => l.includes(marks[language])),
          `${name}: not on a real receipt`,
        );
      }
    }
  }
  t.end();
});

t.test('a job starts with ESC @ and FS &, and FS & can be left out', (t) => {
  const doc: PrintDocument = { blocks: [{ kind: 'text', text: 'hi' }] };
  t.same([...encodeDocument(doc, base58)], [0x1b, 0x40, 0x1c, 0x26, 0x68, 0x69, 0x0a]);
  t.same([...encodeDocument(doc, { ...base58, chineseMode: false })], [0x1b, 0x40, 0x68, 0x69, 0x0a]);
  t.end();
});

t.test(
  'text is GB18030 in 1- and 2-byte codes only: ¥ becomes ￥ (A3 A4), the unprintable becomes ?',
  (t) => {
    const doc: PrintDocument = {
      blocks: [
        { kind: 'text', text: '收银员：张丽 ¥12.50' },
        { kind: 'pair', label: '€ 😀 𠀀 é', value: '¥' },
        { kind: 'text', text: '\u00b7 \u2014 \u201c\u201d \u2605 \u00a0' },
      ],
    };
    const bytes = encodeDocument(doc, base58);
    t.ok(bytes.includes(Buffer.from('ca d5 d2 f8 d4 b1 a3 ba d5 c5 c0 f6'.replaceAll(' ', ''), 'hex')));
    t.ok(bytes.includes(Buffer.from('a3a431322e3530', 'hex')), '￥12.50');
    const d = decodeEscpos(bytes, base58);
    t.equal(d.lines[0]?.trimEnd(), '收银员：张丽 ￥12.50');
    t.equal(d.lines[1], '? ? ? e' + ' '.repeat(23) + '￥');
    t.equal(d.lines[2]?.trimEnd(), '. - "" ?');

    // Whatever the input, the decoder (which rejects 4-byte sequences) reads it all back.
    let seed = 42;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const failures: string[] = [];
    for (let k = 0; k < 500; k++) {
      let s = '';
      for (let j = 0; j < 12; j++) {
        s += String.fromCodePoint(Math.floor(rnd() * (rnd() < 0.2 ? 0x30000 : 0xffff)));
      }
      const text = s.replace(/[\ud800-\udfff]/g, 'x');
      const lines = [{ kind: 'text' as const, text, align: 'left' as const, bold: false, size: 1 as const }];
      try {
        decodeEscpos(encodeLines(lines, base80), base80);
      } catch (e) {
        failures.push(`${JSON.stringify(text)}: ${String(e)}`);
      }
    }
    t.same(failures, [], 'random text always encodes to 1- and 2-byte codes that fit the line');
    t.end();
  },
);

t.test('QR: model 2, module size, error level, store with the UTF-8 byte length, print', (t) => {
  const qr = cmd.qr(OUT_BIZ_ID, 6, 'M');
  t.equal(
    qr.toString('hex'),
    [
      '1d286b0400314132' + '00',
      '1d286b0300314306',
      '1d286b0300314531',
      '1d286b1800315030' + Buffer.from(OUT_BIZ_ID).toString('hex'),
      '1d286b0300315130',
    ].join(''),
  );
  t.equal(cmd.qr('订单', 3, 'H').subarray(25, 33).toString('hex'), '1d286b0900315030', '6 bytes + 3');
  const long = cmd.qr('a'.repeat(300), 3, 'L');
  t.same([...long.subarray(25, 30)], [0x1d, 0x28, 0x6b, 303 & 0xff, 1], 'pL pH for 303');

  const withSize: PrintDocument = { blocks: [{ kind: 'qr', data: 'X1', size: 4 }] };
  t.match(decodeEscpos(encodeDocument(withSize, base58), base58).paper, [{ kind: 'qr', moduleSize: 4 }]);
  const empty = encodeDocument({ blocks: [{ kind: 'qr', data: '' }] }, base58);
  t.equal(decodeEscpos(empty, base58).qr.length, 0, 'an empty QR is left out, not sent invalid');
  t.throws(
    () => encodeDocument({ blocks: [{ kind: 'qr', data: 'a'.repeat(QR_MAX_BYTES + 1) }] }, base58),
    RangeError,
  );
  t.throws(
    () => encodeDocument(withSize, { ...base58, qr: { moduleSize: 17, errorLevel: 'L' } }),
    RangeError,
  );
  t.end();
});

t.test('cut: GS V 66 0 partial, GS V 65 0 full, nothing for none', (t) => {
  const doc: PrintDocument = { blocks: [{ kind: 'text', text: 'x' }, { kind: 'cut' }] };
  t.ok(
    encodeDocument(doc, base58)
      .subarray(-4)
      .equals(Buffer.from([0x1d, 0x56, 66, 0])),
  );
  t.ok(
    encodeDocument(doc, { ...base58, cut: 'full' })
      .subarray(-4)
      .equals(Buffer.from([0x1d, 0x56, 65, 0])),
  );
  const none = encodeDocument(doc, { ...base58, cut: 'none' });
  t.notOk(none.includes(Buffer.from([0x1d, 0x56])));
  t.same(decodeEscpos(none, base58).cuts, []);
  t.end();
});

t.test('the cash drawer is pulsed only when enabled, once, after the cut', (t) => {
  const doc = buildReceipt(sale('succeeded'), receiptOpts());
  t.notOk(encodeDocument(doc, base58).includes(Buffer.from([0x1b, 0x70])));
  const bytes = encodeDocument(doc, { ...base58, cashDrawer: true });
  t.ok(bytes.subarray(-9).equals(Buffer.from([0x1d, 0x56, 66, 0, 0x1b, 0x70, 0x00, 0x19, 0xfa])));
  t.equal(decodeEscpos(bytes, base58).drawerPulses, 1);
  t.end();
});

t.test('double size is GS ! 0x11, takes two columns per column and is aligned by ESC a', (t) => {
  for (const opts of [base58, base80]) {
    const half = opts.columns / 2;
    const doc: PrintDocument = {
      blocks: [
        { kind: 'text', text: '力美健身 ' + 'W'.repeat(half), align: 'center', bold: true, size: 2 },
        { kind: 'text', text: 'after', align: 'right' },
      ],
    };
    const bytes = encodeDocument(doc, opts);
    t.ok(bytes.includes(Buffer.from([0x1d, 0x21, 0x11])), 'GS ! 0x11');
    t.ok(bytes.includes(Buffer.from([0x1d, 0x21, 0x00])), 'back to normal size');
    t.notOk(bytes.includes(Buffer.from('  ')), 'no padding spaces: alignment is the printer’s');
    const d = decodeEscpos(bytes, opts);
    const big = d.paper.filter((p) => p.kind === 'text' && p.spans.some((s) => s.size === 2));
    t.equal(big.length, 2, `${opts.columns}: the title wraps at ${half} wide columns`);
    t.equal(d.lines[1], 'W '.repeat(half), 'a full double-size line fills the paper');
    t.equal(d.lines.at(-1)?.trimStart(), 'after');
  }
  t.end();
});

t.test('bold and alignment are sent only when they change; blank runs are one ESC d', (t) => {
  const doc: PrintDocument = {
    blocks: [
      { kind: 'text', text: 'a', bold: true },
      { kind: 'text', text: 'b', bold: true },
      { kind: 'feed', lines: 3 },
      { kind: 'text', text: 'c', align: 'center' },
      { kind: 'feed', lines: 1 },
    ],
  };
  t.equal(
    encodeDocument(doc, base58).toString('hex'),
    '1b401c26' + '1b4501' + '610a' + '620a' + '1b6403' + '1b6101' + '1b4500' + '630a' + '0a',
  );
  t.end();
});

t.test('the test decoder refuses what a printer would print wrong', (t) => {
  const o = { columns: 32 };
  const bad: [string, number[]][] = [
    ['unknown command', [0x1b, 0x40, 0x1b, 0x21, 0x00]],
    ['4-byte GB18030', [0x1c, 0x26, 0x81, 0x30, 0x84, 0x36, 0x0a]],
    ['GB outside Chinese mode', [0xa3, 0xa4, 0x0a]],
    ['ESC a mid-line', [0x41, 0x1b, 0x61, 0x01, 0x0a]],
    ['line too wide', [...Buffer.from('x'.repeat(33)), 0x0a]],
    ['unterminated line', [0x41]],
    ['stray control byte', [0x0d]],
    ['truncated command', [0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31]],
    ['QR print without data', [...cmd.qr('x', 3, 'L').subarray(0, 25), ...cmd.qr('x', 3, 'L').subarray(-8)]],
  ];
  for (const [name, bytes] of bad)
    t.throws(() => decodeEscpos(Buffer.from(bytes), o), EscposDecodeError, name);
  t.end();
});
