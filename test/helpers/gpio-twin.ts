/**
 * A GPIO chip twin speaking drivers/gpio/types.ts, with a virtual clock, for the matrix keypad and
 * the buzzer/LED feedback.
 *
 * The keypad is modelled electrically, not as a script of return values: rows and columns are nodes,
 * a closed key joins its row and column, a node is LOW when it touches a row driven LOW (or injected
 * noise), otherwise the column pull-up makes it HIGH. Ghost keys and row-to-row shorts therefore
 * appear exactly as on a real membrane keypad. Edges are delivered like onoff's epoll callbacks:
 * later, from the event loop, never inside the driver's own call.
 */
import type { Bit, Direction, Edge, GpioChip, GpioLine, Timers } from '../../drivers/gpio/types.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface ClockTimer {
  at: number;
  seq: number;
  fn: () => void;
  /** Test scripts (bounce sequences) do not count as the driver's timers. */
  script: boolean;
}

/** Virtual milliseconds. Timers run in time order only inside `advance`. */
export class FakeClock implements Timers {
  now = 0;
  #seq = 0;
  readonly #timers = new Map<number, ClockTimer>();

  setTimeout(fn: () => void, ms: number): unknown {
    return this.#add(fn, ms, false);
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.#timers.delete(handle);
  }

  /** Schedule a step of the test's own script at now + ms. */
  script(ms: number, fn: () => void): void {
    this.#add(fn, ms, true);
  }

  /** Driver timers waiting to run (scripts excluded). */
  pending(): number {
    return [...this.#timers.values()].filter((t) => !t.script).length;
  }

  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    await flush();
    for (;;) {
      let next: [number, ClockTimer] | undefined;
      for (const entry of this.#timers) {
        const t = entry[1];
        if (t.at > end) continue;
        if (next === undefined || t.at < next[1].at || (t.at === next[1].at && t.seq < next[1].seq)) {
          next = entry;
        }
      }
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
      await flush();
      await flush();
    }
    this.now = end;
    await flush();
  }

  #add(fn: () => void, ms: number, script: boolean): number {
    this.#seq += 1;
    this.#timers.set(this.#seq, { at: this.now + Math.max(0, ms), seq: this.#seq, fn, script });
    return this.#seq;
  }
}

export interface TwinOp {
  t: number;
  pin: number;
  op: 'open' | 'read' | 'write' | 'dir' | 'watch' | 'unwatch' | 'release';
  value?: string | number;
}

type Watcher = (err: Error | null | undefined, v: Bit) => void;

class TwinLine implements GpioLine {
  readonly pin: number;
  dir: Direction;
  readonly edge: Edge;
  /** Output level; meaningful when dir is 'high'/'low'. */
  level: Bit;
  /** Last computed input level, for edge detection. */
  seen: Bit = 1;
  watchers: Watcher[] = [];
  released = false;
  readonly #twin: GpioTwin;

  constructor(twin: GpioTwin, pin: number, dir: Direction, edge: Edge) {
    this.#twin = twin;
    this.pin = pin;
    this.dir = dir;
    this.edge = edge;
    this.level = dir === 'high' ? 1 : 0;
  }

  read(): Bit {
    this.#live('read');
    this.#twin.record(this.pin, 'read');
    if (this.#twin.readError !== undefined) throw this.#twin.readError;
    return this.#twin.levelOf(this);
  }

  write(v: Bit): void {
    this.#live('write');
    if (this.#twin.writeError !== undefined) throw this.#twin.writeError;
    this.level = v;
    this.#twin.record(this.pin, 'write', v);
    this.#twin.settle();
  }

  setDirection(d: Direction): void {
    this.#live('setDirection');
    if (this.#twin.writeError !== undefined) throw this.#twin.writeError;
    this.dir = d;
    if (d !== 'in') this.level = d === 'high' ? 1 : 0;
    this.#twin.record(this.pin, 'dir', d);
    this.#twin.settle();
  }

  watch(cb: Watcher): void {
    this.#live('watch');
    this.watchers.push(cb);
    this.#twin.record(this.pin, 'watch');
  }

  unwatchAll(): void {
    this.watchers = [];
    this.#twin.record(this.pin, 'unwatch');
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.watchers = [];
    this.#twin.record(this.pin, 'release');
    this.#twin.settle();
  }

  #live(what: string): void {
    if (this.released) throw new Error(`twin: ${what} on released GPIO${this.pin}`);
  }
}

export interface GpioTwinOptions {
  label?: string;
  clock?: FakeClock;
  /** Wire a key matrix: these BCM pins are its rows and columns. */
  matrix?: { rows: number[]; cols: number[] };
}

export class GpioTwin implements GpioChip {
  readonly label: string;
  readonly clock: FakeClock;
  readonly ops: TwinOp[] = [];
  /** Times two rows driven to opposite levels were joined through keys. */
  shorts = 0;
  readError: Error | undefined;
  writeError: Error | undefined;
  openError: Error | undefined;
  readonly #rows: number[];
  readonly #cols: number[];
  readonly #lines = new Map<number, TwinLine>();
  readonly #closed = new Set<string>();
  readonly #noise = new Map<number, number>();
  #opened = 0;

  constructor(opts: GpioTwinOptions = {}) {
    this.label = opts.label ?? 'pinctrl-twin';
    this.clock = opts.clock ?? new FakeClock();
    this.#rows = opts.matrix?.rows ?? [];
    this.#cols = opts.matrix?.cols ?? [];
  }

  open(bcm: number, dir: Direction, edge: Edge = 'none'): GpioLine {
    if (this.openError !== undefined) throw this.openError;
    const old = this.#lines.get(bcm);
    if (old !== undefined && !old.released) throw new Error(`twin: GPIO${bcm} opened twice`);
    const line = new TwinLine(this, bcm, dir, edge);
    this.#lines.set(bcm, line);
    this.#opened += 1;
    this.record(bcm, 'open', dir);
    line.seen = this.levelOf(line);
    this.settle();
    return line;
  }

  /** How many times open() succeeded (reconnect tests). */
  get opened(): number {
    return this.#opened;
  }

  line(bcm: number): TwinLine | undefined {
    return this.#lines.get(bcm);
  }

  /** Pins currently open (not released). */
  openPins(): number[] {
    return [...this.#lines.values()].filter((l) => !l.released).map((l) => l.pin);
  }

  record(pin: number, op: TwinOp['op'], value?: string | number): void {
    this.ops.push({ t: this.clock.now, pin, op, ...(value !== undefined && { value }) });
  }

  /** Output level changes of one pin as [t, level], starting with the level it was opened at. */
  levels(pin: number): [number, Bit][] {
    const out: [number, Bit][] = [];
    for (const o of this.ops) {
      if (o.pin !== pin) continue;
      let v: Bit | undefined;
      if (o.op === 'write') v = o.value === 1 ? 1 : 0;
      if ((o.op === 'open' || o.op === 'dir') && (o.value === 'high' || o.value === 'low')) {
        v = o.value === 'high' ? 1 : 0;
      }
      if (v !== undefined && out.at(-1)?.[1] !== v) out.push([o.t, v]);
    }
    return out;
  }

  // --- the keypad's contacts ---

  press(r: number, c: number): void {
    this.#closed.add(`${r},${c}`);
    this.settle();
  }

  release(r: number, c: number): void {
    this.#closed.delete(`${r},${c}`);
    this.settle();
  }

  toggle(r: number, c: number): void {
    if (this.#closed.has(`${r},${c}`)) this.release(r, c);
    else this.press(r, c);
  }

  /** Contact bounce: the key flips state at each offset (ms from now), ending as `final`. */
  bounce(r: number, c: number, offsets: number[], final: 'pressed' | 'released'): void {
    for (const ms of offsets)
      this.clock.script(ms, () => {
        this.toggle(r, c);
      });
    const end = Math.max(0, ...offsets) + 1;
    this.clock.script(end, () => {
      if (final === 'pressed') this.press(r, c);
      else this.release(r, c);
    });
  }

  /** Interference: column `c` is pulled LOW for `ms` starting `at` ms from now, then recovers. */
  glitch(c: number, at: number, ms: number): void {
    this.clock.script(at, () => {
      this.#noise.set(c, (this.#noise.get(c) ?? 0) + 1);
      this.settle();
    });
    this.clock.script(at + ms, () => {
      this.#noise.set(c, (this.#noise.get(c) ?? 1) - 1);
      this.settle();
    });
  }

  /** A watch callback reports an error, as onoff does when epoll fails. */
  watchFails(err: Error): void {
    for (const line of this.#lines.values()) {
      for (const w of line.watchers)
        setImmediate(() => {
          w(err, 0);
        });
    }
  }

  levelOf(line: TwinLine): Bit {
    if (line.dir !== 'in') return line.level;
    const r = this.#rows.indexOf(line.pin);
    const c = this.#cols.indexOf(line.pin);
    if (r < 0 && c < 0) return line.level;
    return this.#nodeLevel(r >= 0 ? `r${r}` : `c${c}`);
  }

  /** Recompute the columns and deliver edges to watchers, later, like an interrupt. */
  settle(): void {
    this.#countShorts();
    for (const pin of this.#cols) {
      const line = this.#lines.get(pin);
      if (line === undefined || line.released) continue;
      const now = this.levelOf(line);
      if (now === line.seen) continue;
      line.seen = now;
      const fire =
        (now === 0 && (line.edge === 'falling' || line.edge === 'both')) ||
        (now === 1 && (line.edge === 'rising' || line.edge === 'both'));
      if (!fire) continue;
      for (const w of line.watchers) {
        setImmediate(() => {
          if (!line.released) w(null, now);
        });
      }
    }
  }

  #drive(r: number): Bit | undefined {
    const pin = this.#rows[r];
    const line = pin === undefined ? undefined : this.#lines.get(pin);
    if (line === undefined || line.released || line.dir === 'in') return undefined;
    return line.level;
  }

  /** The nodes joined to `start` through closed keys. */
  #component(start: string): Set<string> {
    const seen = new Set([start]);
    const todo = [start];
    for (let node = todo.pop(); node !== undefined; node = todo.pop()) {
      for (const key of this.#closed) {
        const [r, c] = key.split(',');
        const a = `r${r ?? ''}`;
        const b = `c${c ?? ''}`;
        const other = node === a ? b : node === b ? a : undefined;
        if (other !== undefined && !seen.has(other)) {
          seen.add(other);
          todo.push(other);
        }
      }
    }
    return seen;
  }

  #nodeLevel(node: string): Bit {
    for (const n of this.#component(node)) {
      if (n.startsWith('r') && this.#drive(Number(n.slice(1))) === 0) return 0;
      if (n.startsWith('c') && (this.#noise.get(Number(n.slice(1))) ?? 0) > 0) return 0;
    }
    return 1;
  }

  #countShorts(): void {
    for (let r = 0; r < this.#rows.length; r += 1) {
      if (this.#drive(r) !== 1) continue;
      for (const n of this.#component(`r${r}`)) {
        if (n.startsWith('r') && this.#drive(Number(n.slice(1))) === 0) this.shorts += 1;
      }
    }
  }
}
