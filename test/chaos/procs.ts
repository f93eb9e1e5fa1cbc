/**
 * The harness's child processes: every one is registered so that it is killed, by its own handle,
 * when the harness finishes, fails or is interrupted; a leaked sandbox or daemon would keep a port
 * and a terminal busy long after the run.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

const live = new Set<ChildProcessWithoutNullStreams>();
let hooked = false;

/** SIGKILL every child still running. Synchronous, so it is safe in an `exit` handler. */
export function killAllChildren(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllChildren();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

type LineListener = (line: string) => void;

/** A child whose stdout is read line by line; stderr is kept (the tail) for error messages. */
export class LineProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<Exit>;
  readonly #listeners = new Set<LineListener>();
  #stderr = '';

  constructor(cmd: string, args: readonly string[]) {
    hookExit();
    this.child = spawn(cmd, args, { stdio: 'pipe' });
    live.add(this.child);
    this.exited = new Promise<Exit>((resolve) => {
      this.child.once('close', (code, signal) => {
        live.delete(this.child);
        resolve({ code, signal });
      });
    });
    // A write racing a kill fails with EPIPE; the kill was the point, so the error is expected.
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.on('data', (b: Buffer) => {
      this.#stderr = (this.#stderr + b.toString()).slice(-4000);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      for (const listener of [...this.#listeners]) listener(line);
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get stderrTail(): string {
    return this.#stderr;
  }

  onLine(listener: LineListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The first line (from now on) that `match` accepts, or undefined after `timeoutMs` or on exit. */
  waitFor<T>(match: (line: string) => T | undefined, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const done = (value: T | undefined): void => {
        clearTimeout(timer);
        off();
        resolve(value);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const off = this.onLine((line) => {
        const value = match(line);
        if (value !== undefined) done(value);
      });
      void this.exited.then(() => done(undefined));
    });
  }

  write(text: string): void {
    if (this.running && this.child.stdin.writable) this.child.stdin.write(text);
  }

  kill(signal: NodeJS.Signals): boolean {
    return this.running && this.child.kill(signal);
  }

  /** Wait for the exit; SIGKILL it when it takes longer than `timeoutMs`. */
  async stop(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, timeoutMs, undefined);
    });
    const exit = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (exit !== undefined) return exit;
    this.kill('SIGKILL');
    return this.exited;
  }
}
