/**
 * SerialScanner on a real serial line: socat's pty pair and serialport's native binding, the way
 * it runs on the kiosk. Unplugging kills socat, so the driver sees what a pulled USB cable does.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { DeviceStatus } from '../../drivers/device.js';
import { SerialScanner } from '../../drivers/scanner/serial.js';
import { openPtyPair, socatAvailable, type PtyPair } from '../helpers/pty-pair.js';

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function scannerOn(pair: PtyPair) {
  const s = new SerialScanner({
    path: pair.port,
    baudRate: 9600,
    terminator: '\r',
    minLength: 6,
    maxLength: 64,
    allowed: /^[\x21-\x7e]+$/,
    staleMs: 500,
    log: pino({ level: 'silent' }),
    backoff: { initialMs: 20, maxMs: 100 },
  });
  const scans: string[] = [];
  const states: DeviceStatus['state'][] = [];
  s.on('scan', (code: string) => scans.push(code));
  s.on('state', (st: DeviceStatus) => states.push(st.state));
  return { s, scans, states };
}

t.test('socat pty pair', { skip: socatAvailable() ? false : 'socat is not installed' }, (t) => {
  t.test('scans, noise, unplug and replug on one scanner object', async (t) => {
    const pair = await openPtyPair();
    const { s, scans, states } = scannerOn(pair);
    t.teardown(async () => {
      await s.close();
      await pair.close();
    });
    await s.start();
    t.equal(s.status().state, 'online');

    pair.send('PAY:12345678\r');
    pair.send('PAY:8765');
    await sleep(50); // a pause inside a code, well under staleMs
    pair.send('4321\r\n');
    await until(() => scans.length === 2, 'two scans');
    t.same(scans, ['PAY:12345678', 'PAY:87654321']);

    pair.send(Buffer.from([0xff, 0xfe, 0x41, 0x42, 0x43, 0x44, 0x0d]));
    pair.send('\x01\x02ABCDEF\x07\r');
    pair.send(Buffer.alloc(5 * 1024, 0x41)); // no terminator: dropped when it goes stale
    await until(() => s.rejected['too-long'] === 1, 'the 5 KB line dropped');
    t.match(s.rejected, { 'not-utf8': 1, charset: 1, 'too-long': 1 });
    t.equal(scans.length, 2, 'no garbage became a scan');
    pair.send('AFTER-NOISE-1\r');
    await until(() => scans.length === 3, 'a scan after the noise');
    t.equal(scans[2], 'AFTER-NOISE-1', 'noise did not glue onto the code');

    pair.send('PAY:HALF');
    await sleep(50);
    await pair.unplug();
    await until(() => s.status().state === 'offline', 'offline after unplug');
    t.match(s.status().detail, pair.port, 'the detail names the path');

    await pair.plug();
    await until(() => s.status().state === 'online', 'online after replug');
    t.same(states, ['online', 'offline', 'online']);
    pair.send('-CODE\rPAY:AGAIN-123\r');
    await until(() => scans.length === 4, 'a scan after replug');
    t.equal(scans[3], 'PAY:AGAIN-123', 'the half code before the unplug was discarded');
    t.equal(s.rejected['too-short'], 1, 'its tail alone was rejected');
  });

  t.test('missing at boot: absent, then online when the device appears', async (t) => {
    const pair = await openPtyPair();
    await pair.unplug();
    const { s, scans, states } = scannerOn(pair);
    t.teardown(async () => {
      await s.close();
      await pair.close();
    });
    await s.start();
    t.equal(s.status().state, 'absent');
    t.match(s.status().detail, /not found/);
    t.match(s.status().detail, pair.port);
    await pair.plug();
    await until(() => s.status().state === 'online', 'online');
    pair.send('PAY:12345678\r');
    await until(() => scans.length === 1, 'a scan');
    t.same(states, ['absent', 'online']);
  });

  t.test('a second process on the same port is told who holds it', async (t) => {
    const pair = await openPtyPair();
    const first = scannerOn(pair);
    const second = scannerOn(pair);
    t.teardown(async () => {
      await first.s.close();
      await second.s.close();
      await pair.close();
    });
    await first.s.start();
    await second.s.start();
    t.equal(first.s.status().state, 'online');
    t.equal(second.s.status().state, 'absent');
    t.match(second.s.status().detail, /another process/);
    await first.s.close();
    await until(() => second.s.status().state === 'online', 'the second takes over');
  });
  t.end();
});
