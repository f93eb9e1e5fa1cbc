/**
 * The runtime and a display: every kiosk step reaches the screen, a countdown is redrawn as it
 * moves, stopping leaves an out-of-service screen, and a display that is gone changes nothing for
 * the sale (only a red blink for staff).
 */
import t from 'tap';
import { EventEmitter } from 'node:events';
import type { DeviceStatus } from '../../drivers/device.js';
import { SimDisplay } from '../../drivers/display/sim.js';
import type { Display, DisplayView } from '../../drivers/display/types.js';
import { startKiosk } from '../helpers/kiosk-harness.js';

const CODE = '281234567890123456';

t.test('the screen follows the sale: typed amount, the countdown moving, paid, then stopped', async (t) => {
  const shown: DisplayView[] = [];
  const display = new SimDisplay((v) => shown.push(v));
  const k = await startKiosk(t, { devices: { display } });
  t.equal(shown.at(-1)?.screen, 'ready', 'the first screen once started');
  k.keypad.press('1');
  k.keypad.press('2');
  k.keypad.press('ENTER');
  t.match(shown.at(-1), { screen: 'awaiting-scan', amount: '12.00' });
  t.ok(
    shown.some((v) => v.screen === 'typing' && v.amount === '12'),
    'the amount as typed reached the screen',
  );
  const count = (): number => shown.filter((v) => v.screen === 'awaiting-scan').length;
  const before = count();
  await k.until(() => count() > before);
  t.match(
    shown.at(-1)?.lines[0]?.en,
    /^(29|28) s left$/,
    'redrawn by itself a second later, with one second less',
  );
  await k.sale([], CODE);
  t.match(shown.at(-1), { screen: 'ok', title: { zh: '支付成功' } });
  await k.agent.stop(2_000);
  t.match(shown.at(-1), { screen: 'out-of-service', lines: [{ en: 'Restarting' }] });
});

/** A display that is there at first and then is not. */
class FlakyDisplay extends EventEmitter implements Display {
  readonly name = 'display';
  state: DeviceStatus = { device: 'display', state: 'online' };
  start(): Promise<void> {
    this.emit('state', this.state);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  status(): DeviceStatus {
    return this.state;
  }
  show(): void {
    // the glass is gone; nothing to draw on
  }
  unplug(): void {
    this.state = { device: 'display', state: 'offline', detail: 'EIO' };
    this.emit('state', this.state);
  }
}

t.test('a display that goes away blinks red for staff and never stops a sale', async (t) => {
  const display = new FlakyDisplay();
  const k = await startKiosk(t, { devices: { display } });
  display.unplug();
  t.equal(k.feedback.signals.at(-1), 'offline');
  t.equal(k.agent.runtime.kiosk.memory.outOfService, undefined, 'still in service');
  const { sale } = await k.sale(['A'], CODE);
  t.equal(sale.status, 'succeeded');
  t.match(
    k.agent.runtime.deviceStates().find((d) => d.device === 'display'),
    { state: 'offline', detail: 'EIO' },
    'the doctor and the status line see it',
  );
});

t.test('no display configured: logged once, no red blink for it', async (t) => {
  const k = await startKiosk(t);
  t.ok(k.logs.some((l) => l.includes('no display configured')));
  t.notOk(k.feedback.signals.includes('offline'));
});
