/**
 * The built daemon (`dist/agent/main.js run`) as a child process for the process-level benches:
 * simulated devices driven by stdin line commands, the embedded sandbox or a sandbox child as
 * gateway, a temporary state directory, and an sd_notify socket the bench listens on. Also /proc
 * readers for what the benches measure. Every child is SIGKILLed if the bench exits early.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEMO_APP_KEY, DEMO_SECRET } from '../../agent/sandbox/cli.js';

// Compiled to dist-bench/test/bench/; the daemon is the one `make build` put in dist/.
export const MAIN = fileURLToPath(new URL('../../../dist/agent/main.js', import.meta.url));

export function requireBuilt(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" first`);
}

/**
 * A kiosk with every device simulated; the gateway is `gateway` or else the embedded sandbox (its
 * demo key and secret). No key bounce or duplicate-scan window: the bench presses the same preset
 * and scans back to back far faster than a member could.
 */
export function writeSimConfig(dir: string, gateway?: SandboxChild): string {
  const file = join(dir, 'xpos-agent.yaml');
  const url = gateway?.url ?? 'sandbox';
  const secret = gateway ? `, secret_file: ${JSON.stringify(gateway.secretFile)}` : '';
  writeFileSync(
    file,
    `# written by test/bench
gateway: { url: ${JSON.stringify(url)}, app_key: ${JSON.stringify(DEMO_APP_KEY)}${secret} }
store: { store_id: "333333", cashier_id: "346753", cashier_name: bench, machine_id: BENCH01 }
presets:
  A: { label: 单次入场, price: 39, item_id: 1001 }
kiosk: { duplicate_scan_window_ms: 0, key_bounce_ms: 0 }
devices: { scanner: { type: sim }, keypad: { type: sim }, printer: { type: sim } }
paths: { state_dir: ${JSON.stringify(join(dir, 'state'))} }
log: { level: info }
`,
  );
  return file;
}

const live = new Set<ChildProcessWithoutNullStreams>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A JSON log line: its `msg`, all its `fields`, and `at`, performance.now() here when it was read. */
export interface LogLine {
  msg: string;
  fields: Record<string, unknown>;
  at: number;
}

export interface ChildOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** The xpos-agent command line; `run --config FILE` by default. */
  args?: readonly string[];
  /** Node's own flags, before the script. */
  nodeArgs?: readonly string[];
}

/** One run of `xpos-agent <args>`. `spawnedAt` is performance.now() just before spawn(2). */
export class DaemonChild {
  readonly child: ChildProcessWithoutNullStreams;
  readonly spawnedAt: number;
  readonly exited: Promise<number | string>;
  readonly #listeners = new Set<(line: LogLine) => void>();
  readonly #raw = new Set<(line: string) => void>();
  #stderr = '';

  constructor(configFile: string, o: ChildOptions = {}) {
    const args = o.args ?? ['run', '--config', configFile];
    this.spawnedAt = performance.now();
    this.child = spawn(process.execPath, [...(o.nodeArgs ?? []), MAIN, ...args], {
      stdio: 'pipe',
      env: { ...process.env, ...o.env },
    });
    live.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        live.delete(this.child);
        resolve(code ?? signal ?? '?');
      });
    });
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.on('data', (b: Buffer) => {
      this.#stderr = (this.#stderr + b.toString()).slice(-4000);
    });
    createInterface({ input: this.child.stdout }).on('line', (raw) => {
      const at = performance.now();
      for (const l of [...this.#raw]) l(raw);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return;
      }
      if (typeof parsed !== 'object' || parsed === null) return;
      const fields = parsed as Record<string, unknown>;
      const { msg } = fields;
      if (typeof msg !== 'string') return;
      for (const l of [...this.#listeners]) l({ msg, fields, at });
    });
  }

  get pid(): number {
    const { pid } = this.child;
    if (pid === undefined) throw new Error('the daemon did not start');
    return pid;
  }

  get stderrTail(): string {
    return this.#stderr;
  }

  /** Every stdout line as it is, JSON or not. */
  onRawLine(listener: (line: string) => void): () => void {
    this.#raw.add(listener);
    return () => this.#raw.delete(listener);
  }

  /** The daemon's JSON log lines. */
  onLine(listener: (line: LogLine) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The first line with this `msg` from now on; rejects on timeout or exit. */
  waitFor(msg: string, timeoutMs: number): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no "${msg}" within ${timeoutMs} ms: ${this.#stderr.trim()}`));
      }, timeoutMs);
      const off = this.onLine((line) => {
        if (line.msg !== msg) return;
        clearTimeout(timer);
        off();
        resolve(line);
      });
      void this.exited.then((how) => {
        clearTimeout(timer);
        off();
        reject(new Error(`the daemon exited (${how}) before "${msg}": ${this.#stderr.trim()}`));
      });
    });
  }

  send(lines: string): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.stdin.write(lines);
  }

  /** SIGTERM (the orderly stop systemd sends), SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<number | string> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const how = await this.exited;
    clearTimeout(timer);
    return how;
  }
}

export interface SandboxChild {
  /** The daemon's `gateway.url`. */
  url: string;
  /** 0600, holding the sandbox's demo secret: a remote gateway needs a secret file. */
  secretFile: string;
  process: DaemonChild;
}

/**
 * `xpos-agent sandbox` as its own process, for a daemon that must not carry the gateway's memory
 * (the sandbox remembers every payment, as a gateway does) in its own resident set.
 */
export async function startSandbox(dir: string): Promise<SandboxChild> {
  const secretFile = join(dir, 'app-secret');
  writeFileSync(secretFile, `${DEMO_SECRET}\n`, { mode: 0o600 });
  const proc = new DaemonChild('', { args: ['sandbox', '--port', '0'] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.child.kill('SIGKILL');
      reject(new Error(`no sandbox URL in 10 s: ${proc.stderrTail}`));
    }, 10_000);
    const off = proc.onRawLine((line) => {
      const m = /^sandbox gateway: (http:\/\/127\.0\.0\.1:\d+\S*)$/.exec(line);
      if (!m?.[1]) return;
      clearTimeout(timer);
      off();
      resolve(m[1]);
    });
  });
  return { url, secretFile, process: proc };
}

/** The part of `unix-dgram` the benches use (it ships no types). */
interface DgramSocket {
  bind(path: string): void;
  on(event: 'message', listener: (buf: Buffer) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  close(): void;
}

/** `at`: performance.now() in this process when it arrived. */
export interface Datagram {
  text: string;
  at: number;
}

/** What systemd would be: a unix datagram socket at `path` for the daemon's `$NOTIFY_SOCKET`. */
export class NotifyListener {
  readonly path: string;
  readonly received: Datagram[] = [];
  readonly #socket: DgramSocket;
  readonly #listeners = new Set<(d: Datagram) => void>();
  #closed = false;

  constructor(path: string) {
    const require = createRequire(import.meta.url);
    const { createSocket } = require('unix-dgram') as { createSocket: (type: 'unix_dgram') => DgramSocket };
    this.path = path;
    this.#socket = createSocket('unix_dgram');
    // The binding emits synchronously from bind(); a failure to bind is a broken bench, not a figure.
    this.#socket.on('error', (err) => {
      throw err;
    });
    this.#socket.on('message', (buf) => {
      const d = { text: buf.toString(), at: performance.now() };
      this.received.push(d);
      for (const l of [...this.#listeners]) l(d);
    });
    this.#socket.bind(path);
  }

  /** Datagrams from now on. */
  onMessage(listener: (d: Datagram) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}

export function isReady(d: Datagram): boolean {
  return d.text.split('\n').includes('READY=1');
}

export interface Rss {
  /** VmRSS: what `ps` and the target count. */
  total: number;
  /** RssAnon: the process's own memory (V8 heap, malloc, stacks). */
  anon: number;
  /** RssFile: mapped files in memory, mostly the node binary's code; shared and reclaimable. */
  file: number;
}

/** Resident set of a process, in KiB, from /proc/<pid>/status. */
export function rssOf(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!m?.[1]) throw new Error(`no ${field} for ${pid}`);
    return Number(m[1]);
  };
  return { total: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/** utime + stime of a whole process (every thread), in clock ticks. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces and parentheses; the fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5), counted from 1 with pid and comm as 1 and 2.
  return Number(fields[14 - 3]) + Number(fields[15 - 3]);
}

export function clockTicksPerSecond(): number {
  return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

export function mb(kb: number): string {
  return `${(kb / 1024).toFixed(1)} MB`;
}
