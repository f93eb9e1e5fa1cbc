/**
 * The payment lifecycle as one table: what the gateway answered × what the sale has been through →
 * the next ledger status. Every attempt (the member-facing loop, background resolution, forwarding
 * of offline sales) goes through `decide`; the tests walk every cell, and the README prints the same
 * table (`renderTable`), so the code, the tests and the documentation cannot drift apart.
 *
 * The sale's history has three values:
 * - `fresh`: a member's sale whose requests so far provably never reached the payment service;
 * - `offline`: a sale accepted offline (the member was served) being forwarded, nothing reached yet;
 * - `maybe-charged`: some attempt may have reached the service (an unanswered send, a pending
 *   answer, a restart mid-request). From here on only the service's own answer ends the sale, and a
 *   decline on a replay is not proof: "code already used" may be about the first, charged attempt.
 */
import { addFlag, type FlagKind } from './flags.js';
import { ANSWER_KINDS, type Answer, type AnswerKind } from './answer.js';
import { FINAL_STATUSES, type SaleRecord, type SaleStatus } from './sale.js';

export const HISTORIES = ['fresh', 'offline', 'maybe-charged'] as const;
export type History = (typeof HISTORIES)[number];

export interface Cell {
  next: SaleStatus;
  flag?: FlagKind;
  /** Why, for the README and the log. */
  note: string;
}

const pending = (note: string): Cell => ({ next: 'pending', note });

export const TABLE: Readonly<Record<AnswerKind, Readonly<Record<History, Cell>>>> = {
  charged: {
    fresh: { next: 'succeeded', note: 'paid' },
    offline: { next: 'succeeded', note: 'paid' },
    'maybe-charged': { next: 'succeeded', note: 'paid' },
  },
  declined: {
    fresh: { next: 'failed', note: 'the first answer: nothing was charged' },
    offline: { next: 'failed', note: 'the member was served and not charged' },
    'maybe-charged': pending('not proof after an unanswered attempt: querystatus must confirm'),
  },
  'declined-confirmed': {
    fresh: { next: 'failed', note: 'nothing was charged' },
    offline: { next: 'failed', note: 'the member was served and not charged' },
    'maybe-charged': { next: 'failed', note: 'querystatus confirms nothing was charged' },
  },
  pending: {
    fresh: pending('the service is still deciding'),
    offline: pending('the service is still deciding'),
    'maybe-charged': pending('the service is still deciding'),
  },
  unknown: {
    fresh: pending('may have reached the service: ask again, never guess'),
    offline: pending('may have reached the service: ask again, never guess'),
    'maybe-charged': pending('still not known'),
  },
  contradictory: {
    fresh: { next: 'pending', flag: 'contradictory', note: 'never trusted, never success' },
    offline: { next: 'pending', flag: 'contradictory', note: 'never trusted, never success' },
    'maybe-charged': { next: 'pending', flag: 'contradictory', note: 'never trusted, never success' },
  },
  'not-sent': {
    fresh: { next: 'sent', note: 'never left: resend; refused or queued when the member cannot wait' },
    offline: { next: 'queued', note: 'never left: back in the queue, in its place' },
    'maybe-charged': pending('an earlier attempt may have charged'),
  },
  busy: {
    fresh: { next: 'sent', note: 'refused before dispatch: retry after the ban, or refused' },
    offline: { next: 'queued', note: 'retry later; a served sale is never refused' },
    'maybe-charged': pending('an earlier attempt may have charged'),
  },
  rejected: {
    fresh: { next: 'refused', note: 'refused before dispatch: nothing was charged' },
    offline: { next: 'queued', note: 'retry later; a served sale is never refused' },
    'maybe-charged': pending('an earlier attempt may have charged'),
  },
};

/** Unconfirmed declines on replays before a person is asked to look. */
export const MAX_UNCONFIRMED_DECLINES = 3;

/**
 * Rules on top of a cell, each a flag for a person: a charge of another amount than the sale's; a
 * charge under another checkout than one already held (the gateway made a second payment); a
 * failed sale the member was served for; declines on replays that querystatus never confirmed.
 */
export const RULES: readonly string[] = [
  '`charged` of another amount than the sale → flagged `amount-mismatch` (the receipt prints what was charged)',
  '`charged` under another checkout than an earlier answer gave → flagged `double-charge`',
  '`failed` for a sale accepted offline → flagged `served-unpaid`',
  `\`declined\` on a replay after an unanswered attempt, unconfirmed ${MAX_UNCONFIRMED_DECLINES} times → flagged \`contradictory\` (still checked)`,
];

export function historyOf(sale: SaleRecord): History {
  if (sale.status === 'created' || sale.status === 'sent' || sale.status === 'queued') {
    return sale.offline === true ? 'offline' : 'fresh';
  }
  // pending, or (never attempted again) final: only the service's answer can decide.
  return 'maybe-charged';
}

export interface Decision {
  history: History;
  cell: Cell;
  status: SaleStatus;
  final: boolean;
  /** The sale's flag column after this answer (undefined when unchanged). */
  flag?: string;
}

export interface DecideContext {
  /** Declines on replays of this sale so far that querystatus did not confirm, this one included. */
  unconfirmedDeclines: number;
}

export function decide(answer: Answer, sale: SaleRecord, ctx: DecideContext): Decision {
  const history = historyOf(sale);
  const cell = TABLE[answer.kind][history];
  let flag = sale.flag;
  const raise = (kind: FlagKind, detail: string): void => {
    flag = addFlag(flag, kind, detail);
  };
  if (cell.flag !== undefined) raise(cell.flag, answer.problem ?? answer.reason);
  if (answer.kind === 'charged') {
    const fee = answer.result?.currentPayFee;
    if (fee !== undefined && fee !== sale.amountFen) {
      raise('amount-mismatch', `charged ${fee} fen, the sale is ${sale.amountFen} fen`);
    }
    const held = sale.result?.checkoutId;
    const got = answer.result?.checkoutId;
    if (held !== undefined && got !== undefined && held !== got) {
      raise('double-charge', `a replay was charged under checkout ${got}, an earlier answer gave ${held}`);
    }
  }
  if (cell.next === 'failed' && sale.offline === true) {
    raise('served-unpaid', `accepted offline, then ${answer.reason}`);
  }
  if (answer.kind === 'declined' && history === 'maybe-charged') {
    if (ctx.unconfirmedDeclines >= MAX_UNCONFIRMED_DECLINES) {
      raise(
        'contradictory',
        `declined ${ctx.unconfirmedDeclines} times on replay after an unanswered attempt, never confirmed by querystatus`,
      );
    }
  }
  return {
    history,
    cell,
    status: cell.next,
    final: FINAL_STATUSES.includes(cell.next),
    ...(flag !== sale.flag && { flag }),
  };
}

/** The table as Markdown, exactly as the README shows it. */
export function renderTable(): string {
  const head = `| answer | ${HISTORIES.map((h) => `\`${h}\``).join(' | ')} |`;
  const rule = `|---|${HISTORIES.map(() => '---').join('|')}|`;
  const rows = ANSWER_KINDS.map((a) => {
    const cells = HISTORIES.map((h) => {
      const c = TABLE[a][h];
      return `**${c.next}**${c.flag !== undefined ? ` + flag \`${c.flag}\`` : ''}: ${c.note}`;
    });
    return `| \`${a}\` | ${cells.join(' | ')} |`;
  });
  return [head, rule, ...rows, '', ...RULES.map((r) => `- ${r}`)].join('\n');
}
