/**
 * One HTTPS (or loopback HTTP) POST for the gateway client, on node:http/node:https rather than
 * got: importing got and its dependencies cost ~6 MB of resident memory (test/bench/breakdown.ts)
 * and ~100 ms of CPU (imported alone), for the one call shape used here. What got gave and this
 * keeps: a timeout per phase (lookup, connect, TLS handshake, response, whole request), no
 * redirects (node never follows them), TLS verified (node's default, never turned off here),
 * and a record of which phases completed, so the caller can tell "no byte left" from "the
 * service may have the request". The URL policy (https, plain http only to loopback) stays with
 * the caller (client.ts checkUrl), which is the only one to construct a URL for this.
 */
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';

export interface PostTimeouts {
  /** DNS lookup; when absent, the connect timeout covers it. */
  lookupMs?: number | undefined;
  /** TCP connect, and separately the TLS handshake. */
  connectMs: number;
  /** From the request fully written to the response headers. */
  responseMs: number;
  /** Hard cap on the whole call, body included. */
  requestMs: number;
}

export type Phase = 'lookup' | 'connect' | 'secureConnect' | 'response' | 'request';

export interface PostReply {
  statusCode: number;
  body: string;
  /** The reply's `Date` header. */
  date: string | undefined;
}

/** A gateway reply is a few KiB; anything this large is not one and is not kept in memory. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Why a call failed, and how far it got: `connected` (TCP up) and `secured` (TLS done). */
export class TransportError extends Error {
  readonly code: string;
  readonly connected: boolean;
  readonly secured: boolean;
  /** Set when a phase timeout ended the call. */
  readonly timeout: Phase | undefined;

  constructor(
    message: string,
    code: string,
    progress: { connected: boolean; secured: boolean },
    timeout?: Phase,
  ) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
    this.connected = progress.connected;
    this.secured = progress.secured;
    this.timeout = timeout;
  }
}

export interface PostOptions {
  headers: Record<string, string>;
  timeouts: PostTimeouts;
  signal?: AbortSignal | undefined;
  /** node's global agent (keep-alive) when absent. */
  agent?: HttpAgent | undefined;
}

export function post(url: URL, body: string, o: PostOptions): Promise<PostReply> {
  const https = url.protocol === 'https:';
  const progress = { connected: false, secured: false };
  const fail = (message: string, code: string, timeout?: Phase): TransportError =>
    new TransportError(message, code, { ...progress }, timeout);
  if (o.signal?.aborted === true) return Promise.reject(fail('This operation was aborted', 'ERR_ABORTED'));

  return new Promise<PostReply>((resolve, reject) => {
    const timers = new Set<NodeJS.Timeout>();
    const t = o.timeouts;
    const send = https ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      headers: { ...o.headers, 'content-length': String(Buffer.byteLength(body)) },
      ...(o.agent !== undefined && { agent: o.agent }),
    });
    /** Starts a phase's timer; the returned function stops it when the phase completes. */
    const phase = (name: Phase, ms: number): (() => void) => {
      const timer = setTimeout(() => {
        req.destroy(fail(`Timeout awaiting '${name}' for ${ms}ms`, 'ETIMEDOUT', name));
      }, ms);
      timers.add(timer);
      return () => {
        clearTimeout(timer);
        timers.delete(timer);
      };
    };
    const onAbort = (): void => void req.destroy(fail('This operation was aborted', 'ERR_ABORTED'));
    const done = (): void => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      o.signal?.removeEventListener('abort', onAbort);
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    phase('request', t.requestMs);

    req.once('socket', (socket: Socket) => {
      // A kept-alive socket is already connected (and secured): no request byte waits on them.
      if (!socket.connecting) {
        progress.connected = true;
        progress.secured = true;
        return;
      }
      let connecting: () => void;
      if (t.lookupMs !== undefined) {
        const looked = phase('lookup', t.lookupMs);
        socket.once('lookup', () => {
          looked();
          connecting = phase('connect', t.connectMs);
        });
      } else {
        connecting = phase('connect', t.connectMs);
      }
      socket.once('connect', () => {
        progress.connected = true;
        connecting();
        if (https) {
          const handshake = phase('secureConnect', t.connectMs);
          socket.once('secureConnect', () => {
            progress.secured = true;
            handshake();
          });
        }
      });
    });
    let waiting: (() => void) | undefined;
    req.once('finish', () => (waiting = phase('response', t.responseMs)));

    req.once('response', (res: IncomingMessage) => {
      waiting?.();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy(fail(`reply larger than ${MAX_BODY_BYTES} bytes`, 'ERR_BODY_TOO_LARGE'));
          return;
        }
        chunks.push(chunk);
      });
      res.once('end', () => {
        done();
        const date = res.headers.date;
        resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), date });
      });
      res.once('error', (e) => {
        done();
        reject(e instanceof TransportError ? e : fail(e.message, codeOf(e)));
      });
    });
    req.once('error', (e) => {
      done();
      reject(e instanceof TransportError ? e : fail(e.message, codeOf(e)));
    });
    req.end(body);
  });
}

function codeOf(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : 'ERR_REQUEST';
}
