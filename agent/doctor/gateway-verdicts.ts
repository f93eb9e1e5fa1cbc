/**
 * What each gateway step's result means for a technician: the level, and the fix in their words.
 * Pure, so every branch is tested without a network.
 */
import type { QueryOutcome } from '../pay/types.js';
import { fingerprint } from './checks-config.js';
import { ms, type DoctorContext } from './context.js';
import { fail, ok, warn, type CheckResult } from './report.js';

export const REACH = 'gateway reachable';
export const TLS = 'gateway tls';
export const CLOCK = 'gateway clock';
export const CALL = 'gateway signed call';

/** TOP refuses timestamps further than this from its own clock (code 31). */
const TOP_WINDOW_MS = 10 * 60_000;
const CLOCK_WARN_MS = 60_000;

/** What the plain GET of the gateway brought back. */
export interface Probe {
  /** The TLS handshake completed (https only). */
  secured: boolean;
  tls?: string;
  date?: string;
  receivedAt?: number;
  error?: string;
}

export function reachFix(code: string, host: string, port: number): string {
  switch (code) {
    case 'ENOTFOUND':
      return 'is the kiosk online? Then check the host name in gateway.url and the DNS server (/etc/resolv.conf)';
    case 'EAI_AGAIN':
    case 'DNS_TIMEOUT':
      return 'DNS does not answer: is the kiosk online? (ip route; ping the router)';
    case 'ECONNREFUSED':
      return `nothing listens on ${host}:${port}: check gateway.url`;
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return 'no route to the gateway: is the network up? (ip addr; ip route)';
    default:
      return `no answer: check the cable or Wi-Fi, and that a firewall allows outgoing TCP ${port}`;
  }
}

const TLS_FIXES: [RegExp, string][] = [
  [/CERT_NOT_YET_VALID/, 'clock wrong? A Pi has no RTC: wait for time sync (timedatectl timesync-status)'],
  [
    /CERT_HAS_EXPIRED/,
    'if the kiosk clock is ahead, fix it (timedatectl); otherwise the certificate really expired',
  ],
  [
    /ALTNAME|HOSTNAME/,
    'the certificate is for another host: a captive portal or DNS hijack, or a wrong gateway.url',
  ],
  [
    /SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE/,
    'the certificate is not trusted: a proxy or captive portal intercepts HTTPS, or CA certificates are missing (apt install ca-certificates)',
  ],
];

export function tlsFix(code: string): string {
  return (
    TLS_FIXES.find(([re]) => re.test(code))?.[1] ??
    'TLS handshake failed: is a proxy or firewall intercepting HTTPS?'
  );
}

export function clockFix(): string {
  return 'turn on NTP (timedatectl set-ntp true) and check timedatectl timesync-status; a Pi has no RTC';
}

export function clockResult(p: Probe, synced: boolean): CheckResult {
  const ntp = `NTP synced: ${synced ? 'yes' : 'no'}`;
  const dateMs = p.date === undefined ? Number.NaN : Date.parse(p.date);
  if (p.receivedAt === undefined || Number.isNaN(dateMs)) {
    return warn(
      CLOCK,
      `the gateway sent no usable Date header; ${ntp}`,
      synced ? 'none needed if NTP works' : clockFix(),
    );
  }
  // The header has whole seconds: the gateway's time was somewhere in that second, take its middle.
  const offset = dateMs + 500 - p.receivedAt;
  const abs = Math.abs(offset);
  const side = offset > 0 ? 'behind' : 'ahead of';
  const data = { offsetMs: Math.round(offset), ntpSynced: synced };
  const detail =
    abs < 1500 ? `within 1.5 s of the gateway; ${ntp}` : `${ms(abs)} ${side} the gateway; ${ntp}`;
  if (abs > TOP_WINDOW_MS) {
    return fail(
      CLOCK,
      `${detail}: TOP refuses timestamps over 10 min off (code 31)`,
      `${clockFix()} (the agent corrects its own timestamps from the gateway, but receipts and logs use this clock)`,
      data,
    );
  }
  if (abs > CLOCK_WARN_MS) return warn(CLOCK, detail, clockFix(), data);
  return ok(CLOCK, detail, data);
}

function traced(detail: string, traceId: string | undefined): string {
  return traceId === undefined ? detail : `${detail} (trace ${traceId})`;
}

export function callResult(o: QueryOutcome, ctx: DoctorContext, secret: string): CheckResult {
  const g = ctx.config.gateway;
  const proven = 'app key, secret and signing work';
  switch (o.kind) {
    case 'success':
    case 'declined':
    case 'pending':
      return ok(CALL, `xpos.querystatus answered (${o.kind}) for a made-up checkout: ${proven}`);
    case 'rejected': {
      const e = o.error;
      const what =
        `code ${e.code ?? '?'}${e.subCode === undefined ? '' : ` ${e.subCode}`} ${e.msg ?? ''}`.trim();
      switch (o.reason) {
        case 'signature':
          return fail(
            CALL,
            traced(`refused: invalid signature (${what})`, e.traceId),
            `the app secret (${fingerprint(secret)}) does not belong to app_key ${g.app_key}, or ` +
              `gateway.sign_method (${g.sign_method}) is wrong: copy the secret again from the open platform console`,
          );
        case 'app-key':
          return fail(
            CALL,
            traced(`refused: invalid app key (${what})`, e.traceId),
            `check gateway.app_key (${g.app_key})`,
          );
        case 'clock':
          return fail(
            CALL,
            traced(`refused: timestamp out of the window even after a resync (${what})`, e.traceId),
            clockFix(),
          );
        case 'rate-limited':
          return warn(
            CALL,
            traced(`rate limited (${what})`, e.traceId),
            'wait a minute and run doctor again',
          );
        case 'platform':
          return fail(
            CALL,
            traced(`refused by the gateway (${what})`, e.traceId),
            e.code === 11
              ? 'the app may not call xpos.querystatus, or the IP whitelist blocks this kiosk: ask the platform'
              : 'look the code up in the TOP error table; the app key may lack this API',
          );
      }
      break;
    }
    case 'ambiguous': {
      const e = o.error;
      if (e === undefined) {
        return fail(
          CALL,
          `no usable answer: ${o.reason}`,
          'the gateway did not answer in time: check the network',
        );
      }
      const what = [e.subCode ?? `code ${e.code ?? '?'}`, e.subMsg ?? e.msg].filter(Boolean).join(' ');
      if (e.subCode?.startsWith('isp.') === true || e.code === 10) {
        return warn(
          CALL,
          traced(`signature accepted; the service failed: ${what}`, e.traceId),
          'a platform problem: run doctor again later',
        );
      }
      return ok(
        CALL,
        traced(
          `signature accepted; for a made-up checkout the service answered ${what}: ${proven}`,
          e.traceId,
        ),
      );
    }
    case 'not-sent':
      return fail(CALL, `not sent: ${o.reason}`, 'check the network (see gateway reachable)');
    case 'malformed':
      return o.envelope
        ? warn(CALL, `a TOP-shaped reply that contradicts itself: ${o.reason}`, 'report it to the platform')
        : fail(
            CALL,
            `not a TOP reply: ${o.reason}`,
            'a captive portal or proxy answers instead of the gateway: check the network',
          );
  }
  return fail(CALL, 'unexpected outcome', 'report this');
}

export function skipped(check: string, why: string, first: string): CheckResult {
  return warn(check, `not checked: ${why}`, `fix "${first}" first`);
}
