import t from 'tap';
import {
  STATUS_REQUESTS,
  UNKNOWN_STATUS,
  blockingCause,
  isStatusByte,
  parseStatus,
  statusRequest,
} from '../../drivers/printer/escpos-status.js';

/** A healthy printer: only the fixed bits (1 and 4) set. */
const OK = 0x12;

t.test('DLE EOT n is 10 04 n for n = 1..4', (t) => {
  t.same(
    STATUS_REQUESTS.map((n) => statusRequest(n).toString('hex')),
    ['100401', '100402', '100403', '100404'],
  );
  t.end();
});

t.test('a healthy printer reads as ok, cover closed, online, no error', (t) => {
  t.same(parseStatus({ 1: OK, 2: OK, 3: OK, 4: OK }), {
    paper: 'ok',
    coverOpen: false,
    offline: false,
    error: false,
  });
  t.end();
});

t.test(
  'paper: n = 4 bits 5-6 out, bits 2-3 near end; n = 2 bit 5 (stopped by paper end) also means out',
  (t) => {
    t.equal(parseStatus({ 4: OK | 0x60 }).paper, 'out');
    t.equal(parseStatus({ 4: OK | 0x0c }).paper, 'near-end');
    t.equal(parseStatus({ 4: OK | 0x0c | 0x60 }).paper, 'out', 'out wins over near end');
    t.equal(parseStatus({ 2: OK | 0x20 }).paper, 'out', 'no roll sensor byte needed');
    t.equal(parseStatus({ 1: OK, 2: OK }).paper, 'unknown', 'no n = 4 reply: unknown');
    t.end();
  },
);

t.test('cover, offline and error bits', (t) => {
  t.equal(parseStatus({ 2: OK | 0x04 }).coverOpen, true);
  t.equal(parseStatus({ 2: OK }).coverOpen, false);
  t.equal(parseStatus({ 1: OK | 0x08 }).offline, true);
  t.equal(parseStatus({ 1: OK | 0x04 }).offline, false, 'bit 2 is the drawer pin, not offline');
  t.equal(parseStatus({ 2: OK | 0x40 }).error, true);
  t.equal(parseStatus({ 3: OK | 0x08 }).error, true, 'autocutter error');
  t.equal(parseStatus({ 3: OK | 0x20 }).error, true, 'unrecoverable');
  t.equal(parseStatus({ 3: OK | 0x40 }).error, true, 'auto-recoverable (head too hot)');
  t.equal(parseStatus({ 2: OK, 3: OK }).error, false);
  t.equal(parseStatus({ 1: OK }).error, 'unknown');
  t.end();
});

t.test('a byte without the fixed bits is not a status reply and tells nothing', (t) => {
  t.ok(isStatusByte(0x12));
  t.ok(isStatusByte(0x7e));
  for (const b of [0x00, 0xff, 0x10, 0x02, 0x13, 0x92, 0x41]) t.notOk(isStatusByte(b), b.toString(16));
  t.same(parseStatus({ 1: 0x00, 2: 0xff, 3: 0x41, 4: 0x92 }), UNKNOWN_STATUS);
  t.same(parseStatus({}), UNKNOWN_STATUS);
  t.end();
});

t.test('what blocks a print: paper out, cover open, an error; never unknown or near end', (t) => {
  t.equal(blockingCause(parseStatus({ 4: OK | 0x60 })), 'paper out');
  t.equal(blockingCause(parseStatus({ 2: OK | 0x04, 4: OK })), 'cover open');
  t.equal(blockingCause(parseStatus({ 2: OK | 0x40, 4: OK })), 'printer error');
  t.equal(blockingCause(parseStatus({ 2: OK | 0x24, 4: OK | 0x60 })), 'paper out', 'paper first');
  t.equal(blockingCause(parseStatus({ 1: OK | 0x08, 2: OK, 3: OK, 4: OK | 0x0c })), undefined);
  t.equal(blockingCause(UNKNOWN_STATUS), undefined);
  t.end();
});
