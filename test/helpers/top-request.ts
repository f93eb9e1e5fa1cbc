/**
 * Hand-built, hand-signed TOP calls for the sandbox tests. Deliberately independent of the
 * production client: these tests pin the gateway's behaviour, and a client bug must not be able to
 * hide a gateway bug (or the other way round). Signing reuses agent/pay/sign.ts, which has its own
 * vector tests.
 */
import { createLogger } from '../../agent/log.js';
import { formatGmt8 } from '../../agent/pay/clock.js';
import { sign, type SignMethod } from '../../agent/pay/sign.js';
import { PAY_METHOD, QUERY_METHOD } from '../../agent/pay/types.js';
import { SandboxGateway, type SandboxOptions } from '../../agent/sandbox/server.js';

export const APP_KEY = '12345678';
export const SECRET = 'test-sandbox-secret';
export { PAY_METHOD, QUERY_METHOD };

export interface Signing {
  appKey?: string;
  secret?: string;
  /** The algorithm used to compute `sign` (default hmac-sha256). */
  signMethod?: SignMethod;
  /** Sent as `sign_method` instead of `signMethod` (to send an unknown one). */
  signMethodParam?: string;
  /** Epoch ms the timestamp is made from (default now). */
  nowMs?: number;
  timestamp?: string;
  v?: string;
  format?: string;
  /** Params left out of both the signature and the request (`sign` is removed after signing). */
  drop?: readonly string[];
}

/** System params + app params, signed the TOP way. */
export function signedParams(
  method: string,
  app: Record<string, string>,
  s: Signing = {},
): Record<string, string> {
  const algorithm = s.signMethod ?? 'hmac-sha256';
  const all: Record<string, string> = {
    method,
    app_key: s.appKey ?? APP_KEY,
    timestamp: s.timestamp ?? formatGmt8(s.nowMs ?? Date.now()),
    v: s.v ?? '2.0',
    format: s.format ?? 'json',
    sign_method: s.signMethodParam ?? algorithm,
    ...app,
  };
  const drop = new Set(s.drop ?? []);
  const params = Object.fromEntries(Object.entries(all).filter(([key]) => !drop.has(key)));
  if (!drop.has('sign')) params['sign'] = sign(params, s.secret ?? SECRET, algorithm);
  return params;
}

export interface TopReply {
  status: number;
  date: string | null;
  contentType: string | null;
  text: string;
}

/**
 * Send params to the gateway. `body`: all in a POST form; `split`: system params in the URL and
 * app params in the body (the Java SDK layout); `get`: all in the query string.
 */
export async function callTop(
  url: string,
  params: Record<string, string>,
  via: 'body' | 'split' | 'get' = 'body',
  signal?: AbortSignal,
): Promise<TopReply> {
  const target = new URL(url);
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    const inUrl = via === 'get' || (via === 'split' && key !== 'param0');
    if (inUrl) target.searchParams.set(key, value);
    else body.set(key, value);
  }
  const res = await fetch(target, {
    method: via === 'get' ? 'GET' : 'POST',
    ...(via !== 'get' && {
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: body.toString(),
    }),
    ...(signal !== undefined && { signal }),
  });
  return {
    status: res.status,
    date: res.headers.get('date'),
    contentType: res.headers.get('content-type'),
    text: await res.text(),
  };
}

let seq = 0;

/** A valid param0 with fresh request_id / out_biz_id; `fields` override or add (undefined removes). */
export function param0(fields: Record<string, unknown> = {}): Record<string, unknown> {
  seq += 1;
  const base: Record<string, unknown> = {
    nego_price: '3900',
    qr_code: '281234567890123456',
    request_id: `REQ-${process.pid}-${seq}`,
    machine_id: 'K01',
    out_biz_id: `OUT-${process.pid}-${seq}`,
    item_id: 1001,
    cashier_name: '张丽',
    cashier_id: '346753',
    store_id: '333333',
  };
  return Object.fromEntries(
    Object.entries({ ...base, ...fields }).filter(([, value]) => value !== undefined),
  );
}

export function pay(url: string, p0: Record<string, unknown> | string, s?: Signing): Promise<TopReply> {
  const text = typeof p0 === 'string' ? p0 : JSON.stringify(p0);
  return callTop(url, signedParams(PAY_METHOD, { param0: text }, s));
}

export function query(url: string, q: Record<string, string>, s?: Signing): Promise<TopReply> {
  return callTop(url, signedParams(QUERY_METHOD, q, s));
}

/** Walk a parsed JSON value; undefined when any step is missing. */
export function at(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

export function parse(reply: TopReply): unknown {
  return JSON.parse(reply.text) as unknown;
}

export function payModel(reply: TopReply): Record<string, unknown> {
  return (at(parse(reply), 'alibaba_alisports_lianbei_xpos_pay_response', 'result', 'model') ?? {}) as Record<
    string,
    unknown
  >;
}

export function queryModel(reply: TopReply): Record<string, unknown> {
  return (at(parse(reply), 'alibaba_alisports_lianbei_xpos_querystatus_response', 'result', 'model') ??
    {}) as Record<string, unknown>;
}

export function topError(reply: TopReply): Record<string, unknown> {
  return (at(parse(reply), 'error_response') ?? {}) as Record<string, unknown>;
}

/** The raw digits of a JSON number field, read from the text so no parser can round them. */
export function rawNumber(reply: TopReply, field: string): string | undefined {
  return new RegExp(`"${field}":(-?\\d+)`).exec(reply.text)?.[1];
}

/** A call to the sandbox's HTTP control (`/_sandbox/…`); a string body is sent as it is. */
export async function control(
  origin: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${origin}${path}`, {
    method,
    ...(body !== undefined && {
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  });
  return { status: res.status, json: JSON.parse(await res.text()) as unknown };
}

export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A sandbox on a free port with the test credentials, closed when the test ends. */
export async function startSandbox(t: Teardown, opts: Partial<SandboxOptions> = {}): Promise<SandboxGateway> {
  const gateway = await SandboxGateway.start({
    appKey: APP_KEY,
    secret: SECRET,
    log: createLogger('silent'),
    ...opts,
  });
  t.teardown(() => gateway.close());
  return gateway;
}

/** A clock the test moves by hand. */
export function manualClock(startMs = Date.parse('2024-11-25T04:00:00Z')): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let t = startMs;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}
