/**
 * TOP timestamps are `yyyy-MM-dd HH:mm:ss` in GMT+8 whatever the host's zone (China has no DST),
 * and the gateway rejects more than 10 minutes of skew with code 31. A kiosk has no RTC, so we
 * learn the offset from the gateway's `Date` header and apply it to every timestamp.
 */
const GMT8_MS = 8 * 3600_000;

export function formatGmt8(epochMs: number): string {
  return new Date(epochMs + GMT8_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** Parse a GMT+8 TOP timestamp back to epoch ms; NaN when it is not in that exact format. */
export function parseGmt8(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return Number.NaN;
  return Date.parse(`${text.replace(' ', 'T')}+08:00`);
}

export class GatewayClock {
  #offsetMs = 0;
  #synced = false;
  readonly #now: () => number;
  readonly #systemSynced: () => boolean;

  /** `systemSynced` says whether the system clock itself is trusted (NTP), e.g. timesyncd's marker. */
  constructor(now: () => number = Date.now, systemSynced: () => boolean = () => false) {
    this.#now = now;
    this.#systemSynced = systemSynced;
  }

  /** Local time corrected by what the gateway told us. */
  now(): number {
    return this.#now() + this.#offsetMs;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  /**
   * True once a gateway `Date` header has been seen or the system clock is NTP-synced; receipts,
   * the systemd status line and the metrics say "clock not synced" until then.
   */
  get synced(): boolean {
    return this.#synced || this.#systemSynced();
  }

  /**
   * Learn from an HTTP `Date` header. It has one-second resolution, so an offset under 2 s is noise
   * and leaves the clock alone; a bigger one replaces the offset. After a code 31 the caller
   * forces the new offset whatever its size.
   */
  observeDateHeader(
    header: string | undefined,
    receivedAtLocalMs: number = this.#now(),
    force = false,
  ): void {
    if (header === undefined) return;
    const serverMs = Date.parse(header);
    if (Number.isNaN(serverMs)) return;
    const offset = serverMs - receivedAtLocalMs;
    this.#synced = true;
    if (force || Math.abs(offset - this.#offsetMs) >= 2000) this.#offsetMs = offset;
  }

  timestamp(): string {
    return formatGmt8(this.now());
  }
}
