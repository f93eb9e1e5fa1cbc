/**
 * The daemon under test: `xpos-agent run` from dist/ with simulated devices, driven through stdin
 * line commands and watched through its JSON log lines.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineProcess } from './procs.js';
import { CHAOS_APP_KEY } from './sandbox.js';

/** The fields of a log line the harness acts on. */
export interface DaemonLine {
  msg: string;
  saleId?: string;
  outBizId?: string;

  status?: string;
  amountFen?: number;
}

export function parseLine(line: string): DaemonLine | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r['msg'] !== 'string') return undefined;
  const str = (k: string): Record<string, string> => (typeof r[k] === 'string' ? { [k]: r[k] } : {});
  return {
    msg: r['msg'],
    ...str('saleId'),
    ...str('outBizId'),

    ...str('status'),
    ...(typeof r['amountFen'] === 'number' && { amountFen: r['amountFen'] }),
  };
}

export interface SeenSale {
  outBizId: string;
  /** The kiosk's id within one daemon run (not unique across runs in every version). */
  saleId: string;
  amountFen?: number;
}

/**
 * Sales the daemons announced in their logs, across every run, by out_biz_id: `sale recorded`
 * (logged after the intent commit) gives it, `sale started` the amount; the two are joined by sale
 * id within one run, in either order. The ledger must know each of them.
 */
export class Observed {
  readonly sales = new Map<string, SeenSale>();

  /** A reader for one daemon run's lines. */
  run(): (line: DaemonLine) => void {
    const outBizIds = new Map<string, string>();
    const amounts = new Map<string, number>();
    return (line) => {
      const { saleId } = line;
      if (saleId === undefined) return;
      if (line.msg === 'sale recorded' && line.outBizId !== undefined) {
        outBizIds.set(saleId, line.outBizId);
        const amountFen = amounts.get(saleId);
        this.sales.set(line.outBizId, {
          outBizId: line.outBizId,
          saleId,
          ...(amountFen !== undefined && { amountFen }),
        });
      } else if (line.msg === 'sale started' && line.amountFen !== undefined) {
        amounts.set(saleId, line.amountFen);
        const sale = this.sales.get(outBizIds.get(saleId) ?? '');
        if (sale) sale.amountFen = line.amountFen;
      }
    };
  }
}

export interface DaemonFiles {
  configFile: string;
  stateDir: string;
}

/** Scripted devices: the keypad and scanner read line commands from the daemon's stdin. */
export const SCRIPTED_DEVICES = '{ keypad: { type: sim }, scanner: { type: sim }, printer: { type: sim } }';

/**
 * The daemon's config: the sandbox child as gateway (same key and secret file), short waits so a
 * pending sale does not hold the kiosk for long, and short client timeouts so a delayed reply also
 * becomes an unknown outcome the daemon must resolve. `devices` is the YAML flow map of
 * `devices:`.
 */
/** Config sections a test may replace, each as YAML flow text (`{ language: en }`). */
export type ConfigSections = Partial<Record<'store' | 'kiosk' | 'payment' | 'offline', string>>;

export function writeDaemonConfig(
  dir: string,
  gatewayUrl: string,
  devices: string = SCRIPTED_DEVICES,
  sections: ConfigSections = {},
): DaemonFiles {
  const stateDir = join(dir, 'state');
  const configFile = join(dir, 'xpos-agent.yaml');
  const s = {
    store: '{ store_id: "333333", cashier_id: "346753", cashier_name: chaos, machine_id: CHAOS01 }',
    kiosk: '{ duplicate_scan_window_ms: 0, key_bounce_ms: 0 }',
    payment: '{ customer_wait_ms: 5000, poll_interval_ms: 1000 }',
    offline: '{ enabled: false }',
    ...sections,
  };
  const yaml = `# written by test/chaos
gateway:
  url: ${JSON.stringify(gatewayUrl)}
  app_key: ${JSON.stringify(CHAOS_APP_KEY)}
  secret_file: ${JSON.stringify(join(dir, 'app-secret'))}
  connect_timeout_ms: 1000
  response_timeout_ms: 2000
  request_timeout_ms: 3000
store: ${s.store}
presets:
  A: { label: 单次入场, price: 39, item_id: 1001 }
  B: { label: 月卡, price: 299, item_id: 1002 }
  C: { label: 毛巾租用, price: 5 }
  D: { label: 运动饮料, price: 6.50 }
kiosk: ${s.kiosk}
payment: ${s.payment}
offline: ${s.offline}
devices: ${devices}
paths: { state_dir: ${JSON.stringify(stateDir)} }
log: { level: info }
`;
  writeFileSync(configFile, yaml);
  return { configFile, stateDir };
}

export class Daemon {
  readonly process: LineProcess;

  private constructor(proc: LineProcess) {
    this.process = proc;
  }

  /**
   * Start the daemon and wait for `agent ready`; throws (after killing it) when it does not come.
   * Its log lines are appended to `logFile` for a post-mortem (CHAOS_KEEP=1 keeps them).
   */
  static async start(
    main: string,
    files: DaemonFiles,
    observed: Observed,
    timeoutMs: number,
    logFile: string,
  ): Promise<Daemon> {
    const proc = new LineProcess(process.execPath, [main, 'run', '--config', files.configFile]);
    const log = createWriteStream(logFile, { flags: 'a' });
    proc.onLine((line) => log.write(`${line}\n`));
    void proc.exited.then(() => log.end());
    const take = observed.run();
    proc.onLine((raw) => {
      const line = parseLine(raw);
      if (line) take(line);
    });
    const ready = await proc.waitFor(
      (raw) => (parseLine(raw)?.msg === 'agent ready' ? true : undefined),
      timeoutMs,
    );
    if (ready === undefined) {
      proc.kill('SIGKILL');
      const exit = await proc.exited;
      throw new Error(
        `the daemon was not ready within ${timeoutMs} ms (exit ${exit.code ?? exit.signal ?? '?'}): ${proc.stderrTail.trim()}`,
      );
    }
    return new Daemon(proc);
  }

  onLine(listener: (line: DaemonLine) => void): () => void {
    return this.process.onLine((raw) => {
      const line = parseLine(raw);
      if (line) listener(line);
    });
  }

  /** Script lines (`key A`, `scan CODE`) for the simulated keypad and scanner. */
  send(lines: string): void {
    this.process.write(lines);
  }
}
