/**
 * The gateway transport on node:http/node:https (agent/pay/post.ts), against real loopback
 * servers: what got used to guarantee and the client's outcomes rely on. test/pay/client.test.ts
 * covers redirects, timeouts, refused ports, handshake failures and aborts through the client.
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { getEventListeners } from 'node:events';
import { transportOutcome } from '../../agent/pay/client.js';
import { post, TransportError } from '../../agent/pay/post.js';

const TIMEOUTS = { connectMs: 2000, responseMs: 2000, requestMs: 5000 };
const HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

async function listen(t: Test, server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

async function httpServer(t: Test, handler: RequestListener): Promise<{ url: URL; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push(body);
      handler(req, res);
    });
  });
  const port = await listen(t, server);
  return { url: new URL(`http://127.0.0.1:${port}/router/rest`), seen };
}

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

t.test('the body, status and Date header come back as sent', async (t) => {
  const gw = await httpServer(t, (_req, res) => {
    res.writeHead(201, { date: 'Sat, 05 Dec 2026 08:00:00 GMT' });
    res.end('{"ok":"中文"}');
  });
  const reply = await post(gw.url, 'a=1&b=2', { headers: HEADERS, timeouts: TIMEOUTS });
  t.same(reply, { statusCode: 201, body: '{"ok":"中文"}', date: 'Sat, 05 Dec 2026 08:00:00 GMT' });
  t.same(gw.seen, ['a=1&b=2']);
});

t.test('a reply larger than 1 MiB is not kept and is ambiguous (the request was sent)', async (t) => {
  const gw = await httpServer(t, (_req, res) => res.end(Buffer.alloc(2 * 1024 * 1024, 0x61)));
  const e: unknown = await post(gw.url, 'x', { headers: HEADERS, timeouts: TIMEOUTS }).catch(
    (x: unknown) => x,
  );
  t.type(e, TransportError);
  t.match(transportOutcome(e, false), { kind: 'ambiguous', reason: /ERR_BODY_TOO_LARGE/ });
});

t.test('a long-lived abort signal keeps no listener after each call (nothing kept per sale)', async (t) => {
  const gw = await httpServer(t, (_req, res) => res.end('{}'));
  const ac = new AbortController();
  for (let i = 0; i < 3; i += 1) {
    await post(gw.url, 'x', { headers: HEADERS, timeouts: TIMEOUTS, signal: ac.signal });
  }
  t.equal(getEventListeners(ac.signal, 'abort').length, 0);
  const refused = new AbortController();
  await post(new URL('http://127.0.0.1:9/'), 'x', {
    headers: HEADERS,
    timeouts: TIMEOUTS,
    signal: refused.signal,
  }).catch(() => undefined);
  t.equal(getEventListeners(refused.signal, 'abort').length, 0, 'nor after a failure');
});

t.test(
  'TLS is verified: a certificate nobody signed is refused before any request byte (not-sent)',
  { skip: !opensslAvailable() && 'openssl is not installed' },
  async (t) => {
    const dir = t.testdir();
    const pem = (name: string): string => join(dir, name);
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
        '-keyout',
        pem('key.pem'),
        '-out',
        pem('cert.pem'),
      ]),
      { stdio: 'ignore' },
    );
    const seen: string[] = [];
    const server = createHttpsServer(
      { key: readFileSync(pem('key.pem')), cert: readFileSync(pem('cert.pem')) },
      (req, res) => {
        seen.push(req.url ?? '');
        res.end('{}');
      },
    );
    const port = await listen(t, server);
    const url = new URL(`https://127.0.0.1:${port}/router/rest`);
    const e: unknown = await post(url, 'x', { headers: HEADERS, timeouts: TIMEOUTS }).catch(
      (x: unknown) => x,
    );
    t.type(e, TransportError);
    t.match(transportOutcome(e, true), { kind: 'not-sent', reason: /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/ });
    t.same(seen, [], 'the server never saw a request');
  },
);
