/**
 * What the sandbox gateway does with a scanned code. The outcome depends only on the code and the
 * amount, so a demo, the README and a test can all say "scan F… to see a decline" and get the same
 * thing every time. Rows are tried in order and the first match wins.
 */

/** The largest single payment the sandbox accepts, in fen (10,000.00 yuan). */
export const AMOUNT_LIMIT_FEN = 1_000_000;

/** Payment and member codes the sandbox treats as well-formed: 8–64 ASCII letters or digits. */
const WELL_FORMED = /^[0-9A-Za-z]{8,64}$/;

export type DemoOutcome =
  'over-limit' | 'invalid-code' | 'declined' | 'pending-fail' | 'pending-success' | 'member' | 'success';

export interface DemoCodeRule {
  /** The rule as a human reads it. */
  readonly when: string;
  /** A code that triggers the rule (with any amount up to the limit, except the over-limit row). */
  readonly example: string;
  readonly outcome: DemoOutcome;
  /** What the kiosk sees. */
  readonly result: string;
  readonly matches: (code: string, amountFen: number) => boolean;
}

/** The decision table, in the order it is applied. The README and the simulator print it as is. */
export const DEMO_CODES: readonly DemoCodeRule[] = [
  {
    when: `amount over ${AMOUNT_LIMIT_FEN} fen, any code`,
    example: '281234567890123456',
    outcome: 'over-limit',
    result: 'error_response code 15 isv.amount-over-limit; no charge',
    matches: (_code, amountFen) => amountFen > AMOUNT_LIMIT_FEN,
  },
  {
    when: 'not 8–64 letters or digits',
    example: '1234',
    outcome: 'invalid-code',
    result: 'declined: result_status 2, model.success false, 付款码无效; no charge',
    matches: (code) => !WELL_FORMED.test(code),
  },
  {
    when: 'starts with F',
    example: 'F2345678901',
    outcome: 'declined',
    result: 'declined: result_status 2, model.success false, 余额不足; no charge',
    matches: (code) => code.startsWith('F'),
  },
  {
    when: 'ends with 9999',
    example: '2812345678909999',
    outcome: 'pending-fail',
    result: 'pending (result_status 3) for pendingMs, then FAILED 用户未确认支付; no charge',
    matches: (code) => code.endsWith('9999'),
  },
  {
    when: 'ends with 0000',
    example: '2812345678900000',
    outcome: 'pending-success',
    result: 'pending (result_status 3) for pendingMs, then SUCCEEDED; charged when it succeeds',
    matches: (code) => code.endsWith('0000'),
  },
  {
    when: 'starts with M',
    example: 'M12345678',
    outcome: 'member',
    result: 'success (result_status 1) as a member code; charged',
    matches: (code) => code.startsWith('M'),
  },
  {
    when: 'anything else',
    example: '281234567890123456',
    outcome: 'success',
    result: 'success (result_status 1); charged',
    matches: () => true,
  },
];

/** Why a payment failed, as the query API reports it (`result_code`, `result_message`). */
export interface FailReason {
  readonly code: string;
  readonly message: string;
}

export const FAIL_REASONS = {
  invalidCode: { code: 'PAY_CODE_INVALID', message: '付款码无效' },
  balance: { code: 'BALANCE_NOT_ENOUGH', message: '余额不足' },
  unconfirmed: { code: 'BUYER_NOT_CONFIRMED', message: '用户未确认支付' },
} as const satisfies Record<string, FailReason>;

/** The first rule of DEMO_CODES that matches; the last row matches everything. */
export function decide(code: string, amountFen: number): DemoOutcome {
  for (const rule of DEMO_CODES) if (rule.matches(code, amountFen)) return rule.outcome;
  return 'success';
}
