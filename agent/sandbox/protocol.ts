/**
 * The TOP gateway's side of the protocol (docs §2, §4, §7, §8): system-parameter checks in the
 * gateway's order, and the JSON envelopes written exactly as TOP writes them. Long ids are
 * LosslessNumbers so the JSON text holds all 19 digits, as the real gateway's does; a client that
 * parses with plain JSON.parse loses precision here just as it would in production.
 */
import { randomBytes } from 'node:crypto';
import { stringify } from 'lossless-json';
import { parseGmt8 } from '../pay/clock.js';
import { SIGN_METHODS, sign, type SignMethod } from '../pay/sign.js';
import { PAY_METHOD, QUERY_METHOD } from '../pay/types.js';

export type Params = Readonly<Record<string, string>>;

/** An `error_response`. Codes 25 and 31 carry no sub_code, as on the real gateway. */
export interface TopError {
  code: number;
  msg: string;
  subCode?: string;
  subMsg?: string;
}

export const TIMESTAMP_WINDOW_MS = 10 * 60_000;
export const SUPPORTED_VERSION = '2.0';

export const TOP_METHODS = { [PAY_METHOD]: 'pay', [QUERY_METHOD]: 'query' } as const;
export type TopMethod = keyof typeof TOP_METHODS;

export function methodKind(method: string | undefined): 'pay' | 'query' | undefined {
  return method === PAY_METHOD || method === QUERY_METHOD ? TOP_METHODS[method] : undefined;
}

export const errors = {
  httpAction: { code: 9, msg: 'Http Action Not Allowed' },
  missingMethod: { code: 21, msg: 'Missing Method' },
  invalidMethod: { code: 22, msg: 'Invalid Method' },
  invalidFormat: { code: 23, msg: 'Invalid Format' },
  missingSignature: { code: 24, msg: 'Missing Signature' },
  invalidSignature: { code: 25, msg: 'Invalid Signature' },
  missingAppKey: { code: 28, msg: 'Missing App Key' },
  invalidAppKey: { code: 29, msg: 'Invalid App Key' },
  missingTimestamp: { code: 30, msg: 'Missing Timestamp' },
  invalidTimestamp: { code: 31, msg: 'Invalid Timestamp' },
  missingVersion: { code: 32, msg: 'Missing Version' },
  invalidVersion: { code: 33, msg: 'Invalid Version' },
  unsupportedVersion: { code: 34, msg: 'Unsupported Version' },
} as const satisfies Record<string, TopError>;

export function missingParameter(field: string, subMsg: string): TopError {
  return { code: 40, msg: 'Missing Required Arguments', subCode: `isv.missing-parameter:${field}`, subMsg };
}

export function invalidParameter(field: string, subMsg: string): TopError {
  return { code: 41, msg: 'Invalid Arguments', subCode: `isv.invalid-parameter:${field}`, subMsg };
}

/** A business-side refusal (code 15 with an isv.* or isp.* sub_code). */
export function remoteError(subCode: string, subMsg: string): TopError {
  return { code: 15, msg: 'Remote service error', subCode, subMsg };
}

export function rateLimited(banSeconds: number): TopError {
  return {
    code: 7,
    msg: 'App Call Limited',
    subCode: 'accesscontrol.limited-by-app-access-count',
    subMsg: `This ban will last for ${banSeconds} more seconds`,
  };
}

export interface VerifyContext {
  appKey: string;
  secret: string;
  /** The server's clock, skew included. */
  serverNowMs: number;
}

/** Why the gateway refused, for the sandbox's own log: the reply itself stays as terse as TOP's. */
export interface Refusal {
  error: TopError;
  reason: string;
}

function isSignMethod(value: string): value is SignMethod {
  return (SIGN_METHODS as readonly string[]).includes(value);
}

/**
 * The system parameters, in the gateway's order: method, app_key, timestamp, signature, version,
 * format. Returns the first refusal, or undefined when the call may reach the business service.
 */
export function verifySystemParams(params: Params, ctx: VerifyContext): Refusal | undefined {
  const method = params['method'];
  if (method === undefined || method.trim() === '')
    return { error: errors.missingMethod, reason: 'no method' };
  if (methodKind(method) === undefined)
    return { error: errors.invalidMethod, reason: `unknown method ${method}` };

  const appKey = params['app_key'];
  if (appKey === undefined || appKey === '') return { error: errors.missingAppKey, reason: 'no app_key' };
  if (appKey !== ctx.appKey)
    return { error: errors.invalidAppKey, reason: `app_key ${appKey} is not accepted` };

  const timestamp = params['timestamp'];
  if (timestamp === undefined || timestamp === '')
    return { error: errors.missingTimestamp, reason: 'no timestamp' };
  const ts = parseGmt8(timestamp);
  if (Number.isNaN(ts)) {
    return { error: errors.invalidTimestamp, reason: `timestamp "${timestamp}" is not yyyy-MM-dd HH:mm:ss` };
  }
  const skew = ts - ctx.serverNowMs;
  if (Math.abs(skew) > TIMESTAMP_WINDOW_MS) {
    return {
      error: errors.invalidTimestamp,
      reason: `timestamp is ${Math.round(skew / 1000)} s from server time`,
    };
  }

  const given = params['sign'];
  if (given === undefined || given === '') return { error: errors.missingSignature, reason: 'no sign' };
  const signMethod = params['sign_method'] ?? '';
  if (!isSignMethod(signMethod)) {
    return {
      error: errors.invalidSignature,
      reason: `sign_method "${signMethod}" is not md5, hmac or hmac-sha256`,
    };
  }
  // Every received param except sign, exactly as TOP signs them (empty values dropped by signBase).
  if (sign(params, ctx.secret, signMethod) !== given) {
    return { error: errors.invalidSignature, reason: `${signMethod} signature does not match` };
  }

  const v = params['v'];
  if (v === undefined || v === '') return { error: errors.missingVersion, reason: 'no v' };
  if (!/^\d+\.\d+$/.test(v)) return { error: errors.invalidVersion, reason: `v "${v}" is not a version` };
  if (v !== SUPPORTED_VERSION)
    return { error: errors.unsupportedVersion, reason: `v ${v} is not ${SUPPORTED_VERSION}` };

  // The real gateway answers XML by default; this one only speaks JSON, so say so rather than
  // let a client that forgot format=json pass here and fail in production.
  const format = params['format'];
  if (format !== 'json') {
    return {
      error: {
        ...errors.invalidFormat,
        subMsg: 'the sandbox answers format=json only (TOP defaults to xml)',
      },
      reason: `format ${format ?? '(missing, TOP default xml)'}`,
    };
  }
  return undefined;
}

/** A gateway trace id, like TOP's `request_id` (base36, 13 characters). */
export function newTraceId(): string {
  return BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString(36)
    .padStart(13, '0')
    .slice(-13);
}

export type JsonObject = Record<string, unknown>;

function toJson(value: unknown): string {
  const text = stringify(value);
  if (text === undefined) throw new TypeError('reply is not serialisable');
  return text;
}

/**
 * `{"<method>_response":{"result":{...},"request_id":"..."}}`, or with `simplify=true` the inner
 * object at the root (docs §7).
 */
export function successBody(
  method: TopMethod,
  model: JsonObject,
  traceId: string,
  simplify: boolean,
): string {
  const result = { model, http_status_code: 200, msg_code: '0', msg_info: '访问成功', success: true };
  const inner = { result, request_id: traceId };
  return toJson(simplify ? inner : { [`${method.replace(/\./g, '_')}_response`]: inner });
}

export function errorBody(error: TopError, traceId: string): string {
  const e: JsonObject = { code: error.code, msg: error.msg };
  if (error.subCode !== undefined) e['sub_code'] = error.subCode;
  if (error.subMsg !== undefined) e['sub_msg'] = error.subMsg;
  e['request_id'] = traceId;
  return toJson({ error_response: e });
}
