/**
 * Kiosk timeouts with real timers, through the runtime's own timer code. Node timers can fire up
 * to a millisecond early by any clock but libuv's, and the wall clock can step back; before issue 9
 * either froze the kiosk (10 of 300 entry timeouts never fired), leaving the previous member's price
 * on "awaiting scan" for the next person to pay. Now the kiosk runs on the monotonic clock and a
 * fired timer always ends in the transition or a new timer. Here: 1,000 timeouts, 0 missed, with a
 * wall clock that keeps stepping back.
 */
import t, { type Test } from 'tap';
import { pino } from 'pino';
import { Runtime } from '../../agent/runtime.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import { validateConfig } from '../../config/load.js';
import { SimFeedback } from '../../drivers/feedback/sim.js';
import { SimKeypad } from '../../drivers/keypad/sim.js';
import { SimPrinter } from '../../drivers/printer/sim.js';
import { SimScanner } from '../../drivers/scanner/sim.js';
import { ScriptedApi } from '../helpers/scripted-api.js';

const log = pino({ level: 'silent' });
const TIMEOUTS_MS = [1, 2, 3, 5];
const PER_TIMEOUT = 250;
/** Far beyond any timer jitter: a timeout still not done by then never fired. */
const GRACE_MS = 250;

function kiosk(t: Test, entryMs: number, wallStep: { ms: number }): Runtime {
  const config = validateConfig({
    gateway: { url: 'https://gw.example.invalid/router/rest', app_key: 'k' },
    store: { store_id: '1', cashier_id: '2', cashier_name: 'x', machine_id: 'T01' },
    presets: { A: { label: '单次入场', price: 39 } },
    kiosk: { key_bounce_ms: 0 },
    paths: { state_dir: t.testdirName },
  });
  // Below the schema's minimum on purpose: a thousand real timeouts must fit in a test.
  config.kiosk.entry_timeout_ms = entryMs;
  const runtime = new Runtime({
    config,
    log,
    api: new ScriptedApi([]),
    store: Ledger.open({ path: ':memory:', log }),
    devices: {
      keypad: new SimKeypad(),
      scanner: new SimScanner(),
      printer: new SimPrinter({ columns: 32 }),
      feedback: new SimFeedback(),
    },
    clocks: { wall: () => Date.now() - wallStep.ms, mono: () => performance.now() },
  });
  t.teardown(() => runtime.stop(100));
  return runtime;
}

function idleWithin(runtime: Runtime, ms: number): Promise<boolean> {
  const limit = performance.now() + ms;
  return new Promise((resolve) => {
    const poll = (): void => {
      if (runtime.kiosk.state.mode === 'idle') resolve(true);
      else if (performance.now() > limit) resolve(false);
      else setImmediate(poll);
    };
    poll();
  });
}

t.test(`${TIMEOUTS_MS.length * PER_TIMEOUT} entry timeouts with real timers: none missed`, async (t) => {
  const wallStep = { ms: 0 };
  let fired = 0;
  const missed: string[] = [];
  for (const entryMs of TIMEOUTS_MS) {
    const runtime = kiosk(t, entryMs, wallStep);
    for (let i = 0; i < PER_TIMEOUT; i += 1) {
      // Alternate typing a price (entering) and a preset (awaiting scan): both time out to idle.
      if (i % 2 === 0) runtime.dispatch({ kind: 'key', key: '7', action: { fn: 'digit', digit: '7' } });
      else runtime.dispatch({ kind: 'key', key: 'A', action: { fn: 'preset', key: 'A' } });
      const mode = runtime.kiosk.state.mode;
      // The wall clock steps back by a second now and then (NTP, no RTC); the kiosk must not care.
      if (i % 10 === 5) wallStep.ms += 1_000;
      if (await idleWithin(runtime, entryMs + GRACE_MS)) fired += 1;
      else missed.push(`${entryMs} ms timeout #${i} stuck in ${mode}`);
      if (runtime.kiosk.state.mode !== 'idle')
        runtime.dispatch({ kind: 'key', key: 'ESC', action: { fn: 'cancel' } });
    }
  }
  t.comment(`fired=${fired} missed=${missed.length}`);
  t.same(missed, [], 'every timeout fired');
  t.equal(fired, TIMEOUTS_MS.length * PER_TIMEOUT);
});
