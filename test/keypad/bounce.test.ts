/**
 * The bounce window on hardware keypads: the cases the kiosk used to judge, now at the driver edge
 * (a simulated keypad is never filtered), on a fake monotonic clock.
 */
import t from 'tap';
import { EventEmitter } from 'node:events';
import type { KeyName } from '../../config/keys.js';
import type { DeviceStatus } from '../../drivers/device.js';
import { BounceFilter } from '../../drivers/keypad/bounce.js';
import type { Keypad } from '../../drivers/keypad/types.js';
import { EvdevKeypad } from '../../drivers/keypad/evdev.js';
import { SimKeypad } from '../../drivers/keypad/sim.js';
import { buildDevices } from '../../agent/devices.js';
import { createLogger } from '../../agent/log.js';
import { validateConfig } from '../../config/load.js';

class FakePad extends EventEmitter implements Keypad {
  readonly name = 'keypad';
  started = 0;
  closed = 0;
  start(): Promise<void> {
    this.started += 1;
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed += 1;
    return Promise.resolve();
  }
  status(): DeviceStatus {
    return { device: 'keypad', state: 'online', detail: 'fake' };
  }
}

/** Presses at the given ms; returns the keys that came through. */
function through(presses: [number, KeyName][], windowMs = 40): KeyName[] {
  const pad = new FakePad();
  let now = 0;
  const filter: Keypad = new BounceFilter(pad, { windowMs, now: () => now });
  const out: KeyName[] = [];
  filter.on('key', (k) => out.push(k));
  for (const [at, key] of presses) {
    now = at;
    pad.emit('key', key);
  }
  return out;
}

t.test('the same key within the window is not a press at all', (t) => {
  t.same(
    through([
      [0, '1'],
      [39, '1'],
    ]),
    ['1'],
  );
  t.end();
});

t.test('the same key at the window or later is a second press', (t) => {
  t.same(
    through([
      [0, '1'],
      [40, '1'],
    ]),
    ['1', '1'],
  );
  t.end();
});

t.test('a different key inside the window is a real press', (t) => {
  t.same(
    through([
      [0, '1'],
      [10, '2'],
    ]),
    ['1', '2'],
  );
  t.end();
});

t.test('the window runs from the real press, so bounces do not stretch it', (t) => {
  t.same(
    through([
      [0, '1'],
      [30, '1'],
      [45, '1'],
    ]),
    ['1', '1'],
  );
  t.end();
});

t.test('a clock stepped back does not block the key', (t) => {
  t.same(
    through([
      [10_000, '1'],
      [5_000, '1'],
    ]),
    ['1', '1'],
  );
  t.end();
});

t.test('a window of 0 passes every press', (t) => {
  t.same(
    through(
      [
        [0, '9'],
        [0, '9'],
        [1, '9'],
      ],
      0,
    ),
    ['9', '9', '9'],
  );
  t.end();
});

t.test('lifecycle and state pass through to the wrapped keypad', async (t) => {
  const pad = new FakePad();
  const filter: Keypad = new BounceFilter(pad, { windowMs: 40 });
  const states: DeviceStatus[] = [];
  filter.on('state', (s) => states.push(s));
  await filter.start();
  pad.emit('state', { device: 'keypad', state: 'offline', detail: 'unplugged' });
  await filter.close();
  t.equal(filter.name, 'keypad');
  t.equal(pad.started, 1);
  t.equal(pad.closed, 1);
  t.same(filter.status(), pad.status());
  t.same(states, [{ device: 'keypad', state: 'offline', detail: 'unplugged' }]);
});

t.test('the device factory filters the hardware keypads and never the simulated one', (t) => {
  const base = {
    gateway: { url: 'sandbox', app_key: '12345678' },
    store: { store_id: '1', cashier_id: '1', cashier_name: 'x', machine_id: 'T01' },
    paths: { state_dir: t.testdir({}) },
  };
  const log = createLogger('silent');
  const evdev = { keypad: { type: 'evdev', path: '/dev/input/event0' } };
  t.type(buildDevices(validateConfig({ ...base, devices: evdev }), log).devices.keypad, BounceFilter);
  const off = validateConfig({ ...base, devices: evdev, kiosk: { key_bounce_ms: 0 } });
  t.type(buildDevices(off, log).devices.keypad, EvdevKeypad, 'key_bounce_ms: 0 leaves it unwrapped');
  const sim = buildDevices(validateConfig({ ...base, devices: { keypad: { type: 'sim' } } }), log);
  t.type(sim.devices.keypad, SimKeypad);
  t.end();
});
