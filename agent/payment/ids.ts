import { createHash, randomBytes } from 'node:crypto';
import { compactLocalTime } from '../local-time.js';

/**
 * Order references that stay unique across reboots and across kiosks: the machine id, the time
 * (for a technician reading a receipt) and 32 random bits (so a clock reset after a power cut
 * cannot repeat an id: two sales would need the same second and the same 32 bits). Never a bare counter or clock.
 */
export interface SaleIds {
  requestId: string;
  outBizId: string;
}

/**
 * The time inside an order number is yyMMddHHmmss in the kiosk's zone, the same clock the receipt
 * prints, so the two never contradict each other; uniqueness comes from the random part.
 */
export function newSaleIds(machineId: string, epochMs: number, timeZone = 'Asia/Shanghai'): SaleIds {
  const rand = randomBytes(4).toString('hex').toUpperCase();
  const outBizId = `${machineId}${compactLocalTime(epochMs, timeZone)}${rand}`;
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
