import t from 'tap';
import { readFileSync } from 'node:fs';
import { buildReceipt, formatLocalTime, type ReceiptOptions } from '../../agent/receipt/build.js';
import type { SaleRecord, SaleStatus } from '../../agent/payment/sale.js';
import { displayWidth } from '../../drivers/printer/layout.js';
import { renderText } from '../../drivers/printer/text-render.js';
import { receiptSale } from '../helpers/receipt-sale.js';

const FULL_CODE = '281234567890123456';
const STATUSES: SaleStatus[] = ['created', 'sent', 'succeeded', 'failed', 'pending', 'queued', 'refused'];
const UNRESOLVED: SaleStatus[] = ['created', 'sent', 'pending', 'queued'];

function sale(status: SaleStatus, extra: Partial<SaleRecord> = {}): SaleRecord {
  // The full code is kept on purpose: no receipt may print it.
  return receiptSale(status, { qrCode: FULL_CODE, ...extra });
}

function opts(extra: Partial<ReceiptOptions> = {}): ReceiptOptions {
  return { storeName: '力美健身 Lime Gym', language: 'zh', timeZone: 'Asia/Shanghai', demo: false, ...extra };
}

function render(s: SaleRecord, o: ReceiptOptions, cols: number): string[] {
  return renderText(buildReceipt(s, o), cols).trimEnd().split('\n');
}

/** The paper's lines without the simulator's frame. */
function paper(s: SaleRecord, o: ReceiptOptions, cols: number): string {
  return render(s, o, cols)
    .filter((l) => l.startsWith('| '))
    .map((l) => l.slice(2, -2).trimEnd())
    .join('\n');
}

t.test('every receipt renders to lines of equal width in both languages and paper widths', (t) => {
  const words = {
    zh: { succeeded: '成功', failed: '失败', pending: '处理中', queued: '离线受理', refused: '未受理' },
    en: { succeeded: 'Succeeded', failed: 'Failed', pending: 'Processing', queued: 'Accepted offline' },
  };
  for (const status of STATUSES) {
    for (const language of ['zh', 'en'] as const) {
      for (const cols of [32, 48]) {
        const ls = render(
          sale(status, { reason: 'declined by the payment service' }),
          opts({ language }),
          cols,
        );
        const name = `${status} ${language} ${cols}`;
        t.same(new Set(ls.map(displayWidth)), new Set([cols + 4]), name);
        const word = (words[language] as Partial<Record<SaleStatus, string>>)[status];
        if (word !== undefined)
          t.ok(
            ls.some((l) => l.includes(word)),
            `${name} says ${word}`,
          );
      }
    }
  }
  t.end();
});

t.test('an unresolved receipt never says failed, whatever the recorded reason', (t) => {
  for (const status of UNRESOLVED) {
    for (const language of ['zh', 'en'] as const) {
      const s = sale(status, {
        reason: 'connection failed after send',
        error: { subMsg: 'upstream failed' },
      });
      const text = render(s, opts({ language }), 32).join('\n');
      t.notOk(/失败|fail/i.test(text), `${status} ${language}`);
      t.notOk(/实付|Paid/.test(text), `${status} ${language} claims no amount charged`);
    }
  }
  t.ok(render(sale('pending'), opts(), 32).some((l) => l.includes('结果确认中，请保留小票')));
  t.match(
    paper(sale('pending'), opts({ language: 'en' }), 48).replace(/\s+/g, ' '),
    'Please keep this receipt',
  );
  t.ok(render(sale('queued'), opts({ language: 'en' }), 48).some((l) => l.includes('to be confirmed')));
  for (const status of ['pending', 'queued'] as const) {
    const zh = render(sale(status), opts({ supportText: '400-800-1234' }), 32).join('\n');
    t.match(zh, /确认后将打印结果通知/, `${status}: says a result receipt will follow`);
    t.match(zh, /咨询：400-800-1234/, `${status}: and where to ask`);
    t.notMatch(zh, /未扣款/, `${status}: never "not charged"`);
  }
  t.end();
});

t.test('the full payment code appears nowhere, not even when stored as the mask by mistake', (t) => {
  for (const s of [sale('succeeded'), sale('pending'), sale('failed', { codeMask: FULL_CODE })]) {
    const doc = buildReceipt(s, opts({ reprint: true }));
    for (const block of doc.blocks) t.notOk(JSON.stringify(block).includes(FULL_CODE), JSON.stringify(block));
    for (const cols of [32, 48]) t.notOk(renderText(doc, cols).includes(FULL_CODE));
    t.ok(renderText(doc, 32).includes('****3456'));
  }
  t.end();
});

t.test('the receipt carries the references, amounts and a QR code of the order', (t) => {
  const doc = buildReceipt(sale('succeeded', { result: { checkoutId: 'C1', currentPayFee: 1200 } }), opts());
  t.same(
    doc.blocks.filter((b) => b.kind === 'qr'),
    [{ kind: 'qr', data: 'K01202611251930050001' }],
  );
  t.same(doc.blocks.at(-1), { kind: 'cut' });
  t.equal(doc.blocks.at(-2)?.kind, 'feed');
  const text = renderText(doc, 48);
  for (const want of [
    '订单号',
    'K01202611251930050001',
    '收银单号',
    'C1',
    '金额',
    '￥12.50',
    '实付',
    '￥12.00',
  ]) {
    t.ok(text.includes(want), want);
  }
  t.notOk(text.includes('支付单号'), 'no payment order id when the gateway gave none');
  t.notOk(text.includes('\u00a5'), 'never the half-width yen');
  t.end();
});

t.test('failed and refused receipts say why in the member’s words, not charged, and what to do', (t) => {
  const text = (s: SaleRecord, language: 'zh' | 'en', cols = 48): string =>
    paper(s, opts({ language, supportText: language === 'zh' ? '请联系前台' : 'ask at the desk' }), cols);
  const cases: [SaleRecord, string, string][] = [
    [
      sale('refused', { reason: 'rate limited: App Call Limited · code 7' }),
      '支付服务繁忙',
      'The payment service is busy',
    ],
    [
      sale('refused', { reason: 'payment service unreachable; payment codes need the network' }),
      '网络不可用，付款码需联网使用',
      'No network: payment codes need the network',
    ],
    [
      sale('refused', { reason: 'offline: stored amount limit reached' }),
      '离线金额已满',
      'The offline amount limit is reached',
    ],
    [
      sale('failed', {
        reason: 'declined: 余额不足 · isv.balance-not-enough',
        error: { code: 15, subCode: 'isv.balance-not-enough', subMsg: '余额不足' },
      }),
      '余额不足 (balance-not-enough)',
      'Insufficient balance (balance-not-enough)',
    ],
    [
      sale('failed', {
        reason: 'declined (querystatus FAILED): 用户未确认支付',
        error: { subCode: 'BUYER_NOT_CONFIRMED' },
      }),
      '未在手机上确认支付 (BUYER_NOT_CONFIRMED)',
      'The payment was not confirmed on the phone (BUYER_NOT_CONFIRMED)',
    ],
    [
      sale('failed', {
        reason: 'declined: something new · isv.brand-new',
        error: { subCode: 'isv.brand-new' },
      }),
      '支付未成功 (brand-new)',
      'The payment was declined (brand-new)',
    ],
  ];
  for (const [s, zh, en] of cases) {
    const z = text(s, 'zh');
    const e = text(s, 'en');
    t.ok(z.replace(/\s+/g, '').includes(zh.replace(/\s+/g, '')), `zh: ${zh}`);
    t.ok(e.replace(/\s+/g, ' ').includes(en.replace(/\s+/g, ' ')), `en: ${en}`);
    t.match(z, /未扣款/);
    t.match(e, /Not charged/);
    t.match(z, /咨询：请联系前台/);
    t.match(s.status === 'failed' ? e : z, s.status === 'failed' ? /use another code/ : /请稍后再试/);
    // Chinese only and English only: no raw log wording, no letters of the other language.
    t.notMatch(z, /declined|rate limited|unreachable|App Call|Not charged/);
    t.notMatch(e, /[\u4e00-\u9fff]{2}.*(Reason|Not)|余额|网络|支付服务/);
  }
  t.end();
});

t.test('marks: reprint, copy, result update, unsynced clock, each in the receipt’s language only', (t) => {
  const plain = paper(sale('succeeded'), opts(), 32);
  t.notMatch(plain, /REPRINT|重印|副本|结果通知|时钟未同步/);
  const now = Date.UTC(2026, 10, 26, 1, 0, 0);
  const again = paper(sale('succeeded'), opts({ reprint: true, now, clockSynced: false }), 48);
  t.match(again, /^\s*重印\s*$/m);
  t.notMatch(again, /REPRINT|clock/);
  t.match(again, /重印时间\s+2026-11-26 09:00:00 \(UTC\+8\)/);
  t.match(again, /时钟未同步，时间可能不准/);
  t.match(paper(sale('succeeded'), opts({ copy: true }), 32), /^\s*副本\s*$/m);
  t.match(paper(sale('succeeded'), opts({ language: 'en', copy: true }), 32), /^\s*COPY\s*$/m);
  const result = paper(sale('succeeded'), opts({ result: true }), 48);
  t.match(result, /^\s*结果通知\s*$/m);
  t.match(result, /时间\s+2026-11-25 19:30:05 \(UTC\+8\)/, 'the original sale’s time');
  t.match(result, /结果时间\s+2026-11-25 19:30:07 \(UTC\+8\)/, 'and when it resolved');
  t.end();
});

t.test('a member code and a payment code are labelled as what they are', (t) => {
  t.match(paper(sale('succeeded', { codeKind: 'member' }), opts(), 32), /会员码\s+\*\*\*\*3456/);
  t.match(paper(sale('succeeded', { codeKind: 'payment' }), opts(), 32), /付款码\s+\*\*\*\*3456/);
  t.match(
    paper(sale('succeeded', { codeKind: 'member' }), opts({ language: 'en' }), 32),
    /Member code\s+\*\*\*\*3456/,
  );
  t.end();
});

t.test('the QR code has a blank line of quiet zone above and below', (t) => {
  const blocks = buildReceipt(sale('succeeded'), opts()).blocks;
  const i = blocks.findIndex((b) => b.kind === 'qr');
  t.same(blocks[i - 1], { kind: 'feed', lines: 1 });
  t.same(blocks[i + 1], { kind: 'feed', lines: 1 });
  t.end();
});

const DEMO_MARK = { zh: '演示 - 非真实交易', en: 'DEMO - not a real payment' } as const;

t.test('a demo receipt of every kind says so near the top and at the foot, in its language', (t) => {
  for (const status of STATUSES) {
    for (const language of ['zh', 'en'] as const) {
      for (const reprint of [false, true]) {
        const name = `${status} ${language}${reprint ? ' reprint' : ''}`;
        const doc = buildReceipt(sale(status), opts({ language, reprint, demo: true }));
        const marks = doc.blocks.flatMap((b, i) =>
          b.kind === 'text' && b.text === DEMO_MARK[language] ? [i] : [],
        );
        t.same(marks.length, 2, `${name}: two marks`);
        t.equal(marks[0], 1, `${name}: the first right under the store name`);
        t.match(doc.blocks[1], { kind: 'text', align: 'center', bold: true }, `${name}: centred, bold`);
        const afterQr = doc.blocks.findIndex((b) => b.kind === 'qr');
        t.ok((marks[1] ?? 0) > afterQr, `${name}: the second after the QR code`);
        for (const cols of [32, 48]) {
          const ls = renderText(doc, cols).split('\n');
          t.ok(
            ls.slice(0, 4).some((l) => l.includes(DEMO_MARK[language])),
            `${name} ${cols}: within the first lines on paper`,
          );
        }
        t.notOk(JSON.stringify(doc).includes('\u00b7'), `${name}: no middle dot (prints as ".")`);
        const real = buildReceipt(sale(status), opts({ language, reprint, demo: false }));
        const text = renderText(real, 48);
        t.notOk(
          text.includes(DEMO_MARK.zh) || text.includes(DEMO_MARK.en),
          `${name}: a real receipt has no mark`,
        );
      }
    }
  }
  t.end();
});

t.test('local time is formatted in the configured zone with a 00 hour at midnight', (t) => {
  t.equal(formatLocalTime(Date.UTC(2026, 10, 25, 16, 0, 9), 'Asia/Shanghai'), '2026-11-26 00:00:09');
  t.equal(formatLocalTime(Date.UTC(2026, 0, 2, 3, 4, 5), 'UTC'), '2026-01-02 03:04:05');
  t.throws(() => formatLocalTime(0, 'Mars/Olympus'), RangeError);
  t.end();
});

t.test('the successful Chinese 58 mm receipt matches the golden copy', (t) => {
  const golden = readFileSync(new URL('../fixtures/receipts/success-zh-32.txt', import.meta.url), 'utf8');
  t.equal(renderText(buildReceipt(sale('succeeded'), opts()), 32), golden);
  t.end();
});
