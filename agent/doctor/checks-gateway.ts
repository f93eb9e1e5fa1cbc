/**
 * The gateway, step by step so the line that fails names the layer: DNS and TCP, TLS, the clock
 * (from the HTTP Date header), then a signed xpos.querystatus for a checkout that does not exist.
 * That call cannot move money, and any business answer proves the app key, the secret and the
 * signing; a refusal says which of them is wrong. Every step has its own timeout.
 */
import { lookup } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, isIP } from 'node:net';
import { TLSSocket } from 'node:tls';
import { asError } from '../errors.js';
import { TopClient } from '../pay/client.js';
import { DEMO_SECRET } from '../sandbox/cli.js';
import { SandboxGateway } from '../sandbox/server.js';
import { ms, within, type DoctorContext } from './context.js';
import {
  CALL,
  CLOCK,
  REACH,
  TLS,
  callResult,
  clockResult,
  reachFix,
  skipped,
  tlsFix,
  type Probe,
} from './gateway-verdicts.js';
import { fail, ok, warn, type CheckResult } from './report.js';

const DNS_MS = 3000;
const TCP_MS = 3000;
const PROBE_MS = 4000;
const CALL_MS = 6000;

function codeOf(e: unknown): string {
  return (e as NodeJS.ErrnoException | undefined)?.code ?? 'ERROR';
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no answer within ${ms(timeoutMs)}`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(performance.now() - started);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    });
  });
}

/** One plain GET of the gateway URL: proves TLS and brings the gateway's Date header. */
function probe(url: URL, timeoutMs: number): Promise<Probe> {
  return new Promise((resolve) => {
    const https = url.protocol === 'https:';
    const result: Probe = { secured: false };
    const onResponse = (res: IncomingMessage): void => {
      result.receivedAt = Date.now();
      if (res.headers.date !== undefined) result.date = res.headers.date;
      const socket = res.socket;
      if (socket instanceof TLSSocket) {
        const cert = socket.getPeerCertificate();
        const until = cert.valid_to ? new Date(cert.valid_to).toISOString().slice(0, 10) : '?';
        // A certificate may carry several CNs; the first is the one anybody reads.
        const cn = ([] as (string | undefined)[]).concat(
          (cert.subject as Partial<typeof cert.subject>).CN,
        )[0];
        result.tls = `${socket.getProtocol() ?? 'TLS'}, certificate for ${cn ?? '?'} valid until ${until}`;
      }
      res.resume();
      req.destroy();
      resolve(result);
    };
    const options = {
      method: 'GET',
      agent: false,
      timeout: timeoutMs,
      headers: { 'user-agent': 'xpos-agent doctor' },
    };
    const req = https ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
    req.on('socket', (s) => s.once('secureConnect', () => (result.secured = true)));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => {
      // OpenSSL messages span lines and some end in an empty list ("…altnames: ").
      result.error = `${codeOf(e)}: ${e.message.replace(/\s+/g, ' ').replace(/[\s:]+$/, '')}`;
      resolve(result);
    });
    req.end();
  });
}

async function probeGateway(
  ctx: DoctorContext,
  raw: string,
  secret: string | undefined,
  sandbox: boolean,
): Promise<CheckResult[]> {
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const https = url.protocol === 'https:';
  const port = Number(url.port || (https ? 443 : 80));
  const label = sandbox ? `embedded sandbox ${url.host}` : url.host;
  const down = (detail: string, code: string): CheckResult[] => [
    fail(REACH, `${label}: ${detail}`, reachFix(code, host, port)),
    ...[TLS, CLOCK, CALL].map((c) => skipped(c, 'the gateway is not reachable', REACH)),
  ];

  let address = host;
  if (isIP(host) === 0) {
    const found = await within(lookup(host), DNS_MS).catch((e: unknown) => ({ error: e }));
    if ('error' in found) return down(`DNS lookup failed (${codeOf(found.error)})`, codeOf(found.error));
    if (!found.done) return down(`DNS lookup: no answer within ${ms(DNS_MS)}`, 'DNS_TIMEOUT');
    address = found.value.address;
  }
  let connectMs: number;
  try {
    connectMs = await tcpConnect(address, port, Math.min(ctx.config.gateway.connect_timeout_ms, TCP_MS));
  } catch (e) {
    return down(`TCP connect to ${address}:${port}: ${codeOf(e)}`, codeOf(e));
  }
  const shown = address === host ? label : `${label} (${address})`;
  const results = [ok(REACH, `${shown}: TCP connect ${ms(connectMs)}`, { connectMs: Math.round(connectMs) })];

  const p = await probe(url, PROBE_MS);
  if (https && !p.secured) {
    const code = /^(\S+):/.exec(p.error ?? '')?.[1] ?? 'TLS';
    results.push(fail(TLS, `handshake failed: ${p.error ?? 'no handshake'}`, tlsFix(code)));
    results.push(skipped(CLOCK, 'no TLS connection', TLS), skipped(CALL, 'no TLS connection', TLS));
    return results;
  }
  results.push(
    https ? ok(TLS, p.tls ?? 'handshake ok') : ok(TLS, `not used: plain http to loopback ${url.host}`),
  );
  if (p.receivedAt === undefined) {
    results.push(
      fail(
        CLOCK,
        `no HTTP answer: ${p.error ?? 'none'}`,
        'the gateway accepts connections but does not answer: check the network',
      ),
      skipped(CALL, 'no HTTP answer', CLOCK),
    );
    return results;
  }
  const synced = existsSync(ctx.files.timesyncMarker);
  results.push(
    sandbox
      ? ok(
          CLOCK,
          `not compared: the embedded sandbox runs on this clock; NTP synced: ${synced ? 'yes' : 'no'}`,
        )
      : clockResult(p, synced),
  );

  if (secret === undefined) {
    results.push(
      warn(
        CALL,
        'not checked: the app secret could not be read (see secret)',
        'run as root (sudo xpos-agent doctor); an encrypted credential only decrypts in a unit: ' +
          'systemd-run --pipe --wait -p LoadCredentialEncrypted=app-secret /usr/bin/xpos-agent doctor',
      ),
    );
    return results;
  }
  const g = ctx.config.gateway;
  const client = new TopClient({
    url: raw,
    appKey: g.app_key,
    secret,
    signMethod: g.sign_method,
    timeouts: {
      connectMs: Math.min(g.connect_timeout_ms, TCP_MS),
      responseMs: Math.min(g.response_timeout_ms, CALL_MS),
      requestMs: Math.min(g.request_timeout_ms, CALL_MS),
    },
    log: ctx.log,
  });
  const checkoutId = `xpos-doctor-${ctx.config.store.machine_id}-${Date.now()}`;
  const outcome = await client.queryStatus({ checkoutId }, AbortSignal.timeout(CALL_MS + 1000));
  results.push(callResult(outcome, ctx, secret));
  return results;
}

/** `secret` is what the secret check could read; the embedded sandbox always signs with its demo secret. */
export async function checkGateway(ctx: DoctorContext, secret: string | undefined): Promise<CheckResult[]> {
  const g = ctx.config.gateway;
  if (g.url !== 'sandbox') return probeGateway(ctx, g.url, secret, false);
  let sandbox: SandboxGateway;
  try {
    sandbox = await SandboxGateway.start({ appKey: g.app_key, secret: DEMO_SECRET, log: ctx.log });
  } catch (e) {
    return [
      fail(REACH, `the embedded sandbox did not start: ${asError(e).message}`, 'try: xpos-agent sandbox'),
      ...[TLS, CLOCK, CALL].map((c) => skipped(c, 'the embedded sandbox did not start', REACH)),
    ];
  }
  try {
    return await probeGateway(ctx, sandbox.url, DEMO_SECRET, true);
  } finally {
    await sandbox.close();
  }
}
