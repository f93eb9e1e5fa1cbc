/**
 * The 128x64 ST7920 LCD (the common "12864" module with the Chinese font) on SPI: the kiosk's screen
 * when there is no monitor. Four lines of eight Chinese characters; only lines that changed are
 * sent again, so a countdown costs one line a second (17 frames, about 1.5 ms of bus time).
 *
 * Failure: a transfer that fails drops the link, the display reports offline and reopens with
 * backoff; on the way back it is initialised and redrawn from the latest view. `show` never waits:
 * views that arrive while a transfer runs are merged, the newest wins.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { BackoffOptions } from '../backoff.js';
import type { DeviceStatus } from '../device.js';
import { DeviceStateKeeper, detailOf } from '../device-state.js';
import type { Timers } from '../gpio/types.js';
import { initFrames, lcdLines, lineFrames } from './st7920-lcd.js';
import type { SpiLink, SpiOpen } from './spidev.js';
import type { Display, DisplayView } from './types.js';

export interface St7920DisplayOptions {
  open: SpiOpen;
  /** For status and logs, e.g. /dev/spidev0.0. */
  where: string;
  log: Logger;
  backoff?: BackoffOptions;
  timers?: Timers;
}

export class St7920Display extends EventEmitter implements Display {
  readonly name = 'display';
  readonly #o: St7920DisplayOptions;
  readonly #log: Logger;
  readonly #state: DeviceStateKeeper;
  #link: SpiLink | undefined;
  #view: DisplayView | undefined;
  /** What the glass shows now, line by line (hex), so only changed lines are sent. */
  #shown: string[] = [];
  #drawing = false;

  constructor(opts: St7920DisplayOptions) {
    super();
    this.#o = opts;
    this.#log = opts.log.child({ module: 'display', backend: 'st7920' });
    this.#state = new DeviceStateKeeper({
      name: this.name,
      log: this.#log,
      emit: (status) => this.emit('state', status),
      initialDetail: `not started (${opts.where})`,
      onlineMessage: 'display online',
      unavailableMessage: 'display unavailable',
      logFields: { where: opts.where },
      backoff: opts.backoff,
      timers: opts.timers,
    });
  }

  status(): DeviceStatus {
    return this.#state.status();
  }

  async start(): Promise<void> {
    if (this.#state.begin()) await this.#connect();
  }

  async close(): Promise<void> {
    if (this.#state.closed) return;
    this.#state.close();
    const link = this.#link;
    this.#link = undefined;
    await link?.close().catch(() => undefined);
  }

  show(view: DisplayView): void {
    this.#view = view;
    void this.#draw();
  }

  /** Resolves when the glass shows the latest view (or the link is gone): for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.#drawing) await new Promise((r) => setImmediate(r));
  }

  async #draw(): Promise<void> {
    if (this.#drawing) return;
    this.#drawing = true;
    try {
      for (;;) {
        const link = this.#link;
        const view = this.#view;
        if (!link || !view) return;
        const lines = lcdLines(view);
        const changed = lines.flatMap((bytes, row) =>
          this.#shown[row] === bytes.toString('hex') ? [] : [{ row, bytes }],
        );
        if (changed.length === 0) return;
        try {
          await link.write(changed.flatMap((c) => lineFrames(c.row, c.bytes)));
        } catch (e) {
          this.#lost(link, e);
          return;
        }
        for (const c of changed) this.#shown[c.row] = c.bytes.toString('hex');
      }
    } finally {
      this.#drawing = false;
    }
  }

  async #connect(): Promise<void> {
    let link: SpiLink;
    try {
      link = await this.#o.open();
      await link.write(initFrames());
    } catch (e) {
      if (this.#state.closed) return;
      this.#state.set(this.#state.unavailable, detailOf(e));
      this.#state.scheduleRetry(() => void this.#connect());
      return;
    }
    if (this.#state.closed) {
      await link.close().catch(() => undefined);
      return;
    }
    this.#link = link;
    this.#shown = [];
    this.#state.resetBackoff();
    this.#state.set('online');
    void this.#draw();
  }

  #lost(link: SpiLink, e: unknown): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    void link.close().catch(() => undefined);
    this.#state.set('offline', detailOf(e));
    this.#state.scheduleRetry(() => void this.#connect());
  }
}
