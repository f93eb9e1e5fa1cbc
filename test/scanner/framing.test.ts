/**
 * The scanner's framing rules and line splitter, without a port: every reject reason, every way a
 * line can be cut into chunks, the byte cap and the stale-fragment timeout.
 */
import t from 'tap';
import { LineValidator, RejectTally, type FramingRules } from '../../drivers/scanner/framing.js';
import { LineSplitter, type SplitEvent } from '../../drivers/scanner/line-splitter.js';

const PRINTABLE = /^[\x21-\x7e]+$/;
const rules = (over: Partial<FramingRules> = {}): FramingRules => ({
  minLength: 4,
  maxLength: 12,
  allowed: PRINTABLE,
  ...over,
});
const check = (line: string | Buffer, over: Partial<FramingRules> = {}) =>
  new LineValidator(rules(over)).check(typeof line === 'string' ? Buffer.from(line) : line);
const reason = (line: string | Buffer, over: Partial<FramingRules> = {}): string => {
  const v = check(line, over);
  return v.ok ? `ok:${v.code}` : v.reason;
};

/** Lines as strings, drops as "<reason>:<length>". */
function show(events: SplitEvent[]): string[] {
  return events.map((e) => (e.kind === 'line' ? e.bytes.toString('utf8') : `${e.reason}:${e.length}`));
}

t.test('a plain code is accepted unchanged', (t) => {
  t.same(check('PAY:1234'), { ok: true, code: 'PAY:1234' });
  t.end();
});

t.test('every reject reason the validator gives', (t) => {
  t.equal(reason(''), 'empty');
  t.equal(reason('ABC'), 'too-short');
  t.equal(reason('A'.repeat(13)), 'too-long');
  t.equal(reason('PAY 1234'), 'charset', 'a space is noise unless allowed');
  t.equal(reason(' PAY1234'), 'charset', 'surrounding whitespace is not trimmed');
  t.equal(reason('PAY1234\t'), 'charset');
  t.equal(reason('\x1b[0mPAY1234'), 'charset', 'control sequences');
  t.equal(reason(Buffer.from([0xff, 0xfe, 0x41, 0x42, 0x43, 0x44])), 'not-utf8');
  t.equal(reason(Buffer.from([0x41, 0x42, 0x43, 0x44, 0xe4, 0xbb])), 'not-utf8', 'truncated sequence');
  t.equal(reason(Buffer.from([0x41, 0x42, 0x43, 0xc0, 0x80])), 'not-utf8', 'overlong encoding');
  t.equal(
    reason(Buffer.from([0xef, 0xbb, 0xbf, 0x41, 0x42, 0x43, 0x44])),
    'charset',
    'a BOM is not stripped',
  );
  t.equal(reason('1234', { prefix: 'PAY:' }), 'framing', 'configured prefix missing');
  t.equal(reason('PAY:1234', { suffix: '#' }), 'framing', 'configured suffix missing');
  t.end();
});

t.test('length limits apply to the code after stripping, inclusive', (t) => {
  t.equal(reason('ABC'), 'too-short');
  t.equal(reason('ABCD'), 'ok:ABCD', 'exactly minLength');
  t.equal(reason('A'.repeat(12)), `ok:${'A'.repeat(12)}`, 'exactly maxLength');
  t.equal(reason('A'.repeat(13)), 'too-long', 'maxLength + 1');
  t.equal(reason('<<ABCD>>', { prefix: '<<', suffix: '>>' }), 'ok:ABCD');
  t.equal(reason('<<ABC>>', { prefix: '<<', suffix: '>>' }), 'too-short', 'frame not counted');
  t.equal(reason(`<<${'A'.repeat(12)}>>`, { prefix: '<<', suffix: '>>' }), `ok:${'A'.repeat(12)}`);
  t.equal(reason('<<>>', { prefix: '<<', suffix: '>>' }), 'too-short', 'a frame with nothing in it');
  t.end();
});

t.test('prefix and suffix are stripped once, and must both be present', (t) => {
  const frame = { prefix: 'QR:', suffix: ';' };
  t.equal(reason('QR:12345678;', frame), 'ok:12345678');
  t.equal(reason('QR:QR:1234;', frame), 'ok:QR:1234', 'only one prefix is stripped');
  t.equal(reason('12345678;', frame), 'framing');
  t.equal(reason('QR:12345678', frame), 'framing');
  t.equal(reason('QR;', { prefix: 'QR', suffix: 'R;' }), 'framing', 'prefix and suffix cannot overlap');
  t.equal(reason('12345678', { prefix: '' }), 'ok:12345678', 'an empty prefix means none');
  t.end();
});

t.test('charset: the pattern is anchored and stateless', (t) => {
  t.equal(reason('12a45', { allowed: /[0-9]+/ }), 'charset', 'unanchored config still tests the whole code');
  const v = new LineValidator(rules({ allowed: /[0-9]+/g }));
  const line = Buffer.from('123456');
  t.same([v.check(line).ok, v.check(line).ok, v.check(line).ok], [true, true, true], 'g flag ignored');
  t.end();
});

t.test('multi-byte UTF-8 codes count characters, not bytes', (t) => {
  const allowed = /^[\x21-\x7e\u4e00-\u9fff\u{1f600}]+$/u;
  t.equal(reason('付款码1234', { allowed }), 'ok:付款码1234');
  t.equal(reason('付款码1234'.padEnd(12, '码'), { allowed }), `ok:${'付款码1234'.padEnd(12, '码')}`);
  t.equal(reason('付款码1234'.padEnd(13, '码'), { allowed }), 'too-long');
  t.equal(reason('\u{1f600}\u{1f600}\u{1f600}\u{1f600}', { allowed }), 'ok:😀😀😀😀', 'astral = 1 each');
  t.equal(reason('付款码1234'), 'charset', 'outside an ASCII charset');
  t.end();
});

t.test('rules that could never accept a code are refused at construction', (t) => {
  t.throws(() => new LineValidator(rules({ minLength: 0 })), RangeError);
  t.throws(() => new LineValidator(rules({ minLength: 5, maxLength: 4 })), RangeError);
  t.throws(() => new LineValidator(rules({ maxLength: 1.5 })), RangeError);
  t.throws(() => new LineValidator(rules({ suffix: '\r' })), RangeError);
  t.throws(() => new LineSplitter({ maxLineBytes: 0, staleMs: 100 }), RangeError);
  t.throws(() => new LineSplitter({ maxLineBytes: 10, staleMs: 0 }), RangeError);
  t.end();
});

t.test('the byte cap covers the frame and four bytes per character', (t) => {
  t.equal(new LineValidator(rules({ prefix: 'QR:', suffix: '付' })).maxLineBytes, 3 + 3 + 12 * 4);
  t.end();
});

const SAMPLE = Buffer.from('PAY:付款1234\r\nA😀BCD\rlast\n');
const SAMPLE_LINES = ['PAY:付款1234', 'A😀BCD', 'last'];
const splitter = () => new LineSplitter({ maxLineBytes: 64, staleMs: 1000 });

t.test('a sample cut into two chunks at every byte position gives the same lines', (t) => {
  for (let i = 0; i <= SAMPLE.length; i += 1) {
    const s = splitter();
    const lines = [...s.push(SAMPLE.subarray(0, i), 0), ...s.push(SAMPLE.subarray(i), 1)];
    t.same(show(lines), SAMPLE_LINES, `cut at byte ${i}`);
    t.equal(s.pending, false);
  }
  t.end();
});

t.test('the sample fed one byte at a time gives the same lines', (t) => {
  const s = splitter();
  const lines = [...SAMPLE].flatMap((byte, i) => s.push(Buffer.from([byte]), i));
  t.same(show(lines), SAMPLE_LINES);
  t.end();
});

t.test('CR, LF and CRLF all end a line; CRLF is one terminator even across chunks', (t) => {
  t.same(show(splitter().push(Buffer.from('AAAA\r\nBBBB\r\n'), 0)), ['AAAA', 'BBBB'], 'no empty line');
  t.same(show(splitter().push(Buffer.from('AAAA\rBBBB\nCCCC\r\n'), 0)), ['AAAA', 'BBBB', 'CCCC']);
  const s = splitter();
  t.same(show(s.push(Buffer.from('AAAA\r'), 0)), ['AAAA'], 'a line is emitted at CR without waiting');
  t.same(show(s.push(Buffer.from('\nBBBB\r'), 5)), ['BBBB'], 'the LF of a split CRLF is swallowed');
  t.same(show(splitter().push(Buffer.from('AAAA\n\rBBBB\r'), 0)), ['AAAA', '', 'BBBB'], 'LF CR is two');
  t.same(show(splitter().push(Buffer.from('\r\n\r\n\n'), 0)), ['', '', ''], 'blank lines are reported empty');
  t.end();
});

t.test('a line of exactly maxLineBytes passes; one byte more is dropped whole', (t) => {
  const s = new LineSplitter({ maxLineBytes: 8, staleMs: 1000 });
  t.same(show(s.push(Buffer.from('12345678\r'), 0)), ['12345678']);
  t.same(show(s.push(Buffer.from('123456789\r'), 1)), ['too-long:9']);
  t.same(show(s.push(Buffer.from('GOOD1\r'), 2)), ['GOOD1'], 'the next line is intact');
  t.end();
});

t.test('an over-long line is discarded up to its terminator, never truncated into a code', (t) => {
  const s = new LineSplitter({ maxLineBytes: 8, staleMs: 1000 });
  const events = [
    ...s.push(Buffer.from('A'.repeat(5000)), 0),
    ...s.push(Buffer.from('B'.repeat(5000)), 1),
    ...s.push(Buffer.from('CCCC\rNEXT\r'), 2),
  ];
  t.same(show(events), ['too-long:10004', 'NEXT']);
  const drop = events[0];
  t.ok(drop?.kind === 'drop' && drop.sample.length === 8, 'holds at most the cap');
  t.end();
});

t.test('a fragment idle for staleMs is dropped; a shorter pause still joins the line', (t) => {
  const s = splitter();
  t.same(show(s.push(Buffer.from('PAY:12'), 0)), []);
  t.equal(s.staleAt(), 1000);
  t.same(show(s.expire(999)), [], 'not yet stale');
  t.same(show(s.push(Buffer.from('34'), 999)), [], 'a pause just under staleMs');
  t.same(show(s.push(Buffer.from('56\r'), 1998)), ['PAY:123456'], 'measured from the last byte');

  t.same(show(s.push(Buffer.from('NOISE'), 3000)), []);
  t.same(show(s.expire(4000)), ['stale:5']);
  t.equal(s.pending, false);
  t.equal(s.staleAt(), undefined);
  t.same(show(s.push(Buffer.from('NOISE'), 5000)), []);
  t.same(show(s.push(Buffer.from('PAY:9999\r'), 6000)), ['stale:5', 'PAY:9999'], 'noise never glues on');
  t.end();
});

t.test('an over-long line that stops without a terminator is counted too-long, then forgotten', (t) => {
  const s = new LineSplitter({ maxLineBytes: 8, staleMs: 100 });
  t.same(show(s.push(Buffer.alloc(5000, 0x41), 0)), []);
  t.same(show(s.push(Buffer.from('PAY:1234\r'), 100)), ['too-long:5000', 'PAY:1234']);
  t.end();
});

t.test('reset drops what is held, including a pending CR', (t) => {
  const s = splitter();
  s.push(Buffer.from('AAAA\rPAY:12'), 0);
  t.equal(s.reset(), 6);
  t.equal(s.pending, false);
  t.same(show(s.push(Buffer.from('\n34\r'), 1)), ['', '34'], 'the LF after reset is a line end of its own');
  t.equal(s.reset(), 0);
  t.end();
});

t.test('rejects are all counted but logged at most once per reason per window', (t) => {
  const tally = new RejectTally(10_000);
  t.equal(tally.record('charset', 0), 0, 'the first is logged');
  t.equal(tally.record('charset', 1), undefined);
  t.equal(tally.record('charset', 9_999), undefined);
  t.equal(tally.record('too-long', 5_000), 0, 'each reason has its own window');
  t.equal(tally.record('charset', 10_000), 2, 'the next window reports how many were folded');
  t.equal(tally.record('charset', 10_001), undefined);
  t.equal(tally.record('charset', 30_000), 1);
  t.match(tally.counts, { charset: 6, 'too-long': 1, empty: 0, stale: 0 });
  t.end();
});
