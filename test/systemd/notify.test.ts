import t from 'tap';
import { createLogger } from '../../agent/log.js';
import { createNotifier } from '../../agent/systemd/notify.js';
import { statusLine } from '../../agent/systemd/status.js';
import type { LedgerSummary } from '../../agent/payment/store.js';

const log = createLogger('silent');

function fakeSocket() {
  const sent: { path: string; text: string }[] = [];
  let closed = false;
  return {
    sent,
    closed: () => closed,
    create: () => ({
      send: (buf: Buffer, _o: number, _l: number, path: string) => sent.push({ path, text: buf.toString() }),
      on: () => undefined,
      close: () => {
        closed = true;
      },
    }),
  };
}

t.test('without NOTIFY_SOCKET every call is a no-op', (t) => {
  const n = createNotifier({ log, env: {} });
  t.equal(n.active, false);
  n.ready('x');
  n.watchdog(() => true);
  n.stopping('y');
  n.close();
  t.end();
});

t.test('abstract socket names, READY with a one-line STATUS, STOPPING', (t) => {
  const s = fakeSocket();
  const n = createNotifier({ log, env: { NOTIFY_SOCKET: '@xpos/notify' }, pid: 42, createSocket: s.create });
  n.ready('selling\nsecond line');
  n.stopping('stopping');
  n.close();
  t.same(s.sent, [
    { path: '\0xpos/notify', text: 'READY=1\nSTATUS=selling second line\nMAINPID=42' },
    { path: '\0xpos/notify', text: 'STOPPING=1\nSTATUS=stopping' },
  ]);
  t.ok(s.closed());
  t.end();
});

t.test('watchdog pings at half the interval only while healthy, and only for our pid', async (t) => {
  const s = fakeSocket();
  let healthy = true;
  const env = { NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '1000000', WATCHDOG_PID: '7' };
  const n = createNotifier({ log, env, pid: 7, createSocket: s.create });
  n.watchdog(() => healthy);
  await new Promise((r) => setTimeout(r, 1_150));
  const pings = s.sent.filter((m) => m.text === 'WATCHDOG=1').length;
  t.ok(pings >= 1 && pings <= 3, `pinged every 500 ms (${pings})`);
  healthy = false;
  const before = s.sent.length;
  await new Promise((r) => setTimeout(r, 1_100));
  t.equal(s.sent.length, before, 'no ping while the ledger is unhealthy');
  n.close();

  const other = fakeSocket();
  const m = createNotifier({ log, env: { ...env, WATCHDOG_PID: '8' }, pid: 7, createSocket: other.create });
  m.watchdog(() => true);
  await new Promise((r) => setTimeout(r, 700));
  t.same(other.sent, [], 'the watchdog is for another process');
  m.close();
});

t.test('a missing native module is logged and the daemon carries on', (t) => {
  const n = createNotifier({
    log,
    env: { NOTIFY_SOCKET: '/run/n' },
    createSocket: () => {
      throw new Error('Could not locate the bindings file');
    },
  });
  t.equal(n.active, false);
  t.end();
});

t.test('the status line says what a technician needs', (t) => {
  const zero = { count: 0, amountFen: 0 };
  const summary: LedgerSummary = {
    byStatus: {
      created: zero,
      sent: { count: 1, amountFen: 500 },
      pending: { count: 2, amountFen: 3900 },
      queued: { count: 3, amountFen: 15000 },
      succeeded: zero,
      failed: zero,
      refused: zero,
    },
    flagged: 1,
    flagKinds: { unresolved: 1 },
    servedUnpaid: zero,
    unprinted: 2,
  };
  t.equal(
    statusLine({
      outOfService: '扫码器离线 / Scanner offline',
      devices: [
        { device: 'scanner', state: 'offline' },
        { device: 'printer', state: 'online' },
      ],
      summary,
      clockSynced: false,
    }),
    'OUT OF SERVICE: 扫码器离线 / Scanner offline · scanner offline · pending 3 · queued 3 (￥150.00) · flagged 1 (unresolved 1) · unprinted 2 · clock not synced',
  );
  t.equal(
    statusLine({ outOfService: undefined, devices: [], summary: undefined, clockSynced: true }),
    'selling · devices ok · ledger unreadable',
  );
  t.end();
});
