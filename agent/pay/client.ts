/**
 * The TOP gateway client for xpos.pay and xpos.querystatus. It sends each call at most once (plus
 * one resend after a timestamp refusal, which the gateway rejects before dispatch) and reports
 * how it ended as a CallOutcome. Retrying and resolving is the payment layer's job: only it knows
 * whether a sale may already have been charged.
 */
import { isLoopbackHost } from '../../config/loopback.js';
import type { Agents } from 'got';
import { AgentError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { maskCode } from '../mask.js';
import { classifyPay, classifyQuery } from './classify.js';
import { GatewayClock } from './clock.js';
import type * as Http from './http-post.js';
import { sign, type SignMethod } from './sign.js';
import {
  PAY_METHOD,
  QUERY_METHOD,
  type CallOutcome,
  type GatewayError,
  type PayOutcome,
  type PayRequest,
  type QueryOutcome,
  type QueryRequest,
  type XposApi,
} from './types.js';
import { buildForm, FORM_CONTENT_TYPE, queryParams, sendableParams, serializeParam0 } from './wire.js';

export interface TopTimeouts {
  /** TCP connect, and separately the TLS handshake. */
  connectMs: number;
  /** From the request fully written to the first response byte. */
  responseMs: number;
  /** Hard cap on the whole call. */
  requestMs: number;
  lookupMs?: number;
}

export interface TopClientOptions {
  url: string;
  appKey: string;
  /** Never logged, never stored outside a private field. */
  secret: string;
  signMethod?: SignMethod;
  timeouts: TopTimeouts;
  clock?: GatewayClock;
  log: Logger;
  agent?: Agents;
  /** Told about every finished call (metrics): method, outcome kind and wall time. */
  onCall?: (call: { method: string; outcome: string; latencyMs: number }) => void;
}

type Classify<T> = (httpStatus: number, body: string) => CallOutcome<T>;

interface Attempt<T> {
  outcome: CallOutcome<T>;
  /** The reply's `Date` header, to resync from after a timestamp refusal. */
  date?: string | undefined;
  httpStatus?: number;
}

/** Plain HTTP would expose the code and the signed request on the LAN; allowed only for the local sandbox. */
function checkUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AgentError(ErrorCode.GatewayUrlRefused, 'gateway URL is not a valid URL');
  }
  const where = { url: `${url.protocol}//${url.host}${url.pathname}` };
  if (url.username !== '' || url.password !== '') {
    throw new AgentError(ErrorCode.GatewayUrlRefused, 'gateway URL must not carry credentials', where);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new AgentError(
    ErrorCode.GatewayUrlRefused,
    'gateway URL must be https (http only on loopback)',
    where,
  );
}

function errorOf(o: CallOutcome<unknown>): GatewayError | undefined {
  switch (o.kind) {
    case 'declined':
    case 'rejected':
    case 'pending':
    case 'ambiguous':
      return o.error;
    case 'success':
    case 'not-sent':
    case 'malformed':
      return undefined;
  }
}

/** True when the reply parsed as a TOP envelope (only non-TOP replies are malformed or error-less ambiguous). */
function isTopReply(o: CallOutcome<unknown>): boolean {
  return o.kind !== 'malformed' && !(o.kind === 'ambiguous' && o.error === undefined);
}

export class TopClient implements XposApi {
  readonly clock: GatewayClock;
  readonly #url: URL;
  readonly #https: boolean;
  readonly #appKey: string;
  readonly #secret: string;
  readonly #signMethod: SignMethod;
  readonly #timeouts: TopTimeouts;
  readonly #agent: Agents | undefined;
  readonly #log: Logger;
  readonly #onCall: TopClientOptions['onCall'];
  #http: Promise<typeof Http> | undefined;

  constructor(opts: TopClientOptions) {
    this.#url = checkUrl(opts.url);
    this.#https = this.#url.protocol === 'https:';
    if (opts.appKey.trim() === '') throw new AgentError(ErrorCode.ConfigInvalid, 'gateway app_key is empty');
    if (opts.secret.trim() === '') throw new AgentError(ErrorCode.SecretMissing, 'gateway secret is empty');
    this.#appKey = opts.appKey;
    this.#secret = opts.secret;
    this.#signMethod = opts.signMethod ?? 'hmac-sha256';
    this.#timeouts = opts.timeouts;
    this.#agent = opts.agent;
    this.clock = opts.clock ?? new GatewayClock();
    this.#log = opts.log.child({ module: 'pay' });
    this.#onCall = opts.onCall;
  }

  /**
   * Loads the HTTP side now (the daemon calls this right after READY, so the first sale does not
   * wait for it). Rejects only if the install is broken: the daemon treats that as fatal.
   */
  warm(): Promise<void> {
    return this.#httpSide().then(() => undefined);
  }

  #httpSide(): Promise<typeof Http> {
    this.#http ??= import('./http-post.js');
    return this.#http;
  }

  /** Throws AgentError(RequestInvalid) before sending anything if the request cannot be valid. */
  async pay(req: PayRequest, signal?: AbortSignal): Promise<PayOutcome> {
    // Serialised once: every attempt signs and sends this exact string.
    const param0 = serializeParam0(req);
    const context = { requestId: req.requestId, outBizId: req.outBizId, code: maskCode(req.qrCode) };
    return this.#call(PAY_METHOD, { param0 }, classifyPay, context, signal);
  }

  async queryStatus(req: QueryRequest, signal?: AbortSignal): Promise<QueryOutcome> {
    const params = queryParams(req);
    return this.#call(QUERY_METHOD, params, classifyQuery, { ...params }, signal);
  }

  async #call<T>(
    method: string,
    appParams: Record<string, string>,
    classify: Classify<T>,
    context: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<CallOutcome<T>> {
    const log = this.#log.child({ method, ...context });
    const started = performance.now();
    let attempts = 1;
    let result = await this.#send(method, appParams, classify, log, signal);
    const first = result.outcome;
    // Codes 30/31 are refused before dispatch, so one resend with the gateway's time is safe.
    if (first.kind === 'rejected' && first.reason === 'clock' && result.date !== undefined) {
      this.clock.observeDateHeader(result.date, undefined, true);
      log.warn(
        { offsetMs: this.clock.offsetMs },
        'gateway refused our timestamp; clock resynced, resending once',
      );
      attempts += 1;
      result = await this.#send(method, appParams, classify, log, signal);
    }
    const { outcome } = result;
    const error = errorOf(outcome);
    const fields = {
      outcome: outcome.kind,
      traceId: outcome.kind === 'success' ? outcome.traceId : error?.traceId,
      latencyMs: Math.round(performance.now() - started),
      attempts,
      ...(result.httpStatus !== undefined && { httpStatus: result.httpStatus }),
      ...('reason' in outcome && { reason: outcome.reason }),
      ...(error && { gatewayCode: error.code, subCode: error.subCode }),
    };
    this.#onCall?.({ method, outcome: outcome.kind, latencyMs: fields.latencyMs });
    const quiet = outcome.kind === 'success' || outcome.kind === 'pending' || outcome.kind === 'declined';
    if (quiet) log.info(fields, 'gateway call');
    else log.warn(fields, 'gateway call');
    return outcome;
  }

  async #send<T>(
    method: string,
    appParams: Record<string, string>,
    classify: Classify<T>,
    log: Logger,
    signal: AbortSignal | undefined,
  ): Promise<Attempt<T>> {
    const http = await this.#httpSide();
    // Fresh timestamp and signature per attempt; the app params are the caller's exact strings.
    const params = sendableParams({
      ...appParams,
      method,
      app_key: this.#appKey,
      timestamp: this.clock.timestamp(),
      v: '2.0',
      sign_method: this.#signMethod,
      format: 'json',
    });
    const body = buildForm({ ...params, sign: sign(params, this.#secret, this.#signMethod) });
    log.debug({ timestamp: params['timestamp'] }, 'gateway request');
    let response: Http.PostReply;
    try {
      response = await http.post(this.#url, {
        body,
        headers: {
          'content-type': FORM_CONTENT_TYPE,
          accept: 'application/json',
          'user-agent': 'xpos-agent',
        },
        timeouts: this.#timeouts,
        signal,
        agent: this.#agent,
      });
    } catch (e) {
      return { outcome: http.transportOutcome(e, this.#https) };
    }
    const outcome = classify(response.statusCode, response.body);
    const { date } = response;
    // Learn the time only from something that answered as TOP: a captive portal's or a broken
    // proxy's clock would skew every later timestamp (and mark the clock synced).
    if (isTopReply(outcome)) this.clock.observeDateHeader(date);
    return { outcome, date, httpStatus: response.statusCode };
  }
}
