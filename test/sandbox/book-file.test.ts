/**
 * The embedded sandbox's book on disk (agent/sandbox/book-file.ts): a book reloaded from the file
 * knows the payments made before (a pending one resolves when its time comes) and goes on with
 * their numbering; the file never holds a payment code; an unreadable book is set aside, never
 * deleted. Real files; the payment book is the real one.
 */
import t, { type Test } from 'tap';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

const T0 = Date.UTC(2026, 11, 4, 13, 0, 0);

/** The test's own book file, and a payment book on a clock the test moves (`clock.now`). */
function scene(t: Test) {
  const dir = t.testdir({});
  const path = join(dir, 'sandbox-book.json');
  const clock = { now: T0 };
  return { dir, path, clock, b: book(() => clock.now), file: new BookFile(path) };
}

t.test('a reloaded book resolves its pending payment and never reuses a number', (t) => {
  const { path, clock, b: first, file } = scene(t);
  // A code ending 0000: pending for pendingMs, then paid.
  const pending = paid(first.pay(params(1, '281234567890120000')));
  t.equal(pending.status, 'PROCESSING');
  file.save(first);

  clock.now += 5_000;
  const loaded = loadBook(path);
  t.ok(loaded.book, 'the book was read back');
  const second = book(() => clock.now, loaded.book);
  const found = second.query({ checkoutId: pending.checkoutId });
  t.equal('status' in found ? found.status : found.code, 'SUCCEEDED', 'the pending payment resolved');
  t.equal(second.ledger.count('O1'), 1, 'charged once');
  const replay = second.pay(params(1, '281234567890120000'));
  t.equal(replay.kind === 'payment' && replay.replay, true, 'its request_id is still known');
  const next = paid(second.pay(params(2, '281234567890129876')));
  t.not(next.paymentOrderId, pending.paymentOrderId, 'a new number after the restart');
  t.not(next.checkoutId, pending.checkoutId);
  file.save(second);
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

t.test('each call appends only what it changed; the book read back is the same book', (t) => {
  const { path, clock, b, file } = scene(t);
  file.save(b); // the first save writes the whole (empty) book
  const sizes: number[] = [];
  for (let n = 1; n <= 200; n += 1) {
    paid(b.pay(params(n, `28123456789012${String(1000 + n)}`)));
    file.save(b);
    sizes.push(statSync(path).size);
  }
  const growth = sizes.slice(1).map((s, i) => s - (sizes[i] ?? 0));
  t.ok(Math.max(...growth) < 2_000, `a call appends its own records only (largest ${Math.max(...growth)} B)`);
  t.equal(readFileSync(path, 'utf8').split('\n').length, 202, 'one line per call after the first');
  file.save(b);
  t.equal(readFileSync(path, 'utf8').split('\n').length, 202, 'nothing changed, nothing written');

  // A pending payment that resolves later is a changed record too.
  const pending = paid(b.pay(params(500, '281234567890120000')));
  file.save(b);
  clock.now += 5_000;
  b.settleDue();
  file.save(b);
  const loaded = loadBook(path);
  t.same(loaded.book, b.snapshot(), 'the journal read back is the whole book');
  const again = book(() => clock.now, loaded.book);
  const found = again.query({ checkoutId: pending.checkoutId });
  t.equal('status' in found ? found.status : found.code, 'SUCCEEDED');
  t.equal(again.ledger.charges, 201, 'every charge is in the book read back');
  t.end();
});

t.test('the journal is compacted when it outgrows the book, and at the first save', (t) => {
  const { path, clock, b, file } = scene(t);
  // A compaction renames a new file over the journal: a new inode.
  let inode = 0;
  let compactions = 0;
  for (let n = 1; n <= 6_000; n += 1) {
    b.pay(params(n, `28123456789${String(1_000_000 + n)}`));
    file.save(b);
    const { ino } = statSync(path);
    if (ino !== inode && n > 1) compactions += 1;
    inode = ino;
  }
  t.ok(compactions >= 1, `compacted ${compactions} times over 6,000 calls`);
  t.ok(compactions <= 4, 'but not on every call (the appended lines must outgrow the book first)');
  t.same(loadBook(path).book, b.snapshot(), 'the compacted journal is the same book');

  const reopened = new BookFile(path);
  const loaded = book(() => clock.now, loadBook(path).book);
  reopened.save(loaded);
  t.equal(readFileSync(path, 'utf8').split('\n').length, 2, 'a new start compacts to one line');
  t.notOk(existsSync(`${path}.tmp`), 'no temporary file left behind');
  t.end();
});

t.test('a last line cut short by a quit is dropped; damage before it sets the book aside', (t) => {
  const { path, clock, b, file } = scene(t);
  paid(b.pay(params(1, '281234567890121111')));
  file.save(b);
  const one = paid(b.pay(params(2, '281234567890122222')));
  file.save(b);
  const whole = readFileSync(path, 'utf8');
  const lastLine = whole.slice(whole.lastIndexOf('\n', whole.length - 2) + 1);
  writeFileSync(path, whole.slice(0, whole.length - Math.floor(lastLine.length / 2)));

  const torn = loadBook(path);
  t.equal(torn.droppedTail, true, 'reported');
  const back = book(() => clock.now, torn.book);
  const q = back.query({ checkoutId: one.checkoutId });
  t.equal('status' in q ? q.status : q.subCode, 'isv.checkout-not-exist', 'the cut call is not in the book');
  t.equal(back.ledger.count('O1'), 1, 'the call before it is');
  const again = new BookFile(path);
  again.save(back);
  t.notOk(loadBook(path).droppedTail, 'the next save writes a whole journal again');

  writeFileSync(path, `${whole.split('\n')[0]}\nnot json\n${whole.split('\n')[1]}\n`);
  const r = loadBook(path, () => 7);
  t.equal(r.book, undefined, 'a damaged line in the middle is not guessed around');
  t.equal(r.setAside, `${path}.unreadable-7`);
  t.end();
});

t.test('a book written whole as one line by an older simulator still loads', (t) => {
  const { path, b } = scene(t);
  paid(b.pay(params(1, '281234567890121111')));
  writeFileSync(path, JSON.stringify(b.snapshot())); // no trailing newline, as BookFile once wrote it
  t.same(loadBook(path).book, b.snapshot());
  t.end();
});

t.test('a save that fails loses nothing: the next one writes the whole book', (t) => {
  const { path, clock, b, file } = scene(t);
  paid(b.pay(params(1, '281234567890121111')));
  file.save(b);
  // The journal cannot be appended to (here: a directory where the file was; a full disk alike).
  rmSync(path);
  mkdirSync(path);
  const lost = paid(b.pay(params(2, '281234567890122222')));
  t.throws(() => file.save(b), { code: 'EISDIR' }, 'the failure is not hidden');
  rmSync(path, { recursive: true });
  paid(b.pay(params(3, '281234567890123333')));
  file.save(b);
  const back = book(() => clock.now, loadBook(path).book);
  const q = back.query({ checkoutId: lost.checkoutId });
  t.equal('status' in q ? q.status : q.subCode, 'SUCCEEDED', 'the payment whose save failed is on disk');
  t.equal(back.ledger.charges, 3);
  t.end();
});
