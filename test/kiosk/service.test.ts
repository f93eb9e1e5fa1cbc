import t from 'tap';
import type { KioskEvent } from '../../agent/kiosk/model.js';
import { view, viewText } from '../../agent/kiosk/view.js';
import { feedbacks, keys, ofKind, payResult, press, run, scan, SETTINGS } from '../helpers/kiosk-run.js';

const down = (reason = '扫码器离线 / Scanner offline'): KioskEvent => ({ kind: 'service', reason });
const up: KioskEvent = { kind: 'service' };

t.test('out of service: keys and scans are refused with a failure beep and no sale starts', (t) => {
  const r = run([[0, down()], ...press(keys('12', 'ENTER'), 100), [1000, scan()]]);
  t.equal(r.kiosk.state.mode, 'idle');
  t.same(ofKind(r.effects, 'pay'), [], 'nothing is paid');
  t.equal(
    feedbacks(r.effects).filter((f) => f === 'failure').length,
    4,
    'every key and the scan beep failure',
  );
  const shown = view(r.kiosk, 1000, SETTINGS);
  t.match(shown.title.en, /Out of service/);
  t.ok(viewText(shown).includes('扫码器离线 / Scanner offline'), 'the screen says why');
  t.end();
});

t.test('reprint still works while out of service', (t) => {
  const r = run([
    [0, down()],
    [100, { kind: 'key', key: 'D', action: { fn: 'reprint' } }],
  ]);
  t.same(ofKind(r.last, 'reprint-last'), [{ kind: 'reprint-last' }]);
  t.notOk(feedbacks(r.last).includes('failure'));
  t.end();
});

t.test('losing service mid-entry drops the draft; back in service the kiosk sells again', (t) => {
  const r = run([...press(keys('12'), 0), [500, down()]]);
  t.equal(r.kiosk.state.mode, 'idle', 'the half-typed price is dropped');
  t.same(ofKind(r.last, 'disarm'), [{ kind: 'disarm' }], 'its timer is disarmed');
  const again = run([[0, up], ...press(keys('12', 'ENTER'), 100), [1000, scan()]], { from: r.kiosk });
  t.equal(again.kiosk.state.mode, 'paying');
  t.equal(again.kiosk.memory.outOfService, undefined);
  t.end();
});

t.test('a payment under way is not affected and its result is still shown', (t) => {
  const r = run([
    ...press(keys('12', 'ENTER'), 0),
    [1000, scan()],
    [1100, down()],
    [1500, payResult('S1', { status: 'succeeded' })],
  ]);
  t.equal(r.kiosk.state.mode, 'result');
  t.same(ofKind(r.effects, 'receipt'), [{ kind: 'receipt', saleId: 'S1' }]);
  t.end();
});

t.test('on the result screen a key cannot start a new sale while out of service', (t) => {
  const r = run([
    ...press(keys('12', 'ENTER'), 0),
    [1000, scan()],
    [1500, payResult('S1', { status: 'succeeded' })],
    [1600, down()],
    ...press(keys('3'), 1700),
  ]);
  t.equal(r.kiosk.state.mode, 'idle', 'the result is dismissed, no entry starts');
  t.same(feedbacks(r.last), ['failure']);
  t.end();
});

t.test('the same service event twice changes nothing and logs once', (t) => {
  const r = run([
    [0, down()],
    [10, down()],
  ]);
  t.same(r.last, []);
  t.equal(ofKind(r.effects, 'log').filter((l) => l.msg === 'out of service').length, 1);
  t.end();
});
