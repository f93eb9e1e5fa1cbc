/**
 * The embedded sandbox gateway: a real HTTP server on loopback that speaks the TOP protocol for
 * xpos.pay and xpos.querystatus. The simulator and the integration tests point the production
 * TopClient at it, so they exercise the same signing, envelopes, retries and clock handling as the
 * field — over a real socket, with faults a mock could not produce (resets, truncation, HTML).
 *
 *   POST|GET /router/rest        TOP calls (query and form body merged)
 *   /_sandbox/…                  the control routes (see control.ts), loopback only
 *
 * Its personality (personality.ts) says how the payment service dedups and completes payments,
 * and whether the gateway is congested; faults (faults.ts) are the network's, on top of any.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError, ErrorCode, asError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ChargeLedger } from './charges.js';
import { CONTROL_PREFIX, handleControl } from './control.js';
import { FaultControl, type DispositionFault } from './faults.js';
import {
  BAD_GATEWAY_HTML,
  BodyTooLarge,
  CAPTIVE_PORTAL_HTML,
  HTML_TYPE,
  JSON_TYPE,
  readBody,
  send,
  topParams,
} from './http.js';
import { BookFile, loadBookLogged } from './book-file.js';
import { PaymentBook } from './payments.js';
import {
  PersonalityControl,
  toPersonality,
  type PersonalityName,
  type PersonalitySpec,
} from './personality.js';
import { errorBody, errors, methodKind, newTraceId, rateLimited, remoteError } from './protocol.js';
import { TopRouter } from './router.js';

export const TOP_PATH = '/router/rest';
export const DEFAULT_PENDING_MS = 4000;

export interface SandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback only: the control routes must never face a network. */
  host?: '127.0.0.1';
  appKey: string;
  secret: string;
  log: Logger;
  /** The gateway's clock; tests inject one to drive timestamps and pending payments. */
  now?: () => number;
  /** How long a pending demo code stays pending (default 4000 ms). */
  pendingMs?: number;
  /** The gateway's personality (default `today`); a name, or a name with params. */
  personality?: PersonalityName | PersonalitySpec;
  /**
   * Keep the payment book in this file (book-file.ts) and go on from it at start: the simulator's
   * `<state dir>/sandbox-book.json`. Without it the book lives in memory only (tests, `sandbox`).
   */
  bookFile?: string;
}

export class SandboxGateway {
  /** `http://127.0.0.1:PORT/router/rest`, what the client's `gateway.url` should be. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`, the base of the control routes. */
  readonly origin: string;
  readonly port: number;
  readonly faults = new FaultControl();
  readonly personality: PersonalityControl;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #closing = new AbortController();
  readonly #book: PaymentBook;
  readonly #bookFile: BookFile | undefined;
  readonly #router: TopRouter;
  readonly #now: () => number;
  readonly #log: Logger;
  #closed: Promise<void> | undefined;

  private constructor(server: Server, opts: SandboxOptions, now: () => number) {
    this.#server = server;
    this.#now = now;
    this.#log = opts.log;
    this.personality = new PersonalityControl(toPersonality(opts.personality ?? 'today'), now);
    const address = server.address() as AddressInfo;
    this.port = address.port;
    this.origin = `http://127.0.0.1:${address.port}`;
    this.url = `${this.origin}${TOP_PATH}`;
    this.#bookFile = opts.bookFile === undefined ? undefined : new BookFile(opts.bookFile);
    const saved = opts.bookFile === undefined ? {} : loadBookLogged(opts.bookFile, opts.log);
    this.#book = new PaymentBook({
      now,
      pendingMs: opts.pendingMs ?? DEFAULT_PENDING_MS,
      takePendingThen: () => this.faults.takePendingThen(),
      personality: () => this.personality.current,
      ...(saved.book !== undefined && { initial: saved.book }),
    });
    this.#router = new TopRouter({
      appKey: opts.appKey,
      secret: opts.secret,
      book: this.#book,
      log: opts.log,
    });
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((e: unknown) => {
        this.#internalError(req, res, e);
      });
    });
  }

  static async start(opts: SandboxOptions): Promise<SandboxGateway> {
    const host: string = opts.host ?? '127.0.0.1';
    if (host !== '127.0.0.1') {
      // The type already says so; this is for JavaScript callers and config typos.
      throw new AgentError(ErrorCode.ConfigInvalid, `sandbox host ${host} — only 127.0.0.1 is allowed`);
    }
    // Checked before binding, so a bad personality leaves no server behind.
    toPersonality(opts.personality ?? 'today');
    const server = createServer();
    const port = opts.port ?? 0;
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        const why =
          e.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${e.code ?? e.message})`;
        reject(
          new AgentError(
            ErrorCode.SandboxConflict,
            `sandbox port ${host}:${port} ${why}`,
            { port },
            { cause: e },
          ),
        );
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const gateway = new SandboxGateway(server, opts, opts.now ?? Date.now);
    opts.log.info({ url: gateway.url, appKey: opts.appKey }, 'sandbox gateway listening');
    return gateway;
  }

  /** Every charge made so far; reading it settles pending payments whose time has come. */
  get charges(): ChargeLedger {
    return this.#book.ledger;
  }

  /** Stop listening and drop every connection, in-flight ones included. Safe to call twice. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#closing.abort();
      this.#server.close(() => {
        resolve();
      });
      this.#server.closeAllConnections();
      for (const socket of this.#sockets) socket.destroy();
      this.#log.info({ url: this.url }, 'sandbox gateway closed');
    });
    return this.#closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      await handleControl(req, res, url.pathname, {
        faults: this.faults,
        charges: this.charges,
        personality: this.personality,
        serverNowMs: () => this.#now() + this.faults.peekSkewMs(),
      });
      return;
    }
    const nowMs = this.#now() + this.faults.peekSkewMs();
    if (url.pathname !== TOP_PATH) {
      send(res, 404, JSON_TYPE, JSON.stringify({ error: `not found: ${url.pathname}` }), nowMs);
      return;
    }
    if (req.method !== 'POST' && req.method !== 'GET') {
      send(res, 200, JSON_TYPE, errorBody(errors.httpAction, newTraceId()), nowMs);
      return;
    }
    const body = req.method === 'POST' ? await readBody(req) : '';
    const params = topParams(url, req.headers['content-type'], body);
    const method = methodKind(params['method']);
    const faults = this.faults.take(method);
    const d = faults.disposition;
    if (d !== undefined) this.#log.info({ fault: d.kind, method }, 'sandbox fault hits call');
    if (faults.delayMs > 0) await sleep(faults.delayMs, undefined, { signal: this.#closing.signal });
    const serverNowMs = this.#now() + faults.skewMs;

    if (d !== undefined && this.#disruptBefore(d, req, res, serverNowMs)) return;
    const reply = this.#router.handle(params, serverNowMs);
    // Saved before the answer leaves: a payment the client was told about is never lost to a quit.
    this.#bookFile?.save(this.#book);
    // A congested gateway (`slow`): processed and charged now, answered long after the client gave up.
    const holdMs = this.personality.replyHoldMs();
    if (holdMs > 0) {
      this.#log.info({ method, holdMs, traceId: reply.traceId }, 'sandbox slow phase: reply held');
      await sleep(holdMs, undefined, { signal: this.#closing.signal });
    }
    // The Date header is the clock when the reply leaves (clients learn their offset from it).
    const sentAtMs = holdMs > 0 ? this.#now() + faults.skewMs : serverNowMs;
    if (d === undefined) {
      send(res, 200, JSON_TYPE, reply.body, sentAtMs);
      return;
    }
    this.#disruptAfter(d, req, res, reply.body, sentAtMs);
  }

  /** Faults that answer instead of the service: nothing is processed, nothing charged. True if handled. */
  #disruptBefore(d: DispositionFault, req: IncomingMessage, res: ServerResponse, nowMs: number): boolean {
    switch (d.kind) {
      case 'reset-before':
        req.socket.resetAndDestroy();
        return true;
      case 'html':
        send(res, 200, HTML_TYPE, CAPTIVE_PORTAL_HTML, nowMs);
        return true;
      case 'rate-limit':
        send(res, 200, JSON_TYPE, errorBody(rateLimited(d.banSeconds ?? 2), newTraceId()), nowMs);
        return true;
      case 'http-502':
      case 'isp':
        if (d.after === true) return false;
        this.#disruptAfter(d, req, res, '', nowMs);
        return true;
      case 'reset-after':
      case 'truncated':
        return false;
    }
  }

  /** Faults that hit the reply of a call already processed (and possibly charged). */
  #disruptAfter(
    d: DispositionFault,
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
    nowMs: number,
  ): void {
    switch (d.kind) {
      case 'reset-after':
      case 'reset-before':
        req.socket.resetAndDestroy();
        return;
      case 'http-502':
        send(res, 502, HTML_TYPE, BAD_GATEWAY_HTML, nowMs);
        return;
      case 'isp': {
        const error = remoteError('isp.top-remote-connection-timeout', 'Remote service connection timeout');
        send(res, 200, JSON_TYPE, errorBody(error, newTraceId()), nowMs);
        return;
      }
      case 'truncated': {
        const bytes = Buffer.from(body, 'utf8');
        send(res, 200, JSON_TYPE, bytes.subarray(0, Math.floor(bytes.length / 2)), nowMs);
        return;
      }
      case 'html':
      case 'rate-limit':
        send(res, 200, JSON_TYPE, body, nowMs);
        return;
    }
  }

  #internalError(req: IncomingMessage, res: ServerResponse, e: unknown): void {
    const err = asError(e);
    if (this.#closing.signal.aborted) {
      // A delayed call cut short by close(): the client sees the connection drop.
      req.socket.destroy();
      return;
    }
    if (err instanceof BodyTooLarge) {
      this.#log.warn({ path: req.url }, 'sandbox dropped an oversized request');
      req.socket.destroy();
      return;
    }
    this.#log.error({ err, path: req.url }, 'sandbox failed to answer');
    if (res.headersSent) req.socket.destroy();
    else send(res, 500, JSON_TYPE, JSON.stringify({ error: err.message }), this.#now());
  }
}
