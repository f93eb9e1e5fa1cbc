/**
 * The embedded sandbox's book on disk (agent/sandbox/book-file.ts): a book reloaded from the file
 * knows the payments made before (a pending one resolves when its time comes) and goes on with
 * their numbering; the file never holds a payment code; an unreadable book is set aside, never
 * deleted. Real files; the payment book is the real one.
 */
import t from 'tap';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BookFile, loadBook } from '../../agent/sandbox/book-file.js';
import type { PayParams } from '../../agent/sandbox/param0.js';
import { PaymentBook, type BookSnapshot, type Payment } from '../../agent/sandbox/payments.js';
import { toPersonality } from '../../agent/sandbox/personality.js';

function book(now: () => number, initial?: BookSnapshot): PaymentBook {
  return new PaymentBook({
    now,
    pendingMs: 4_000,
    takePendingThen: () => undefined,
    personality: () => toPersonality('today'),
    ...(initial !== undefined && { initial }),
  });
}

function params(n: number, qrCode: string): PayParams {
  const fields = { nego_price: '3900', qr_code: qrCode, request_id: `R${n}`, out_biz_id: `O${n}` };
  return {
    negoPrice: '3900',
    amountFen: 3900,
    qrCode,
    requestId: `R${n}`,
    outBizId: `O${n}`,
    cashierName: '张丽',
    cashierId: '346753',
    storeId: '333333',
    canonical: JSON.stringify(fields),
  };
}

function paid(r: ReturnType<PaymentBook['pay']>): Payment {
  if (r.kind !== 'payment') throw new Error(`expected a payment, got ${JSON.stringify(r)}`);
  return r.payment;
}

t.test('a reloaded book resolves its pending payment and never reuses a number', (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'sandbox-book.json');
  let now = Date.UTC(2026, 11, 4, 13, 0, 0);
  const first = book(() => now);
  const file = new BookFile(path);
  // A code ending 0000: pending for pendingMs, then paid.
  const pending = paid(first.pay(params(1, '281234567890120000')));
  t.equal(pending.status, 'PROCESSING');
  file.save(first.snapshot());

  now += 5_000;
  const loaded = loadBook(path);
  t.ok(loaded.book, 'the book was read back');
  const second = book(() => now, loaded.book);
  const found = second.query({ checkoutId: pending.checkoutId });
  t.equal('status' in found ? found.status : found.code, 'SUCCEEDED', 'the pending payment resolved');
  t.equal(second.ledger.count('O1'), 1, 'charged once');
  const replay = second.pay(params(1, '281234567890120000'));
  t.equal(replay.kind === 'payment' && replay.replay, true, 'its request_id is still known');
  const next = paid(second.pay(params(2, '281234567890129876')));
  t.not(next.paymentOrderId, pending.paymentOrderId, 'a new number after the restart');
  t.not(next.checkoutId, pending.checkoutId);
  file.save(second.snapshot());
  t.notMatch(readFileSync(path, 'utf8'), /2812345678901/, 'no payment code in the file');
  t.notOk(existsSync(`${path}.tmp`), 'no temporary file left behind');
  t.end();
});

t.test('a book that cannot be read is set aside and a new one starts', (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'sandbox-book.json');
  writeFileSync(path, '{"version":1,"seq":');
  const r = loadBook(path, () => 42);
  t.equal(r.book, undefined);
  t.equal(r.setAside, `${path}.unreadable-42`);
  t.same(readdirSync(dir), ['sandbox-book.json.unreadable-42'], 'kept under a new name');
  t.same(loadBook(join(dir, 'missing.json')), {}, 'a missing book is simply none');
  t.end();
});
