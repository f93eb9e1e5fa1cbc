/**
 * sd_notify(3) from Node: READY, WATCHDOG, STOPPING and STATUS datagrams to `$NOTIFY_SOCKET`. Node has
 * no AF_UNIX datagram sockets, so the optional native `unix-dgram` package sends them. Without
 * `$NOTIFY_SOCKET` (a terminal, the simulator, tests) every call is a no-op.
 */
import { createRequire } from 'node:module';
import type { Logger } from '../log.js';

/** The part of `unix-dgram` we use (it ships no types). */
interface DgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb?: (err?: Error) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  close(): void;
}
type CreateSocket = (type: 'unix_dgram') => DgramSocket;

export interface Notifier {
  /** True when systemd is listening. */
  readonly active: boolean;
  ready(status: string): void;
  status(status: string): void;
  /**
   * Pings at half `$WATCHDOG_USEC` while `alive()` holds. A wedged event loop sends nothing at all,
   * and an unhealthy ledger is reported by `alive()`: either way systemd restarts the daemon.
   */
  watchdog(alive: () => boolean): void;
  stopping(status: string): void;
  close(): void;
}

const NOOP: Notifier = {
  active: false,
  ready: () => undefined,
  status: () => undefined,
  watchdog: () => undefined,
  stopping: () => undefined,
  close: () => undefined,
};

export interface NotifyOptions {
  log: Logger;
  env?: NodeJS.ProcessEnv;
  pid?: number;
  /** Tests inject a socket factory; production loads `unix-dgram`. */
  createSocket?: CreateSocket;
}

export function createNotifier(opts: NotifyOptions): Notifier {
  const env = opts.env ?? process.env;
  const log = opts.log.child({ module: 'systemd' });
  const raw = env.NOTIFY_SOCKET;
  if (raw === undefined || raw === '') return NOOP;
  // An abstract-namespace socket is written "@name"; on the wire its first byte is NUL.
  const path = raw.startsWith('@') ? `\0${raw.slice(1)}` : raw;
  let socket: DgramSocket;
  try {
    socket = (opts.createSocket ?? loadUnixDgram())('unix_dgram');
  } catch (e) {
    // Type=notify without a notifier: systemd times the start out. Say why, loudly, once.
    log.error({ err: e }, 'NOTIFY_SOCKET is set but unix-dgram cannot be loaded; rebuild node_modules');
    return NOOP;
  }
  let warned = false;
  socket.on('error', (err) => {
    if (!warned) log.warn({ err }, 'sd_notify failed');
    warned = true;
  });
  const send = (message: string): void => {
    const buf = Buffer.from(message);
    try {
      socket.send(buf, 0, buf.length, path);
    } catch (err) {
      if (!warned) log.warn({ err }, 'sd_notify failed');
      warned = true;
    }
  };
  const usec = Number(env.WATCHDOG_USEC ?? 0);
  const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === (opts.pid ?? process.pid);
  let timer: NodeJS.Timeout | undefined;
  let unhealthy = false;
  const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ').slice(0, 200);
  return {
    active: true,
    ready: (status) => send(`READY=1\nSTATUS=${oneLine(status)}\nMAINPID=${opts.pid ?? process.pid}`),
    status: (status) => send(`STATUS=${oneLine(status)}`),
    watchdog: (alive) => {
      if (!(usec > 0) || !forUs || timer) return;
      timer = setInterval(
        () => {
          const ok = alive();
          if (ok) send('WATCHDOG=1');
          if (ok === unhealthy)
            log[ok ? 'info' : 'error'](ok ? 'healthy again' : 'unhealthy: watchdog pings stop');
          unhealthy = !ok;
        },
        Math.max(500, Math.floor(usec / 2000)),
      );
      timer.unref();
    },
    stopping: (status) => {
      clearInterval(timer);
      timer = undefined;
      send(`STOPPING=1\nSTATUS=${oneLine(status)}`);
    },
    close: () => {
      clearInterval(timer);
      timer = undefined;
      socket.close();
    },
  };
}

function loadUnixDgram(): CreateSocket {
  const require = createRequire(import.meta.url);
  const mod = require('unix-dgram') as { createSocket: CreateSocket };
  return mod.createSocket;
}
