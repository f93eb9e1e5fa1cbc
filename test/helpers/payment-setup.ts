/**
 * The payment layer on virtual time against a scripted API and the real ledger in memory: the same
 * SQL the kiosk runs, without a file, and a 45 s member wait that costs nothing.
 */
import { pino } from 'pino';
import { Ledger } from '../../agent/ledger/ledger.js';
import { Background } from '../../agent/payment/background.js';
import { NO_OFFLINE, type OfflinePolicy } from '../../agent/payment/offline.js';
import { DEFAULT_PAYMENT_SETTINGS, Payments, type SaleIntent } from '../../agent/payment/payments.js';
import type { SaleStore } from '../../agent/payment/store.js';
import { ScriptedApi, VirtualClock, type Answer } from './scripted-api.js';
import type { QueryOutcome } from '../../agent/pay/types.js';

export const CODE = '281234567890123456';
export const INTENT: SaleIntent = {
  saleId: 'S1',
  amountFen: 1250,
  negoPrice: '1250',
  code: CODE,
  label: '月卡',
  itemId: 7,
};
export const IDENTITY = { storeId: '333333', cashierId: '346753', cashierName: '张丽', machineId: 'K01' };
export const MEMBER_POLICY: OfflinePolicy = {
  enabled: true,
  memberCode: /^M\d{8}$/,
  maxSaleFen: 2_000,
  maxTotalFen: 3_000,
  maxCount: 5,
  maxAgeMs: 86_400_000,
  concurrency: 2,
};

export interface SetupOptions {
  query?: QueryOutcome[];
  offline?: OfflinePolicy;
  /** Wraps the ledger (to inject write failures). */
  store?: (ledger: Ledger) => SaleStore;
  gateway?: string;
  resultReceipts?: boolean;
}

export function setup(answers: Answer[], o: SetupOptions = {}) {
  const log = pino({ level: 'silent' });
  const api = new ScriptedApi(answers, o.query ?? []);
  const clock = new VirtualClock();
  const ledger = Ledger.open({ path: ':memory:', log, now: clock.now });
  const store = o.store ? o.store(ledger) : ledger;
  const offline = o.offline ?? NO_OFFLINE;
  const payments = new Payments({
    api,
    store,
    log,
    identity: { ...IDENTITY, ...(o.gateway !== undefined && { gateway: o.gateway }) },
    settings: { ...DEFAULT_PAYMENT_SETTINGS, resultReceipts: o.resultReceipts ?? true },
    offline,
    clocks: clock.clocks,
    sleep: clock.sleep,
  });
  const background = new Background({
    attempts: payments.attempts,
    active: payments.active,
    settings: { minBackoffMs: 5_000, maxBackoffMs: 60_000, flagAfterMs: 86_400_000 },
    offline,
    log,
    clocks: clock.clocks,
    ages: payments.ages,
    ...(o.gateway !== undefined && { gateway: o.gateway }),
    // No jitter: the tests step virtual time by exact backoffs.
    random: () => 0.5,
  });
  let checking = 0;
  const pay = (intent: Partial<SaleIntent> = {}) =>
    payments.pay({ ...INTENT, ...intent }, () => (checking += 1));
  return { api, store, ledger, clock, payments, background, pay, checks: () => checking };
}
