/**
 * The built daemon (`dist/agent/main.js run`) as a kiosk with real device paths: the scanner is a
 * socat pty (serial driver), the keypad a FIFO standing in for /dev/input/eventN (evdev driver, fed
 * with input_event records), the printer a file (ESC/POS bytes). The gateway is a sandbox child
 * process with a chosen personality, whose charge ledger is the truth about money.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PersonalitySpec } from '../../agent/sandbox/personality.js';
import { EV_KEY, EV_SYN, encodeEvents, wordSizeOf } from '../../drivers/keypad/input-event.js';
import { LINUX_KEY } from '../../drivers/keypad/keycodes.js';
import { writeDaemonConfig, type DaemonFiles } from '../chaos/daemon.js';
import { LineProcess } from '../chaos/procs.js';
import { startSandbox, type SandboxProcess } from '../chaos/sandbox.js';
import { decodeEscpos, type Decoded } from './escpos-decode.js';
import { openPtyPair, type PtyPair } from './pty-pair.js';

/** A JSON log line of the daemon, loosely typed. */
type LogLine = Record<string, unknown> & { msg?: string };

export interface KioskOptions {
  language?: 'zh' | 'en';
  columns?: 32 | 48;
  /** Accept member codes (M + digits) offline. */
  offline?: boolean;
  supportText?: string;
}

export interface SoldSale {
  saleId: string;
  outBizId: string;
  /** What the kiosk showed when the member left: succeeded, failed, pending, … */
  shown: string;
}

async function until(what: string, ms: number, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

function keyPress(name: 'KEY_A' | 'KEY_1'): Buffer {
  const code = LINUX_KEY[name];
  return encodeEvents(
    [
      { sec: 1, usec: 0, type: EV_KEY, code, value: 1 },
      { sec: 1, usec: 0, type: EV_SYN, code: 0, value: 0 },
      { sec: 1, usec: 5, type: EV_KEY, code, value: 0 },
      { sec: 1, usec: 5, type: EV_SYN, code: 0, value: 0 },
    ],
    wordSizeOf(),
  );
}

export class DaemonKiosk {
  readonly lines: LogLine[] = [];
  /** Replies the sandbox held in a slow phase (its log says so). */
  heldReplies = 0;
  #keypadFd: number | undefined;
  #daemon: LineProcess;
  #sandbox: SandboxProcess;
  /** Index in `lines` where the current daemon run's lines begin. */
  #runStart = 0;

  private constructor(
    readonly dir: string,
    sandbox: SandboxProcess,
    readonly scanner: PtyPair,
    readonly files: DaemonFiles,
    daemon: LineProcess,
    readonly keypadPath: string,
    readonly main: string,
    readonly columns: 32 | 48,
  ) {
    this.#sandbox = sandbox;
    this.#daemon = daemon;
    this.#watchSandbox(sandbox);
    this.#attach(daemon);
  }

  get sandbox(): SandboxProcess {
    return this.#sandbox;
  }

  get daemon(): LineProcess {
    return this.#daemon;
  }

  #watchSandbox(sandbox: SandboxProcess): void {
    sandbox.process.onLine((raw) => {
      if (raw.includes('"msg":"sandbox slow phase: reply held"')) this.heldReplies += 1;
    });
  }

  #attach(daemon: LineProcess): void {
    this.#runStart = this.lines.length;
    daemon.onLine((raw) => {
      try {
        this.lines.push(JSON.parse(raw) as LogLine);
      } catch {
        // Not a log line.
      }
    });
  }

  /** The daemon dies at once (power cut) and a new one starts on the same state and devices. */
  async restart(): Promise<void> {
    await this.#closeDaemon();
    this.#daemon = new LineProcess(process.execPath, [this.main, 'run', '--config', this.files.configFile]);
    this.#attach(this.#daemon);
    await this.#ready();
  }

  /** SIGKILL the daemon as soon as a log line matches (the kill lands right behind that line). */
  killOn(match: (l: LogLine) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const off = this.#daemon.onLine((raw) => {
        let l: LogLine;
        try {
          l = JSON.parse(raw) as LogLine;
        } catch {
          return;
        }
        if (!match(l)) return;
        off();
        this.#daemon.kill('SIGKILL');
        resolve();
      });
    });
  }

  /** The gateway goes away (connections refused) and comes back on the same port. */
  async stopGateway(): Promise<number> {
    const port = Number(new URL(this.#sandbox.url).port);
    this.#sandbox.process.kill('SIGTERM');
    await this.#sandbox.process.stop(5_000);
    return port;
  }

  async startGateway(port: number, personality: PersonalitySpec = { personality: 'today' }): Promise<void> {
    this.#sandbox = await startSandbox(this.main, this.dir, personality, port);
    this.#watchSandbox(this.#sandbox);
  }

  /** Everything the printer received, decoded (throws on any byte sequence it does not know). */
  paper(): Decoded {
    const path = join(this.dir, 'paper.bin');
    return decodeEscpos(existsSync(path) ? readFileSync(path) : Buffer.alloc(0), { columns: this.columns });
  }

  /** The receipts printed so far (cut to cut): their text lines and the order their QR code names. */
  receipts(): { lines: string[]; order: string | undefined }[] {
    const { lines, cuts, qr } = this.paper();
    let from = 0;
    // Every receipt carries exactly one QR code: the n-th code belongs to the n-th receipt.
    return cuts.map((cut, i) => {
      const receipt = { lines: lines.slice(from, cut).map((l) => l.trimEnd()), order: qr[i] };
      from = cut + 1;
      return receipt;
    });
  }

  /** Waits until `cond` holds (polled), or throws naming `what`. */
  until(what: string, ms: number, cond: () => boolean): Promise<void> {
    return until(what, ms, cond);
  }

  seen(match: (l: LogLine) => boolean): boolean {
    return this.lines.slice(this.#runStart).some(match);
  }

  static async start(
    main: string,
    personality: PersonalitySpec,
    opts: KioskOptions = {},
  ): Promise<DaemonKiosk> {
    const dir = mkdtempSync(join(tmpdir(), 'xpos-kiosk-'));
    const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
    try {
      const sandbox = await startSandbox(main, dir, personality);
      cleanups.push(async () => {
        sandbox.process.kill('SIGTERM');
        await sandbox.process.stop(5_000);
      });
      const scanner = await openPtyPair();
      cleanups.push(() => scanner.close());
      const keypadPath = join(dir, 'event0');
      execFileSync('mkfifo', [keypadPath]);
      const devices = JSON.stringify({
        scanner: { type: 'serial', path: scanner.port, terminator: 'cr' },
        keypad: { type: 'evdev', path: keypadPath },
        printer: { type: 'file', path: join(dir, 'paper.bin'), columns: opts.columns ?? 32 },
      });
      const files = writeDaemonConfig(dir, sandbox.url, devices, {
        store: JSON.stringify({
          store_id: '333333',
          cashier_id: '346753',
          cashier_name: 'chaos',
          machine_id: 'CHAOS01',
          ...(opts.supportText !== undefined && { support_text: opts.supportText }),
        }),
        kiosk: JSON.stringify({
          duplicate_scan_window_ms: 0,
          key_bounce_ms: 0,
          language: opts.language ?? 'zh',
        }),
        offline: JSON.stringify({ enabled: opts.offline === true, member_code_pattern: '^M[0-9]{8}$' }),
      });
      const daemon = new LineProcess(process.execPath, [main, 'run', '--config', files.configFile]);
      const kiosk = new DaemonKiosk(
        dir,
        sandbox,
        scanner,
        files,
        daemon,
        keypadPath,
        main,
        opts.columns ?? 32,
      );
      cleanups.push(() => kiosk.#closeDaemon());
      await kiosk.#ready();
      return kiosk;
    } catch (e) {
      for (const cleanup of cleanups.reverse()) await cleanup();
      throw e;
    }
  }

  async #ready(): Promise<void> {
    // The daemon tries every device before it says READY, and opening a FIFO waits for a writer:
    // the keypad's writing end goes first. It can open only while the daemon is opening it.
    await until('the daemon to open the keypad', 20_000, () => {
      try {
        this.#keypadFd = openSync(this.keypadPath, constants.O_WRONLY | constants.O_NONBLOCK);
        return true;
      } catch {
        return false;
      }
    });
    await until('agent ready', 20_000, () => this.seen((l) => l.msg === 'agent ready'));
    for (const device of ['scanner', 'keypad']) {
      await until(`the ${device} online`, 10_000, () =>
        this.seen((l) => l.msg === 'device state' && l['device'] === device && l['state'] === 'online'),
      );
    }
  }

  #count(match: (l: LogLine) => boolean): number {
    return this.lines.filter(match).length;
  }

  #press(name: 'KEY_A' | 'KEY_1'): void {
    if (this.#keypadFd === undefined) throw new Error('keypad not open');
    writeSync(this.#keypadFd, keyPress(name));
  }

  /**
   * One sale of preset A paid with `code`, as a member does it: the preset key, the code over the
   * serial line, then the kiosk's result. A digit after the preset is ignored while the kiosk awaits
   * the scan, and the log says so: proof the preset was taken before the code is sent.
   */
  async sell(code: string): Promise<SoldSale> {
    const saleId = await this.begin(code);
    const recorded = (l: LogLine): boolean => l.msg === 'sale recorded' && l['saleId'] === saleId;
    const finished = (l: LogLine): boolean => l.msg === 'sale finished' && l['saleId'] === saleId;
    await until(`sale ${saleId} to finish`, 60_000, () => this.seen(finished));
    return {
      saleId,
      outBizId: String(this.lines.find(recorded)?.['outBizId']),
      shown: String(this.lines.find(finished)?.['status']),
    };
  }

  /** The preset key, then the code over the serial line; returns once the sale has started. */
  async begin(code: string): Promise<string> {
    const awaiting = (l: LogLine): boolean => l.msg === 'key ignored while awaiting scan';
    const before = this.#count(awaiting);
    this.#press('KEY_A');
    this.#press('KEY_1');
    await until('the kiosk to await the scan', 10_000, () => this.#count(awaiting) > before);
    // `sale recorded` (the intent commit) comes first: a test may kill the daemon right behind it.
    const recorded = (l: LogLine): boolean => l.msg === 'sale recorded';
    const before2 = this.#count(recorded);
    this.scanner.send(`${code}\r`);
    await until('the sale to be recorded', 10_000, () => this.#count(recorded) > before2);
    return String(this.lines.filter(recorded).at(-1)?.['saleId']);
  }

  async #closeDaemon(): Promise<void> {
    this.#daemon.kill('SIGKILL');
    await this.#daemon.exited;
    if (this.#keypadFd !== undefined) closeSync(this.#keypadFd);
    this.#keypadFd = undefined;
  }

  async close(): Promise<void> {
    await this.#closeDaemon();
    this.#sandbox.process.kill('SIGTERM');
    await this.#sandbox.process.stop(5_000);
    await this.scanner.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
