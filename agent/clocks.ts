/**
 * Two clocks, never mixed. The wall clock may step (NTP, a Pi without a real-time clock, a person
 * setting the date), so it only says *when* for what is printed or stored. Every duration — a
 * member's wait, a backoff, a kiosk timeout, an age — is measured on the monotonic clock, which a
 * wall-clock step cannot freeze or fast-forward.
 */
export interface Clocks {
  /** Epoch ms, for records and receipts. */
  readonly wall: () => number;
  /** Milliseconds from an arbitrary origin that never goes back. */
  readonly mono: () => number;
}

export const SYSTEM_CLOCKS: Clocks = {
  wall: () => Date.now(),
  mono: () => performance.now(),
};

/**
 * How long ago something stored with a wall time happened, safe against clock steps: the larger of
 * the wall-clock age and the monotonic time since this process first saw it. A backward step cannot
 * make a sale younger than this process has watched it; a forward step can only make it look older,
 * which errs towards flagging it for a person or refusing one more offline sale.
 */
export class Ages {
  readonly #clocks: Clocks;
  readonly #firstSeen = new Map<string, number>();

  constructor(clocks: Clocks) {
    this.#clocks = clocks;
  }

  of(id: string, storedAtWall: number): number {
    const mono = this.#clocks.mono();
    let seen = this.#firstSeen.get(id);
    if (seen === undefined) {
      seen = mono;
      this.#firstSeen.set(id, seen);
    }
    return Math.max(0, this.#clocks.wall() - storedAtWall, mono - seen);
  }

  /** A sale that is final needs no age any more. */
  forget(id: string): void {
    this.#firstSeen.delete(id);
  }
}
