import t from 'tap';
import { serviceReason } from '../../agent/service.js';
import type { DeviceStatus } from '../../drivers/device.js';

const on = (device: string): DeviceStatus => ({ device, state: 'online' });
const off = (device: string): DeviceStatus => ({ device, state: 'offline', detail: 'ENOENT' });

t.test('sales are refused only when one cannot complete', (t) => {
  const all = { ledger: undefined, scanner: on('scanner'), keypad: on('keypad'), scanSellsPreset: false };
  t.equal(serviceReason(all), undefined, 'everything there');
  t.match(serviceReason({ ...all, scanner: off('scanner') }), /Scanner offline/);
  t.match(serviceReason({ ...all, scanner: undefined }), /Scanner offline/, 'never reported counts as gone');
  t.match(serviceReason({ ...all, keypad: off('keypad') }), /Keypad offline/);
  t.equal(
    serviceReason({ ...all, keypad: off('keypad'), scanSellsPreset: true }),
    undefined,
    'scan sells a preset',
  );
  t.equal(serviceReason({ ...all, ledger: 'disk full' }), 'disk full', 'the ledger reason comes first');
  t.end();
});
