/**
 * The HTTP side of the gateway client, on got. Imported by TopClient when it is first needed (or
 * warmed right after READY): got with http2-wrapper and Node's http, https, http2, tls and zlib
 * are ~40 ms of CPU to load, which the kiosk need not spend before it can show its ready screen.
 */
import got, { RequestError, TimeoutError, type Agents } from 'got';
import type { CallOutcome } from './types.js';

export interface PostOptions {
  body: string;
  headers: Record<string, string>;
  timeouts: { lookupMs?: number | undefined; connectMs: number; responseMs: number; requestMs: number };
  signal: AbortSignal | undefined;
  agent: Agents | undefined;
}

export interface PostReply {
  statusCode: number;
  body: string;
  /** The reply's `Date` header. */
  date: string | undefined;
}

/** One POST, never retried, never redirected; any HTTP status is a reply (the caller classifies it). */
export async function post(url: URL, o: PostOptions): Promise<PostReply> {
  const t = o.timeouts;
  const response = await got.post(url, {
    body: o.body,
    headers: o.headers,
    retry: { limit: 0 },
    timeout: {
      ...(t.lookupMs !== undefined && { lookup: t.lookupMs }),
      connect: t.connectMs,
      secureConnect: t.connectMs,
      response: t.responseMs,
      request: t.requestMs,
    },
    throwHttpErrors: false,
    // A captive portal's redirect must not carry the signed form (and the code) elsewhere.
    followRedirect: false,
    responseType: 'text',
    signal: o.signal,
    ...(o.agent !== undefined && { agent: o.agent }),
  });
  return { statusCode: response.statusCode, body: response.body, date: response.headers.date };
}

const TLS_HANDSHAKE_CODE =
  /^(EPROTO|ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/;

/**
 * A transport failure is `not-sent` only when no request byte can have left: the TCP connection
 * never came up (DNS failure, refused, unreachable, connect timeout, abort before connect), or
 * the TLS handshake failed (request bytes are written only after it). got's timings say which
 * phases completed; anything after that is `ambiguous`, because the service may have the request.
 */
export function transportOutcome(e: unknown, https: boolean): CallOutcome<never> {
  if (!(e instanceof RequestError)) throw e;
  // OpenSSL messages span lines; one line keeps the log greppable.
  const reason = `${e.code}: ${e.message.replace(/\s+/g, ' ').trim()}`;
  const timings = e.timings;
  if (timings?.connect === undefined) return { kind: 'not-sent', reason };
  if (https && timings.secureConnect === undefined) {
    const handshake =
      (e instanceof TimeoutError && e.event === 'secureConnect') ||
      TLS_HANDSHAKE_CODE.test(e.code) ||
      e.message.includes('before secure TLS connection was established');
    if (handshake) return { kind: 'not-sent', reason };
  }
  return { kind: 'ambiguous', reason };
}
