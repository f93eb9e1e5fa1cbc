/**
 * Offline store-and-forward policy. Payment codes are single-use and expire within about a minute,
 * so they are online-only. Member codes may be accepted while the gateway is unreachable, within
 * card-style limits (per sale, total stored, count, age of the oldest stored sale), because the gym
 * carries the risk of a later decline.
 */
import type { SaleRecord } from './sale.js';
import type { SaleStore } from './store.js';

export interface OfflinePolicy {
  enabled: boolean;
  memberCode: RegExp;
  maxSaleFen: number;
  maxTotalFen: number;
  maxCount: number;
  maxAgeMs: number;
  concurrency: number;
}

export const NO_OFFLINE: OfflinePolicy = {
  enabled: false,
  memberCode: /$^/,
  maxSaleFen: 0,
  maxTotalFen: 0,
  maxCount: 0,
  maxAgeMs: 0,
  concurrency: 1,
};

/** Why an offline sale is refused, as stored; the receipt maps each to the member's words. */
export const OFFLINE_REFUSALS = {
  needsNetwork: 'payment service unreachable; payment codes need the network',
  overSale: 'offline: amount over the offline limit per sale',
  tooMany: 'offline: too many stored sales',
  overTotal: 'offline: stored amount limit reached',
  tooOld: 'offline too long: stored sales must be forwarded first',
} as const;

export type OfflineDecision = { accept: true } | { accept: false; reason: string };

/**
 * May this sale be queued for later? The reason is shown to the member as is. Every offline sale the
 * service has not confirmed counts against the limits — queued, being forwarded, or forwarded with
 * the answer still unknown — because each is money the gym may not get.
 */
export function offlineDecision(
  policy: OfflinePolicy,
  store: SaleStore,
  code: string,
  amountFen: number,
  ageOf: (sale: SaleRecord) => number,
): OfflineDecision {
  if (!policy.enabled || !policy.memberCode.test(code)) {
    return { accept: false, reason: OFFLINE_REFUSALS.needsNetwork };
  }
  if (amountFen > policy.maxSaleFen) {
    return { accept: false, reason: OFFLINE_REFUSALS.overSale };
  }
  const open = store.offlineOpen();
  if (open.count + 1 > policy.maxCount) return { accept: false, reason: OFFLINE_REFUSALS.tooMany };
  if (open.amountFen + amountFen > policy.maxTotalFen) {
    return { accept: false, reason: OFFLINE_REFUSALS.overTotal };
  }
  if (open.oldest !== undefined && ageOf(open.oldest) > policy.maxAgeMs) {
    return { accept: false, reason: OFFLINE_REFUSALS.tooOld };
  }
  return { accept: true };
}
