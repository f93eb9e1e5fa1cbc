/**
 * The runtime owns all I/O and time: it feeds device events into the pure kiosk, executes the
 * effects the kiosk asks for (pay, print, beep, timers) and shuts everything down in order.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { DeviceStatus } from '../drivers/device.js';
import type { Display } from '../drivers/display/types.js';
import type { Feedback } from '../drivers/feedback/types.js';
import type { Keypad, KeyName } from '../drivers/keypad/types.js';
import type { Printer } from '../drivers/printer/types.js';
import type { Scanner } from '../drivers/scanner/types.js';
import { SYSTEM_CLOCKS, type Clocks } from './clocks.js';
import { DeviceWatch } from './device-watch.js';
import { asError } from './errors.js';
import { serviceReason } from './service.js';
import { initialKiosk, step } from './kiosk/kiosk.js';
import type { Kiosk, KioskEffect, KioskEvent, KioskSettings, SaleDraft, SaleResult } from './kiosk/model.js';
import { stoppedView, view, type KioskView } from './kiosk/view.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { maskCode } from './mask.js';
import { negoPrice } from './money.js';
import type { GatewayClock } from './pay/clock.js';
import { Background } from './payment/background.js';
import { Payments } from './payment/payments.js';
import { saleResult } from './payment/result.js';
import type { SaleRecord } from './payment/sale.js';
import type { SaleStore } from './payment/store.js';
import { UnsavedOutcomes } from './payment/unsaved.js';
import { Receipts } from './receipt/print.js';
import { Upkeep } from './upkeep.js';
import { keyLookup, kioskSettings, type KeyLookup } from './settings.js';
import type { XposApi } from './pay/types.js';
import { backgroundSettings, offlinePolicy, paymentSettings } from './settings.js';

export interface Devices {
  keypad: Keypad;
  scanner: Scanner;
  printer: Printer;
  feedback: Feedback;
  /** The member's screen; without one the kiosk sells on beeps and LEDs. */
  display?: Display;
}

export interface RuntimeDeps {
  config: Config;
  log: Logger;
  api: XposApi;
  store: SaleStore;
  devices: Devices;
  gatewayClock?: GatewayClock;
  /** Wall clock for records and receipts, monotonic clock for every duration (kiosk timeouts too). */
  clocks?: Clocks;
  /** The gateway's fingerprint (`gatewayId`): recorded with each sale, and the only one resolved. */
  gateway?: string;
  /** Called after every state change with what the screen shows (the simulator draws it). */
  onView?: (v: KioskView) => void;
  /** Called when a pending sale is resolved after the member left. */
  onResolved?: (sale: SaleRecord) => void;
  /** Set when the ledger cannot record sales: the kiosk says so and refuses every sale. */
  outOfService?: string;
  /** How often pending sales are re-checked in the background. */
  resolveEveryMs?: number;
  metrics?: Metrics;
}

export class Runtime {
  readonly #d: RuntimeDeps;
  readonly #log: Logger;
  readonly #settings: KioskSettings;
  readonly #keys: KeyLookup;
  readonly #payments: Payments;
  readonly #clocks: Clocks;
  /** The ledger, with outcomes it could not write held in memory (and written when it can). */
  readonly #store: UnsavedOutcomes;
  readonly #inflight = new Set<Promise<unknown>>();
  /** Aborted when shutdown begins: payments stop polling and keep what they recorded. */
  readonly #stop = new AbortController();
  /** Aborted at the shutdown deadline: calls still in flight are cut (their sales stay pending). */
  readonly #abort = new AbortController();
  // A boot-unique prefix keeps sale ids unique in the ledger across restarts.
  readonly #bootId = randomBytes(5).toString('hex').toUpperCase();
  #kiosk: Kiosk = initialKiosk(this.#bootId);
  #timer: NodeJS.Timeout | undefined;
  /** Redraws the screen while a countdown on it moves (the kiosk's own timer is for deadlines). */
  #repaint: NodeJS.Timeout | undefined;
  readonly #upkeep: Upkeep;
  readonly #receipts: Receipts;
  #stopping: Promise<void> | undefined;
  /** The last state each device reported, by device name. */
  readonly #watch: DeviceWatch;
  #started = false;

  constructor(deps: RuntimeDeps) {
    this.#d = deps;
    this.#log = deps.log.child({ module: 'runtime' });
    this.#watch = new DeviceWatch(deps.devices, this.#log, this.#onDeviceChange);
    this.#settings = kioskSettings(deps.config);
    this.#keys = keyLookup(deps.config);
    this.#clocks = deps.clocks ?? SYSTEM_CLOCKS;
    this.#store = new UnsavedOutcomes(deps.store, deps.log);
    const s = deps.config.store;
    const offline = offlinePolicy(deps.config);
    this.#payments = new Payments({
      api: deps.api,
      store: this.#store,
      log: deps.log,
      identity: {
        storeId: s.store_id,
        cashierId: s.cashier_id,
        cashierName: s.cashier_name,
        machineId: s.machine_id,
        ...(deps.gateway !== undefined && { gateway: deps.gateway }),
      },
      settings: paymentSettings(deps.config),
      offline,
      clocks: this.#clocks,
      timeZone: deps.config.kiosk.time_zone,
    });
    const background = new Background({
      attempts: this.#payments.attempts,
      active: this.#payments.active,
      settings: backgroundSettings(deps.config),
      offline,
      log: deps.log,
      clocks: this.#clocks,
      ages: this.#payments.ages,
      ...(deps.gateway !== undefined && { gateway: deps.gateway }),
    });
    const receipts = new Receipts({
      config: deps.config,
      printer: deps.devices.printer,
      feedback: deps.devices.feedback,
      store: this.#store,
      log: deps.log,
      now: this.#clocks.wall,
      bootId: this.#bootId,
      ...(deps.gatewayClock && { clock: deps.gatewayClock }),
      ...(deps.metrics && { onPrintFailed: () => deps.metrics?.printerError() }),
    });
    this.#receipts = receipts;
    this.#upkeep = new Upkeep({
      config: deps.config,
      log: this.#log,
      clocks: this.#clocks,
      background,
      receipts,
      store: this.#store,
      cancel: { stop: this.#stop.signal, abort: this.#abort.signal },
      busy: this.#busy,
      onUnsavedChange: () => this.#updateService(),
      ...(deps.onResolved && { onResolved: deps.onResolved }),
      ...(deps.gatewayClock && { gatewayClock: deps.gatewayClock }),
    });
  }

  get kiosk(): Kiosk {
    return this.#kiosk;
  }

  /** Start devices (a missing device is reported, not fatal) and begin taking input. */
  async start(): Promise<void> {
    const { keypad, scanner, printer, feedback, display } = this.#d.devices;
    keypad.on('key', this.#onKey);
    scanner.on('scan', this.#onScan);
    this.#watch.attach();
    for (const device of [feedback, ...(display ? [display] : []), printer, scanner, keypad]) {
      try {
        await device.start();
      } catch (e) {
        this.#log.error({ device: device.name, err: asError(e) }, 'device failed to start');
      }
    }
    this.#watch.settle();
    if (!display)
      this.#log.info('no display configured (devices.display): the kiosk sells on beeps and LEDs');
    this.#started = true;
    this.#updateService();
    if (this.#d.outOfService !== undefined) feedback.signal('attention');
    // Before new sales: whatever a previous run left unresolved becomes pending and is resolved.
    this.#upkeep.start(this.#d.resolveEveryMs ?? 5_000, (p) => this.#track(p));
    this.#publish();
  }

  /** Feed one event into the kiosk and carry out what it asks. */
  dispatch(event: KioskEvent): void {
    // The kiosk's time is monotonic: a wall-clock step must never freeze a timeout.
    const result = step(this.#kiosk, event, this.#clocks.mono(), this.#settings);
    this.#kiosk = result.kiosk;
    for (const effect of result.effects) this.#execute(effect);
    this.#publish();
  }

  /**
   * Single-flight, ordered shutdown: stop input, let an in-flight payment reach a recorded state
   * (bounded by `deadlineMs`, after which it stays pending for recovery), then close devices.
   */
  stop(deadlineMs = 10_000): Promise<void> {
    this.#stopping ??= this.#shutdown(deadlineMs);
    return this.#stopping;
  }

  async #shutdown(deadlineMs: number): Promise<void> {
    const { keypad, scanner, printer, feedback, display } = this.#d.devices;
    keypad.off('key', this.#onKey);
    scanner.off('scan', this.#onScan);
    this.#watch.detach();
    clearTimeout(this.#timer);
    clearTimeout(this.#repaint);
    this.#upkeep.stop();
    this.#stop.abort(new Error('stopping'));
    const deadline = setTimeout(() => this.#abort.abort(new Error('shutdown deadline')), deadlineMs);
    // A payment finishing now still gets its receipt, so drain until nothing new was started.
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
    clearTimeout(deadline);
    this.#abort.abort(new Error('stopped'));
    // The screen must not go on inviting scans nobody will take.
    display?.show(stoppedView());
    for (const device of [keypad, scanner, printer, feedback, ...(display ? [display] : [])]) {
      try {
        await device.close();
      } catch (e) {
        this.#log.warn({ device: device.name, err: asError(e) }, 'device did not close cleanly');
      }
    }
  }

  readonly #onKey = (key: KeyName): void => {
    const action = this.#keys(key);
    if (!action) {
      this.#log.debug({ key }, 'key has no function here');
      return;
    }
    this.dispatch({ kind: 'key', key, action });
  };

  readonly #onScan = (code: string): void => {
    this.dispatch({ kind: 'scan', code });
  };

  readonly #onDeviceChange = (status: DeviceStatus): void => {
    if (status.state !== 'online') this.#d.devices.feedback.signal('offline');
    // The printer is back: print what failed while it was away.
    else if (status.device === this.#d.devices.printer.name && this.#upkeep.recovered) {
      this.#track(this.#receipts.sweep(this.#busy));
    }
    // During start-up devices report one by one; the verdict waits until all have been tried.
    if (this.#started) this.#updateService();
  };

  #updateService(): void {
    const { scanner, keypad } = this.#d.devices;
    const unsaved = this.#store.unsavedCount;
    const reason = serviceReason({
      ledger:
        this.#d.outOfService ??
        (unsaved > 0 ? `账本无法写入 / Ledger cannot save (${unsaved} sale(s) held)` : undefined),
      scanner: this.#watch.get(scanner.name),
      keypad: this.#watch.get(keypad.name),
      scanSellsPreset: this.#settings.idleScanPreset !== undefined,
    });
    if (reason !== this.#kiosk.memory.outOfService) {
      this.dispatch(reason === undefined ? { kind: 'service' } : { kind: 'service', reason });
    }
  }

  /** Sale changes the ledger could not write, held in memory until it can (status, metrics). */
  get unsavedCount(): number {
    return this.#store.unsavedCount;
  }

  /** False once the gateway answered a replay with a new checkout: only querystatus from then on. */
  get replaysSafe(): boolean {
    return this.#payments.attempts.replaysSafe;
  }

  /** What each device last reported (doctor, status line). */
  deviceStates(): DeviceStatus[] {
    return this.#watch.list();
  }

  #execute(effect: KioskEffect): void {
    switch (effect.kind) {
      case 'pay':
        this.#track(this.#pay(effect.saleId, effect.sale, effect.code));
        return;
      case 'receipt': {
        const sale = this.#store.get(effect.saleId);
        if (sale) this.#track(this.#receipts.print(sale));
        return;
      }
      case 'reprint-last': {
        const sale = this.#store.last();
        if (sale) this.#track(this.#receipts.print(sale, true));
        return;
      }
      case 'feedback':
        this.#d.devices.feedback.signal(effect.pattern);
        return;
      case 'arm':
        clearTimeout(this.#timer);
        // A payment finishing while the agent stops must not start a screen timeout: it would keep
        // the process alive for seconds after shutdown and then redraw the idle screen.
        if (this.#stopping !== undefined) return;
        // A timer may fire a little early by the monotonic clock; the kiosk then re-arms (never drops it).
        this.#timer = setTimeout(
          () => this.dispatch({ kind: 'tick' }),
          Math.max(0, Math.ceil(effect.at - this.#clocks.mono())),
        );
        return;
      case 'disarm':
        clearTimeout(this.#timer);
        return;
      case 'log':
        this.#log[effect.level](effect.data ?? {}, effect.msg);
        return;
    }
  }

  async #pay(saleId: string, sale: SaleDraft, code: string): Promise<void> {
    const intent = {
      saleId,
      amountFen: sale.amountFen,
      negoPrice: negoPrice(sale.amountFen, this.#d.config.price.unit),
      code,
      ...(sale.label !== undefined && { label: sale.label }),
      ...(sale.itemId !== undefined && { itemId: sale.itemId }),
    };
    let result: SaleResult;
    try {
      const record = await this.#payments.pay(intent, () => this.dispatch({ kind: 'pay-progress', saleId }), {
        stop: this.#stop.signal,
        abort: this.#abort.signal,
      });
      result = saleResult(record);
    } catch (e) {
      // Recorded means its request may have left: never "refused" then, but resolved later.
      const recorded = this.#recorded(saleId);
      this.#log.error(
        { saleId, code: maskCode(code), recorded, err: asError(e) },
        recorded
          ? 'sale interrupted after it was recorded; resolved in the background'
          : 'sale could not be recorded; refused',
      );
      result = recorded
        ? { status: 'pending' }
        : { status: 'refused', reason: 'the kiosk cannot record sales right now' };
      this.#updateService();
    }
    this.#d.metrics?.sale(result.status);
    // An outcome the ledger could not write: the member sees it, then the kiosk stops selling.
    if (this.#store.unsavedCount > 0) this.#updateService();
    this.dispatch({ kind: 'pay-result', saleId, result });
  }

  #recorded(saleId: string): boolean {
    try {
      return this.#store.get(saleId) !== undefined;
    } catch {
      return false;
    }
  }

  /** A sale the kiosk is still handling (its receipt is printed by the kiosk's own effect). */
  readonly #busy = (saleId: string): boolean => {
    const s = this.#kiosk.state;
    return this.#payments.active.has(saleId) || (s.mode === 'paying' && s.saleId === saleId);
  };

  #track(p: Promise<unknown>): void {
    const tracked = p.catch((e: unknown) => {
      this.#log.error({ err: asError(e) }, 'background task failed');
    });
    this.#inflight.add(tracked);
    void tracked.finally(() => this.#inflight.delete(tracked));
  }

  #publish(): void {
    const v = view(this.#kiosk, this.#clocks.mono(), this.#settings);
    this.#d.devices.display?.show(v);
    this.#d.onView?.(v);
    clearTimeout(this.#repaint);
    if (v.refreshAt !== undefined && this.#stopping === undefined) {
      // +1 ms: a timer may fire a little early by the monotonic clock, and would redraw the same second.
      const ms = Math.max(0, Math.ceil(v.refreshAt - this.#clocks.mono()) + 1);
      this.#repaint = setTimeout(() => this.#publish(), ms);
      this.#repaint.unref();
    }
  }
}
