/**
 * One kiosk view for every screen a member can see, made by the real view model from real kiosk
 * states, so the display tests draw exactly what the runtime would hand a display.
 */
import type { Kiosk, KioskState } from '../../agent/kiosk/model.js';
import { view, type KioskView } from '../../agent/kiosk/view.js';
import { SETTINGS } from './kiosk-run.js';

const at = (state: KioskState, outOfService?: string): Kiosk => ({
  state,
  memory: { salePrefix: 'S', saleSeq: 1, ...(outOfService !== undefined && { outOfService }) },
});
const SALE = { amountFen: 1250 };
const result = (r: Extract<KioskState, { mode: 'result' }>['result']): KioskState => ({
  mode: 'result',
  sale: SALE,
  saleId: 'S1',
  result: r,
  deadline: 8_000,
});

/** Name → the view at monotonic time 5 500 ms. */
export const SCREENS: Readonly<Record<string, KioskView>> = Object.fromEntries(
  (
    [
      ['ready', at({ mode: 'idle' })],
      ['typing', at({ mode: 'entering', text: '12.5', deadline: 30_000 })],
      ['typing refused', at({ mode: 'entering', text: '10000', deadline: 30_000, problem: 'over-max' })],
      [
        'awaiting scan',
        at({ mode: 'awaiting-scan', sale: { amountFen: 3000, label: 'Day pass' }, deadline: 30_000 }),
      ],
      ['paying', at({ mode: 'paying', sale: SALE, saleId: 'S1', checking: false, waitUntil: 45_000 })],
      ['checking', at({ mode: 'paying', sale: SALE, saleId: 'S1', checking: true, waitUntil: 45_000 })],
      ['ok', at(result({ status: 'succeeded' }))],
      ['failed', at(result({ status: 'failed', reason: '余额不足' }))],
      ['refused', at(result({ status: 'refused', reason: 'offline' }))],
      ['pending', at(result({ status: 'pending' }))],
      ['queued', at(result({ status: 'queued' }))],
      ['out of service', at({ mode: 'idle' }, '扫码器离线 / Scanner offline')],
    ] as const
  ).map(([name, kiosk]) => [name, view(kiosk, 5_500, SETTINGS)]),
);
