import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EV_KEY,
  EV_MSC,
  EV_SYN,
  InputEventDecoder,
  decodeEvent,
  encodeEvents,
  eventSize,
  wordSizeOf,
  type InputEvent,
  type WordSize,
} from '../../drivers/keypad/input-event.js';
import { LINUX_KEY as K } from '../../drivers/keypad/keycodes.js';

/**
 * What a USB numeric keypad sends for NumLock, "1" (held long enough to autorepeat twice), "2", ".",
 * "5", ENTER, with a KP- and an F1 mixed in: each key is MSC_SCAN (the HID usage), EV_KEY, SYN_REPORT.
 * The fixtures test/fixtures/evdev/usb-keypad-{64,32}.bin are these events; regenerate with
 * XPOS_WRITE_FIXTURES=1 (the first test then fails on purpose until the env var is removed).
 */
const USB_KEYPAD_SESSION: InputEvent[] = (() => {
  const events: InputEvent[] = [];
  let usec = 123456;
  const at = (): { sec: number; usec: number } => {
    usec += 7919;
    return { sec: 1700000000 + Math.floor(usec / 1e6), usec: usec % 1e6 };
  };
  const key = (code: number, usage: number, value: number): void => {
    events.push({ ...at(), type: EV_MSC, code: 4, value: 0x70000 + usage });
    events.push({ ...at(), type: EV_KEY, code, value });
    events.push({ ...at(), type: EV_SYN, code: 0, value: 0 });
  };
  const tap = (code: number, usage: number, repeats = 0): void => {
    key(code, usage, 1);
    for (let i = 0; i < repeats; i += 1) events.push({ ...at(), type: EV_KEY, code, value: 2 });
    key(code, usage, 0);
  };
  tap(K.KEY_NUMLOCK, 0x53);
  tap(K.KEY_KP1, 0x59, 2);
  tap(K.KEY_KP2, 0x5a);
  tap(K.KEY_KPMINUS, 0x56);
  tap(K.KEY_KPDOT, 0x63);
  tap(59 /* KEY_F1 */, 0x3a);
  tap(K.KEY_KP5, 0x5d);
  tap(K.KEY_KPENTER, 0x58);
  return events;
})();

const fixture = (ws: WordSize): string =>
  join(import.meta.dirname, '..', 'fixtures', 'evdev', `usb-keypad-${ws}.bin`);

t.test('fixtures hold the documented struct input_event layout', (t) => {
  if (process.env.XPOS_WRITE_FIXTURES === '1') {
    for (const ws of [64, 32] as const) writeFileSync(fixture(ws), encodeEvents(USB_KEYPAD_SESSION, ws));
    t.fail('fixtures rewritten; run again without XPOS_WRITE_FIXTURES');
    t.end();
    return;
  }
  // The first record written out by hand (MSC_SCAN 0x70053 at 1700000000.131375).
  const first = USB_KEYPAD_SESSION[0]!;
  t.same(first, { sec: 1700000000, usec: 131375, type: EV_MSC, code: 4, value: 0x70053 });
  const b64 = readFileSync(fixture(64));
  const b32 = readFileSync(fixture(32));
  t.equal(b64.subarray(0, 24).toString('hex'), '00f15365000000002f010200000000000400040053000700');
  t.equal(b32.subarray(0, 16).toString('hex'), '00f153652f0102000400040053000700');
  t.equal(b64.length, USB_KEYPAD_SESSION.length * 24);
  t.equal(b32.length, USB_KEYPAD_SESSION.length * 16);
  t.same(b64, encodeEvents(USB_KEYPAD_SESSION, 64));
  t.same(b32, encodeEvents(USB_KEYPAD_SESSION, 32));
  t.end();
});

for (const ws of [64, 32] as const) {
  t.test(`${ws}-bit: the fixture decodes to the session, however the bytes are split`, (t) => {
    const bytes = readFileSync(fixture(ws));
    t.same(new InputEventDecoder(ws).push(bytes), USB_KEYPAD_SESSION, 'in one chunk');

    let bad = 0;
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      const d = new InputEventDecoder(ws);
      const got = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
      if (JSON.stringify(got) !== JSON.stringify(USB_KEYPAD_SESSION) || d.pending !== 0) bad += 1;
    }
    t.equal(bad, 0, `split at each of ${bytes.length + 1} byte boundaries`);

    const d = new InputEventDecoder(ws);
    const got: InputEvent[] = [];
    for (const byte of bytes) got.push(...d.push(Buffer.from([byte])));
    t.same(got, USB_KEYPAD_SESSION, 'one byte at a time');

    const partial = new InputEventDecoder(ws);
    t.same(partial.push(bytes.subarray(0, eventSize(ws) + 3)).length, 1);
    t.equal(partial.pending, 3, 'a partial record is held back');
    partial.reset();
    t.equal(partial.pending, 0);
    t.end();
  });
}

t.test('the decoder does not keep a reference to the caller buffer', (t) => {
  const bytes = encodeEvents([{ sec: 1, usec: 2, type: EV_KEY, code: K.KEY_KP7, value: 1 }], 64);
  const d = new InputEventDecoder(64);
  const buf = Buffer.from(bytes.subarray(0, 10));
  d.push(buf);
  buf.fill(0xff); // the reader reuses its buffer for the next read
  t.same(d.push(bytes.subarray(10)), [{ sec: 1, usec: 2, type: EV_KEY, code: K.KEY_KP7, value: 1 }]);
  t.end();
});

t.test('negative values and large timestamps survive both layouts', (t) => {
  const ev = { sec: 2147483647, usec: 999999, type: 3, code: 0, value: -42 };
  for (const ws of [64, 32] as const) t.same(decodeEvent(encodeEvents([ev], ws), 0, ws), ev);
  const y2038 = { sec: 4102444800, usec: 0, type: EV_SYN, code: 0, value: 0 };
  t.same(decodeEvent(encodeEvents([y2038], 64), 0, 64), y2038, '64-bit time after 2038');
  t.end();
});

t.test('the record size follows the process word size', (t) => {
  t.equal(wordSizeOf('arm64'), 64);
  t.equal(wordSizeOf('x64'), 64);
  t.equal(wordSizeOf('arm'), 32);
  t.equal(wordSizeOf('ia32'), 32);
  t.equal(eventSize(64), 24);
  t.equal(eventSize(32), 16);
  t.end();
});
