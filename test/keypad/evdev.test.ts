import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { KeyName } from '../../config/keys.js';
import type { DeviceStatus } from '../../drivers/device.js';
import { DeviceErrorCode } from '../../drivers/device-error.js';
import { EvdevKeypad, openError, type EvdevKeypadOptions } from '../../drivers/keypad/evdev.js';
import { EV_KEY, EV_SYN, encodeEvents, type WordSize } from '../../drivers/keypad/input-event.js';
import { LINUX_KEY as K } from '../../drivers/keypad/keycodes.js';

/** The keys in test/fixtures/evdev/usb-keypad-*.bin (see input-event.test.ts for the events). */
const FIXTURE_KEYS: KeyName[] = ['1', '2', '.', '5', 'ENTER'];
const fixture = (ws: WordSize): Buffer =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'evdev', `usb-keypad-${ws}.bin`));

async function until(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function press(code: number, ws: WordSize): Buffer {
  return encodeEvents(
    [
      { sec: 1, usec: 0, type: EV_KEY, code, value: 1 },
      { sec: 1, usec: 0, type: EV_SYN, code: 0, value: 0 },
      { sec: 1, usec: 9, type: EV_KEY, code, value: 0 },
      { sec: 1, usec: 9, type: EV_SYN, code: 0, value: 0 },
    ],
    ws,
  );
}

/**
 * A FIFO stands in for /dev/input/eventN: the test holds the writing end (the "device"); closing it
 * and removing the path is an unplug, making it again and reopening is a replug.
 */
function fakeDevice(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'xpos-evdev-'));
  const path = join(dir, 'event0');
  let fd: number | undefined;
  const api = {
    path,
    dir,
    make(): void {
      execFileSync('mkfifo', [path]);
    },
    /** Opens the device end once the driver is reading (a FIFO writer needs a reader). */
    async plug(): Promise<void> {
      await until(() => {
        try {
          fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
          return true;
        } catch {
          return false;
        }
      }, `the driver to open ${path}`);
    },
    async send(bytes: Buffer, chunk = bytes.length): Promise<void> {
      for (let off = 0; off < bytes.length; off += chunk) {
        writeSync(fd!, bytes.subarray(off, off + chunk));
        await sleep(1);
      }
    },
    unplug(): void {
      rmSync(path, { force: true });
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
  t.teardown(() => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    // A driver still blocked opening the FIFO needs a writer to come back from the thread pool.
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // No reader waiting.
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return api;
}

function keypad(t: Test, path: string, opts: Partial<EvdevKeypadOptions> = {}) {
  const keys: KeyName[] = [];
  const states: DeviceStatus[] = [];
  const kp = new EvdevKeypad({
    path,
    log: pino({ level: 'silent' }),
    backoff: { initialMs: 10, maxMs: 40, jitter: 0 },
    ...opts,
  });
  kp.on('key', (k: KeyName) => keys.push(k));
  kp.on('state', (s: DeviceStatus) => states.push(s));
  // Registered after fakeDevice's teardown, so it runs first (tap runs teardowns in reverse order).
  t.teardown(() => kp.close());
  return { kp, keys, states };
}

for (const ws of [64, 32] as const) {
  t.test(`${ws}-bit records through a FIFO, in 7-byte pieces: presses only, no repeats`, async (t) => {
    const dev = fakeDevice(t);
    dev.make();
    const { kp, keys, states } = keypad(t, dev.path, { wordSize: ws });
    t.equal(kp.wordSize, ws);
    const started = kp.start();
    await dev.plug();
    await started;
    t.equal(kp.status().state, 'online');
    t.same(
      states.map((s) => s.state),
      ['online'],
    );
    await dev.send(fixture(ws), 7);
    await until(() => keys.length >= FIXTURE_KEYS.length, 'the fixture keys');
    await sleep(20);
    t.same(keys, FIXTURE_KEYS, 'autorepeat, releases, NumLock and KP- dropped');
  });
}

t.test('the default word size is the process one', (t) => {
  const { kp } = keypad(t, '/nonexistent/event0');
  t.equal(kp.wordSize, ['arm', 'ia32'].includes(process.arch) ? 32 : 64);
  t.end();
});

t.test('unplug: offline; replug under the same path: online and keys resume', async (t) => {
  const dev = fakeDevice(t);
  dev.make();
  const { kp, keys, states } = keypad(t, dev.path, { wordSize: 64 });
  const started = kp.start();
  await dev.plug();
  await started;
  await dev.send(press(K.KEY_KP4, 64));
  await until(() => keys.length === 1, 'first key');

  dev.unplug();
  await until(() => kp.status().state === 'offline', 'offline');
  t.match(states.at(-1)?.detail, /closed \(unplugged\?\)/);
  await until(() => /not found/.test(kp.status().detail ?? ''), 'reopen attempts to fail');
  t.match(kp.status().detail, dev.path);
  t.equal(states.filter((s) => s.state === 'offline').length, 1, 'offline announced once');

  dev.make();
  await dev.plug();
  await until(() => kp.status().state === 'online', 'online again');
  await dev.send(press(K.KEY_KP9, 64));
  await until(() => keys.length === 2, 'key after replug');
  t.same(keys, ['4', '9']);
  t.same(
    states.map((s) => s.state),
    ['online', 'offline', 'online'],
  );
});

t.test('missing at boot: absent, naming the path and group input; found when it appears', async (t) => {
  const dev = fakeDevice(t);
  const { kp, keys, states } = keypad(t, dev.path, { wordSize: 32 });
  await kp.start();
  t.equal(kp.status().state, 'absent');
  t.match(kp.status().detail, dev.path);
  t.match(kp.status().detail, /group input/);
  t.same(
    states.map((s) => s.state),
    ['absent'],
    'absent announced',
  );
  await sleep(60);
  t.equal(states.length, 1, 'retries do not repeat the announcement');
  dev.make();
  await dev.plug();
  await until(() => kp.status().state === 'online', 'online');
  await dev.send(press(K.KEY_NUMERIC_POUND, 32));
  await until(() => keys.length === 1, 'key');
  t.same(keys, ['#']);
});

t.test('a read error takes it offline and it comes back when the device is sane', async (t) => {
  const dev = fakeDevice(t);
  mkdirSync(dev.path); // opens fine, every read fails with EISDIR
  const { kp, keys } = keypad(t, dev.path, { wordSize: 64 });
  await kp.start();
  await until(() => /EISDIR/.test(kp.status().detail ?? ''), 'the read error');
  t.equal(kp.status().state, 'offline');
  rmSync(dev.path, { recursive: true });
  dev.make();
  await dev.plug();
  await until(() => kp.status().state === 'online', 'online');
  await dev.send(press(K.KEY_KPASTERISK, 64));
  await until(() => keys.length === 1, 'key');
  t.same(keys, ['*']);
});

t.test('the keymap merges over the default; unknown codes are logged at debug only', async (t) => {
  const dev = fakeDevice(t);
  dev.make();
  const lines: { msg: string; code?: number; level: number }[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s) as never) });
  const { kp, keys } = keypad(t, dev.path, {
    wordSize: 64,
    log,
    keymap: { [K.KEY_KPMINUS]: 'BACKSPACE', [K.KEY_KPSLASH]: 'D' },
  });
  const started = kp.start();
  await dev.plug();
  await started;
  const codes = [K.KEY_KPMINUS, K.KEY_KPSLASH, K.KEY_KP3, K.KEY_NUMLOCK, 183 /* KEY_F13 */, K.KEY_ENTER];
  await dev.send(Buffer.concat(codes.map((c) => press(c, 64))));
  await until(() => keys.length === 4, 'mapped keys');
  await sleep(20);
  t.same(keys, ['BACKSPACE', 'D', '3', 'ENTER']);
  const unmapped = lines.filter((l) => l.msg === 'unmapped key code ignored');
  t.same(
    unmapped.map((l) => [l.code, l.level]),
    [[183, 20]],
    'F13 at debug; NumLock silent',
  );
});

t.test('close() returns at once even with a read pending, and nothing is emitted after', async (t) => {
  const dev = fakeDevice(t);
  dev.make();
  const { kp, keys, states } = keypad(t, dev.path, { wordSize: 64 });
  const started = kp.start();
  await dev.plug();
  await started;
  await kp.close();
  await kp.close();
  await dev.send(press(K.KEY_KP1, 64));
  dev.unplug();
  await sleep(60);
  t.same(keys, []);
  t.same(
    states.map((s) => s.state),
    ['online'],
    'no offline on close or on the EOF after it',
  );
});

t.test('close() while absent stops the retries', async (t) => {
  const dev = fakeDevice(t);
  const { kp, states } = keypad(t, dev.path, { wordSize: 64 });
  await kp.start();
  await kp.close();
  dev.make();
  await sleep(80);
  t.same(
    states.map((s) => s.state),
    ['absent'],
  );
  t.throws(
    () => openSync(dev.path, constants.O_WRONLY | constants.O_NONBLOCK),
    { code: 'ENXIO' },
    'no reader',
  );
});

t.test('open errors in a technician’s words', (t) => {
  const eacces = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  const perm = openError('/dev/input/event3', eacces);
  t.equal(perm.code, DeviceErrorCode.Permission);
  t.match(perm.message, /\/dev\/input\/event3.*group input/);
  const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
  const missing = openError('/dev/input/by-id/usb-kp-event-kbd', enoent);
  t.equal(missing.code, DeviceErrorCode.Unavailable);
  t.match(missing.message, /usb-kp-event-kbd.*group input/);
  t.end();
});
