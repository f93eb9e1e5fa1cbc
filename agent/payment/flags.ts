/**
 * Flags ask a person to look at a sale. The agent never clears one; a sale can carry several (one
 * per kind), written `kind: detail` and joined with ` | `, so the ledger, `queue report` and the
 * metrics can all tell the kinds apart without a schema change per kind.
 */
export const FLAG_KINDS = [
  /** Unresolved past `payment.flag_unresolved_after_ms`: reconcile by hand, still checked. */
  'unresolved',
  /**
   * A reply in TOP's shape that contradicts itself or names another order or checkout, or declines
   * on replays that querystatus never confirmed.
   */
  'contradictory',
  /** Accepted offline (the member was served), then truly declined when forwarded: the gym was not paid. */
  'served-unpaid',
  /** The service charged another amount than the sale's. */
  'amount-mismatch',
  /** A replay was answered with a new checkout: the gateway may have charged twice. */
  'double-charge',
  /** No way left to learn the outcome (the code is gone, or replays are unsafe and no checkout is known). */
  'unresolvable',
] as const;

export type FlagKind = (typeof FLAG_KINDS)[number];

const SEPARATOR = ' | ';

export function flagText(kind: FlagKind, detail: string): string {
  return `${kind}: ${detail}`;
}

/** Flags written before kinds existed, by their wording. */
function legacyKind(text: string): FlagKind {
  if (text.startsWith('declined after offline acceptance')) return 'served-unpaid';
  if (text.startsWith('untrusted reply') || text.startsWith('query answered for another')) {
    return 'contradictory';
  }
  return 'unresolved';
}

/** The kinds a flag column holds. */
export function flagKinds(flag: string | undefined): FlagKind[] {
  if (flag === undefined || flag === '') return [];
  const kinds = flag.split(SEPARATOR).map((part) => {
    const kind = part.slice(0, part.indexOf(':'));
    return (FLAG_KINDS as readonly string[]).includes(kind) ? (kind as FlagKind) : legacyKind(part);
  });
  return [...new Set(kinds)];
}

/** Adds a flag unless one of the same kind is already there (the first detail is the one kept). */
export function addFlag(existing: string | undefined, kind: FlagKind, detail: string): string {
  if (existing === undefined || existing === '') return flagText(kind, detail);
  if (flagKinds(existing).includes(kind)) return existing;
  return `${existing}${SEPARATOR}${flagText(kind, detail)}`;
}
