/**
 * The one-line summary `systemctl status` shows (sd_notify STATUS=): what a technician needs at a
 * glance — can it sell, which device is missing, what is waiting, is the clock trusted.
 */
import type { DeviceStatus } from '../../drivers/device.js';
import { formatYuan } from '../money.js';
import type { LedgerSummary } from '../payment/store.js';

export interface StatusInputs {
  outOfService: string | undefined;
  devices: readonly DeviceStatus[];
  summary: LedgerSummary | undefined;
  clockSynced: boolean;
  replaysSafe?: boolean;
}

export function statusLine(i: StatusInputs): string {
  const parts = [i.outOfService === undefined ? 'selling' : `OUT OF SERVICE: ${i.outOfService}`];
  const away = i.devices.filter((d) => d.state !== 'online');
  parts.push(away.length === 0 ? 'devices ok' : away.map((d) => `${d.device} ${d.state}`).join(', '));
  const s = i.summary;
  if (s === undefined) parts.push('ledger unreadable');
  else {
    const pending = s.byStatus.pending.count + s.byStatus.sent.count + s.byStatus.created.count;
    const queued = s.byStatus.queued;
    parts.push(`pending ${pending}`);
    parts.push(`queued ${queued.count} (￥${formatYuan(queued.amountFen)})`);
    if (s.flagged > 0) {
      const kinds = Object.entries(s.flagKinds).map(([k, n]) => `${k} ${n}`);
      parts.push(`flagged ${s.flagged}${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}`);
    }
    if (s.unprinted > 0) parts.push(`unprinted ${s.unprinted}`);
  }
  if (i.replaysSafe === false) parts.push('REPLAYS STOPPED: gateway charged a replay again');
  if (!i.clockSynced) parts.push('clock not synced');
  return parts.join(' · ');
}
