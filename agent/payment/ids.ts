import { createHash, randomBytes } from 'node:crypto';

/**
 * Order references that stay unique across reboots and across kiosks: the machine id, the time
 * (for a technician reading a receipt) and 32 random bits (so a clock reset after a power cut
 * cannot repeat an id: two sales would need the same second and the same 32 bits). Never a bare counter or clock.
 */
export interface SaleIds {
  requestId: string;
  outBizId: string;
}

function stamp(epochMs: number): string {
  // yyMMddHHmmss in UTC: only for humans to sort by; uniqueness comes from the random part.
  return new Date(epochMs).toISOString().replace(/[-:T]/g, '').slice(2, 14);
}

export function newSaleIds(machineId: string, epochMs: number): SaleIds {
  const rand = randomBytes(4).toString('hex').toUpperCase();
  const outBizId = `${machineId}${stamp(epochMs)}${rand}`;
  const requestId = `${outBizId}-R${randomBytes(3).toString('hex').toUpperCase()}`;
  return { requestId, outBizId };
}

/**
 * Which gateway a sale belongs to: a fingerprint of the configured URL (or `sandbox`) and app key,
 * so that neither is stored in the clear and a sale is never resolved against another gateway
 * (a simulator pointed at a kiosk's state, a config moved to another app key).
 */
export function gatewayId(url: string, appKey: string): string {
  return createHash('sha256').update(`${url}\n${appKey}`).digest('hex').slice(0, 16);
}
