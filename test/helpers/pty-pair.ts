/**
 * A real serial line for tests: `socat` joins two pseudo-terminals and gives them stable names
 * (`<dir>/device` for the test's end, `<dir>/port` for the driver's end). `unplug()` kills socat,
 * which removes both links and makes the driver's reads fail exactly like a pulled USB cable;
 * `plug()` starts it again under the same names.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PtyPair {
  /** The path the driver under test opens (like /dev/ttyACM0). */
  readonly port: string;
  /** Write bytes as the device would send them. */
  send(data: Buffer | string): void;
  /** Bytes the driver wrote to the device since the last call (non-blocking read). */
  received(): Buffer;
  /** Pull the cable: both ends disappear. */
  unplug(): Promise<void>;
  /** Plug it back in under the same path. */
  plug(): Promise<void>;
  close(): Promise<void>;
}

export function socatAvailable(): boolean {
  try {
    execFileSync('socat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function openPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'xpos-pty-'));
  const port = join(dir, 'port');
  const device = join(dir, 'device');
  let proc: ChildProcess | undefined;
  let fd: number | undefined;

  const plug = async (): Promise<void> => {
    const child = spawn('socat', [`pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${port}`], {
      stdio: 'ignore',
    });
    proc = child;
    for (let i = 0; i < 200 && !(existsSync(device) && existsSync(port)); i += 1) await sleep(10);
    if (!existsSync(port)) throw new Error('socat did not create the pty pair');
    // O_NONBLOCK so received() never blocks the test; O_NOCTTY so the pty never becomes ours.
    fd = openSync(device, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
  };

  const unplug = async (): Promise<void> => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    const child = proc;
    proc = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
    for (let i = 0; i < 100 && existsSync(port); i += 1) await sleep(10);
  };

  await plug();
  return {
    port,
    send(data) {
      if (fd === undefined) throw new Error('pty pair is unplugged');
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    },
    received() {
      if (fd === undefined) return Buffer.alloc(0);
      const chunks: Buffer[] = [];
      const buf = Buffer.alloc(4096);
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
          throw e;
        }
        if (n <= 0) break;
        chunks.push(Buffer.from(buf.subarray(0, n)));
      }
      return Buffer.concat(chunks);
    },
    unplug,
    plug,
    async close() {
      await unplug();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
