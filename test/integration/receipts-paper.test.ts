/**
 * What the paper says, read back from the printer's bytes: the built daemon with a serial scanner on
 * a socat pty, an evdev keypad on a FIFO and a file printer, in Chinese on 58 mm paper and in English
 * on 80 mm. Every receipt is decoded by the test's ESC/POS decoder (which throws on any command it
 * does not know) and checked for what a member must read: the status the ledger holds, "not
 * charged" when nothing was, what happens next, the right code label, a copy marked as a copy.
 */
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { killAllChildren } from '../chaos/procs.js';
import { readLedger } from '../chaos/ledger.js';
import { displayWidth } from '../../drivers/printer/layout.js';
import { DaemonKiosk } from '../helpers/daemon-kiosk.js';
import { socatAvailable } from '../helpers/pty-pair.js';

const MAIN = new URL('../../dist/agent/main.js', import.meta.url).pathname;
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);
if (!socatAvailable()) throw new Error('socat is missing: make test installs it (make sysdeps)');

t.setTimeout(300_000);
t.teardown(killAllChildren);

const WORDS = {
  zh: {
    ok: '成功',
    failed: '失败',
    pending: '处理中',
    refused: '未受理',
    queued: '离线受理',
    notCharged: '未扣款',
    follows: '确认后将打印结果通知',
    result: '结果通知',
    copy: '副本',
    paymentCode: '付款码',
    memberCode: '会员码',
    declinedWhy: '余额不足',
    offlineWhy: '网络不可用，付款码需联网使用',
    support: '咨询：请联系前台',
  },
  en: {
    ok: 'Succeeded',
    failed: 'Failed',
    pending: 'Processing',
    refused: 'Not accepted',
    queued: 'Accepted offline',
    notCharged: 'Not charged',
    follows: 'A result receipt will follow.',
    result: 'RESULT UPDATE',
    copy: 'COPY',
    paymentCode: 'Payment code',
    memberCode: 'Member code',
    declinedWhy: 'Insufficient balance',
    offlineWhy: 'No network: payment codes need the network',
    support: 'Help: ask at the desk',
  },
} as const;

type Lang = keyof typeof WORDS;

/** One printed receipt: its lines (frame-free) and the order its QR code names. */
interface Paper {
  text: string;
  order: string | undefined;
}

function papers(k: DaemonKiosk): Paper[] {
  return k.receipts().map((r) => ({ text: r.lines.join('\n'), order: r.order }));
}

function of(k: DaemonKiosk, outBizId: string): Paper[] {
  return papers(k).filter((p) => p.order === outBizId);
}

/** The sale's receipts once at least `n` are out (the kiosk prints right after the result). */
async function printed(k: DaemonKiosk, outBizId: string, n = 1, ms = 15_000): Promise<Paper[]> {
  try {
    await k.until(`${n} receipt(s) for ${outBizId}`, ms, () => of(k, outBizId).length >= n);
  } catch (e) {
    const mine = k.lines.filter((l) => JSON.stringify(l).includes(outBizId) || l['saleId'] !== undefined);
    throw new Error(
      `${String(e)}\nlog: ${mine
        .slice(-40)
        .map((l) => JSON.stringify(l))
        .join('\n')}`,
      { cause: e },
    );
  }
  return of(k, outBizId);
}

/** Collapses the paper's wrapping, so a sentence split over two lines still reads as one. */
function flat(p: Paper | undefined): string {
  return (p?.text ?? '').replace(/\s+/g, ' ');
}

function outBizIdOf(k: DaemonKiosk, saleId: string): string {
  const line = k.lines.find((l) => l.msg === 'sale recorded' && l['saleId'] === saleId);
  return String(line?.['outBizId']);
}

async function kiosk(t: Test, language: Lang, columns: 32 | 48, supportText: string): Promise<DaemonKiosk> {
  const k = await DaemonKiosk.start(
    MAIN,
    { personality: 'today' },
    { language, columns, offline: true, supportText },
  );
  t.teardown(() => k.close());
  return k;
}

const RUNS = (process.env['RECEIPT_LANGS'] ?? 'zh,en').split(',');
for (const [language, columns] of [
  ['zh', 32],
  ['en', 48],
] as const) {
  if (!RUNS.includes(language)) continue;
  t.test(`${language} on ${columns} columns: every kind of receipt tells the truth`, async (t) => {
    const w = WORDS[language];
    const k = await kiosk(t, language, columns, language === 'zh' ? '请联系前台' : 'ask at the desk');
    const lineWidth = (p: Paper): number => Math.max(...p.text.split('\n').map(displayWidth));

    t.test('paid: the status, the amount, the payment code label, the time with its zone', async (t) => {
      const sold = await k.sell('281234567890123456');
      const [p] = await printed(k, sold.outBizId);
      t.match(flat(p), new RegExp(w.ok));
      t.match(flat(p), new RegExp(`${w.paymentCode} \\*\\*\\*\\*3456`));
      t.match(flat(p), /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+8\)/);
      t.notMatch(flat(p), new RegExp(w.notCharged));
      t.ok(p !== undefined && lineWidth(p) <= columns, 'no line wider than the paper');
    });

    t.test('declined: why in the member’s words, not charged, what to do', async (t) => {
      const sold = await k.sell('F2345678901');
      const p = flat((await printed(k, sold.outBizId))[0]);
      t.match(p, new RegExp(w.failed));
      t.match(p, new RegExp(w.declinedWhy));
      t.match(p, new RegExp(w.notCharged));
      t.match(p, new RegExp(w.support));
      t.notMatch(p, /isv\.|declined:|·/, 'no raw gateway wording, no middle dot');
    });

    t.test('pending at the kiosk, resolved in the background: a result receipt follows', async (t) => {
      // The next payment stays pending through the member's wait (about 5 checks) and a little more.
      await k.sandbox.control.inject([{ kind: 'pending-then', polls: 7, outcome: 'success' }]);
      const sold = await k.sell('281234567890123499');
      t.equal(sold.shown, 'pending');
      const [first, second] = await printed(k, sold.outBizId, 2, 90_000);
      t.match(flat(first), new RegExp(w.pending));
      t.match(flat(first), new RegExp(w.follows.replace('.', '\\.')));
      t.match(flat(first), new RegExp(w.support));
      t.notMatch(flat(first), new RegExp(`${w.failed}|${w.notCharged}`));
      t.match(flat(second), new RegExp(w.result));
      t.match(flat(second), new RegExp(w.ok));
      t.equal(readLedger(k.files.stateDir).sales.get(sold.outBizId)?.status, 'succeeded');
    });

    t.test('a crash before the reply: after the restart the only receipt says paid', async (t) => {
      // The gateway holds the request; the daemon dies right after recording it; the gateway charges.
      await k.sandbox.control.inject([{ kind: 'delay', ms: 1_500, method: 'pay' }]);
      const killed = k.killOn((l) => l.msg === 'sale recorded');
      const saleId = await k.begin('281234567890123477');
      await killed;
      const outBizId = outBizIdOf(k, saleId);
      await k.restart();
      const ps = await printed(k, outBizId, 1, 30_000);
      t.equal(ps.length, 1, 'one receipt');
      t.match(flat(ps.at(-1)), new RegExp(w.ok), 'and it says paid: recovery resolved before printing');
      t.notMatch(flat(ps.at(-1)), new RegExp(w.pending));
    });

    t.test('a crash while printing: the receipt printed again is marked a copy', async (t) => {
      const killed = k.killOn((l) => l.msg === 'printing receipt');
      const saleId = await k.begin('281234567890123488');
      await killed;
      const outBizId = outBizIdOf(k, saleId);
      const before = of(k, outBizId).length;
      await k.restart();
      const ledger = (): string | undefined => readLedger(k.files.stateDir).sales.get(outBizId)?.status;
      await k.until('the sale to be final', 30_000, () => ledger() === 'succeeded');
      // Whether the bytes reached the paper before the kill cannot be known after it, so every paper
      // the restart prints for that receipt is marked a copy; and one is printed at least.
      await k.until('the receipt owed', 30_000, () => of(k, outBizId).length >= 1);
      const ps = of(k, outBizId);
      t.comment(`papers for the sale: ${ps.length}, ${before} of them before the restart`);
      const copy = new RegExp(`^\\s*${w.copy}\\s*$`, 'm');
      for (const p of ps.slice(before)) t.match(p.text, copy, `printed after the restart: marked ${w.copy}`);
      for (const p of ps) t.match(flat(p), new RegExp(w.ok));
      t.ok(ps.filter((p) => !copy.test(p.text)).length <= 1, 'never two unmarked originals');
    });

    t.test(
      'the gateway unreachable: a payment code is refused, a member code queued, then forwarded',
      async (t) => {
        const port = await k.stopGateway();
        const refused = await k.sell('281234567890123466');
        t.equal(refused.shown, 'refused');
        const r = flat((await printed(k, refused.outBizId))[0]);
        t.match(r, new RegExp(w.refused));
        t.match(r, new RegExp(w.offlineWhy));
        t.match(r, new RegExp(w.notCharged));

        const member = await k.sell('M12345678');
        t.equal(member.shown, 'queued');
        const q = flat((await printed(k, member.outBizId))[0]);
        t.match(q, new RegExp(w.queued));
        t.match(q, new RegExp(`${w.memberCode} \\*\\*\\*\\*5678`));
        t.match(q, new RegExp(w.follows.replace('.', '\\.')));

        await k.startGateway(port);
        await k.until('the forwarded result', 90_000, () => of(k, member.outBizId).length >= 2);
        const update = flat(of(k, member.outBizId)[1]);
        t.match(update, new RegExp(w.result));
        t.match(update, new RegExp(w.ok));
        t.match(update, new RegExp(`${w.memberCode} \\*\\*\\*\\*5678`));
      },
    );
  });
}
