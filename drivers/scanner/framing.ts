/**
 * What makes one line from the scanner a payment code. Pure: bytes in, a verdict out, so every
 * rule is tested without a port. The line splitter (line-splitter.ts) has already removed the
 * terminator; nothing else is trimmed, because a space or tab in a code is noise, not padding.
 */

export const REJECT_REASONS = [
  'empty',
  'too-long',
  'too-short',
  'charset',
  'not-utf8',
  'framing',
  'stale',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface FramingRules {
  /**
   * When set, every line must start with it (and it is stripped). A line without it is rejected
   * as `framing`: a scanner configured to add a prefix that sends a line without one is sending
   * something other than a scan (a menu code, a reboot banner, line noise).
   */
  prefix?: string;
  /** Same as `prefix`, at the end of the line before the terminator. */
  suffix?: string;
  /** Code length after stripping, in characters (code points). */
  minLength: number;
  maxLength: number;
  /** Tested against the whole stripped code; anchors are added, `g`/`y` flags are dropped. */
  allowed: RegExp;
}

/** A reject's `text` is the line as decoded (lossily if not UTF-8): only ever logged masked. */
export type Verdict = { ok: true; code: string } | { ok: false; reason: RejectReason; text: string };

/** Longest UTF-8 encoding of one code point. */
const MAX_UTF8_BYTES = 4;

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { ignoreBOM: true });

export function decodeLossy(bytes: Uint8Array): string {
  return lossy.decode(bytes);
}

/** Length as a person counts it (an astral character is one, not two UTF-16 units). */
function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

export class LineValidator {
  /**
   * The most bytes a valid line can take; the splitter discards anything longer without holding
   * it, so a scanner stuck sending garbage cannot grow the buffer.
   */
  readonly maxLineBytes: number;
  readonly #prefix: string;
  readonly #suffix: string;
  readonly #min: number;
  readonly #max: number;
  readonly #allowed: RegExp;

  /** Throws RangeError for rules that could never accept a code. */
  constructor(rules: FramingRules) {
    const { minLength, maxLength } = rules;
    if (!Number.isInteger(minLength) || minLength < 1) {
      throw new RangeError(`scanner minLength must be an integer >= 1, got ${minLength}`);
    }
    if (!Number.isInteger(maxLength) || maxLength < minLength) {
      throw new RangeError(
        `scanner maxLength must be an integer >= minLength (${minLength}), got ${maxLength}`,
      );
    }
    this.#prefix = rules.prefix ?? '';
    this.#suffix = rules.suffix ?? '';
    for (const [name, value] of [
      ['prefix', this.#prefix],
      ['suffix', this.#suffix],
    ] as const) {
      // The splitter ends a line at CR or LF, so a frame holding one could never be seen whole.
      if (/[\r\n]/.test(value)) throw new RangeError(`scanner ${name} must not contain CR or LF`);
    }
    this.#min = minLength;
    this.#max = maxLength;
    // Anchoring makes a config like /[0-9]+/ mean "only digits", not "contains a digit"; a stateful
    // g/y flag would make test() alternate between true and false on the same code.
    this.#allowed = new RegExp(`^(?:${rules.allowed.source})$`, rules.allowed.flags.replace(/[gy]/g, ''));
    this.maxLineBytes =
      Buffer.byteLength(this.#prefix) + Buffer.byteLength(this.#suffix) + maxLength * MAX_UTF8_BYTES;
  }

  check(line: Uint8Array): Verdict {
    if (line.length === 0) return { ok: false, reason: 'empty', text: '' };
    let text: string;
    try {
      text = fatal.decode(line);
    } catch {
      return { ok: false, reason: 'not-utf8', text: decodeLossy(line) };
    }
    let code = text;
    if (this.#prefix !== '') {
      if (!code.startsWith(this.#prefix)) return { ok: false, reason: 'framing', text };
      code = code.slice(this.#prefix.length);
    }
    if (this.#suffix !== '') {
      if (!code.endsWith(this.#suffix)) return { ok: false, reason: 'framing', text };
      code = code.slice(0, code.length - this.#suffix.length);
    }
    if (code === '') return { ok: false, reason: 'too-short', text };
    // Charset before length: a burst of control bytes is noise, whatever its length.
    if (!this.#allowed.test(code)) return { ok: false, reason: 'charset', text };
    const length = codePoints(code);
    if (length < this.#min) return { ok: false, reason: 'too-short', text };
    if (length > this.#max) return { ok: false, reason: 'too-long', text };
    return { ok: true, code };
  }
}

/**
 * Counts rejects by reason and decides which to log: the first of a reason, then at most one per
 * reason per window carrying how many were folded into it, so a chattering line cannot flood the
 * journal while the counts stay exact.
 */
export class RejectTally {
  readonly counts = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  readonly #windowMs: number;
  readonly #loggedAt = new Map<RejectReason, number>();
  readonly #folded = new Map<RejectReason, number>();

  constructor(windowMs = 10_000) {
    this.#windowMs = windowMs;
  }

  /** Counts one reject; returns how many went unlogged before it if it should be logged, else undefined. */
  record(reason: RejectReason, now: number): number | undefined {
    this.counts[reason] += 1;
    const last = this.#loggedAt.get(reason);
    const folded = this.#folded.get(reason) ?? 0;
    if (last !== undefined && now - last < this.#windowMs) {
      this.#folded.set(reason, folded + 1);
      return undefined;
    }
    this.#loggedAt.set(reason, now);
    this.#folded.set(reason, 0);
    return folded;
  }
}
