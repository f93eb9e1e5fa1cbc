import t from 'tap';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { ErrorCode } from '../../agent/errors.js';
import { createLogger } from '../../agent/log.js';
import { TopClient, type TopClientOptions } from '../../agent/pay/client.js';
import { GatewayClock, parseGmt8 } from '../../agent/pay/clock.js';
import { sign } from '../../agent/pay/sign.js';
import type { PayRequest } from '../../agent/pay/types.js';
import { serializeParam0 } from '../../agent/pay/wire.js';

const SECRET = 'top-secret-Zq81xK';
const CODE = '287612345678901234';
const REQ: PayRequest = {
  negoPrice: '1990',
  qrCode: CODE,
  requestId: 'req-1',
  outBizId: 'ob-1',
  storeId: 'st-1',
  cashierId: 'ca-1',
  cashierName: '张丽',
  machineId: 'k-01',
  itemId: 7,
};
const PAY_OK =
  '{"alibaba_alisports_lianbei_xpos_pay_response":{"result":{"success":true,"msg_code":"OK","http_status_code":200,' +
  '"model":{"success":true,"result_status":1,"checkout_id":"co-1","biz_order_id":1234567890123456789,' +
  '"current_pay_fee":1990}},"request_id":"gw-trace-1"}}';
const CLOCK_31 = '{"error_response":{"code":31,"msg":"Invalid timestamp","request_id":"gw-31"}}';

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  form: Record<string, string>;
}
type Handler = (seen: Seen, res: ServerResponse, n: number) => void;

/** A real HTTP gateway on an ephemeral loopback port, closed when the test ends. */
async function gateway(tt: { teardown: (fn: () => void) => void }, handler: Handler) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    void text(req).then((raw) => {
      const s = {
        url: req.url ?? '',
        headers: req.headers,
        raw,
        form: Object.fromEntries(new URLSearchParams(raw)),
      };
      seen.push(s);
      handler(s, res, seen.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tt.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/router/rest`, port, seen };
}

/** A handler answering every request with `body`; `ahead` puts the Date header that far in the future. */
function answer(body: string, status = 200, aheadMs?: number): Handler {
  return (_s, res) => {
    const date = aheadMs === undefined ? {} : { date: new Date(Date.now() + aheadMs).toUTCString() };
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...date });
    res.end(body);
  };
}

/** Request n gets handler n; the last one answers every request after that. */
function inTurn(...handlers: Handler[]): Handler {
  return (s, res, n) => {
    handlers[Math.min(n, handlers.length) - 1]?.(s, res, n);
  };
}

function client(url: string, extra: Partial<TopClientOptions> = {}): TopClient {
  return new TopClient({
    url,
    appKey: '12345678',
    secret: SECRET,
    timeouts: { connectMs: 1000, responseMs: 2000, requestMs: 3000 },
    log: createLogger('silent'),
    ...extra,
  });
}

/** A loopback URL on a port that was just free, so connecting is refused. */
async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    probe.close(() => {
      resolve();
    }),
  );
  return `http://127.0.0.1:${port}/router/rest`;
}

/** The server side of the signature check: recompute it from what actually arrived. */
function signedCorrectly(form: Record<string, string>): boolean {
  const { sign: got, ...rest } = form;
  return got === sign(rest, SECRET, 'hmac-sha256');
}

t.test('pay posts every param in the form body, signed over the exact param0 string it sent', async (t) => {
  const gw = await gateway(t, answer(PAY_OK));
  const outcome = await client(gw.url).pay(REQ);
  t.match(outcome, {
    kind: 'success',
    traceId: 'gw-trace-1',
    value: { checkoutId: 'co-1', currentPayFee: 1990 },
  });
  const s = gw.seen[0]!;
  t.equal(s.url, '/router/rest', 'nothing in the query string');
  t.equal(s.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
  t.same(Object.keys(s.form).sort(), [
    'app_key',
    'format',
    'method',
    'param0',
    'sign',
    'sign_method',
    'timestamp',
    'v',
  ]);
  t.match(s.form, {
    method: 'alibaba.alisports.lianbei.xpos.pay',
    app_key: '12345678',
    v: '2.0',
    format: 'json',
    sign_method: 'hmac-sha256',
  });
  t.equal(s.form['param0'], serializeParam0(REQ));
  t.notMatch(s.raw, /张/, 'Chinese is percent-encoded on the wire');
  t.ok(signedCorrectly(s.form));
});

t.test('a 19-digit biz_order_id comes back exactly as the gateway wrote it', async (t) => {
  const gw = await gateway(t, answer(PAY_OK));
  t.match(await client(gw.url).pay(REQ), { kind: 'success', value: { bizOrderId: '1234567890123456789' } });
});

t.test('querystatus sends only the ids it was given and is signed like pay', async (t) => {
  const body =
    '{"alibaba_alisports_lianbei_xpos_querystatus_response":{"result":{"success":true,"model":' +
    '{"checkout_status":"PROCESSING","checkout_id":"co-1"}},"request_id":"gw-q"}}';
  const gw = await gateway(t, answer(body));
  const outcome = await client(gw.url).queryStatus({ checkoutId: 'co-1' });
  t.match(outcome, { kind: 'pending', value: { checkoutStatus: 'PROCESSING' } });
  const form = gw.seen[0]!.form;
  t.equal(form['checkout_id'], 'co-1');
  t.notOk('biz_order_id' in form);
  t.equal(form['method'], 'alibaba.alisports.lianbei.xpos.querystatus');
  t.ok(signedCorrectly(form));
});

t.test('the timestamp is GMT+8 whatever process.env.TZ says', async (t) => {
  const saved = process.env['TZ'];
  process.env['TZ'] = 'America/Los_Angeles';
  t.teardown(() => {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  });
  const gw = await gateway(t, answer(PAY_OK));
  const clock = new GatewayClock(() => Date.UTC(2024, 0, 1, 4, 0, 0));
  await client(gw.url, { clock }).pay(REQ);
  t.equal(gw.seen[0]!.form['timestamp'], '2024-01-01 12:00:00');
});

t.test(
  "the clock learns the gateway's offset from the Date header and uses it for the next call",
  async (t) => {
    const ahead = 3600_000;
    const gw = await gateway(t, answer(PAY_OK, 200, ahead));
    const c = client(gw.url);
    await c.pay(REQ);
    await c.pay(REQ);
    t.ok(c.clock.synced);
    const first = parseGmt8(gw.seen[0]!.form['timestamp']!) - Date.now();
    const second = parseGmt8(gw.seen[1]!.form['timestamp']!) - Date.now();
    t.ok(Math.abs(first) < 5000, 'first call uses local time');
    t.ok(Math.abs(second - ahead) < 5000, 'second call uses the gateway time');
  },
);

t.test(
  'code 31 resyncs from that reply and resends exactly once with a fresh timestamp and signature',
  async (t) => {
    const ahead = 20 * 60_000;
    const gw = await gateway(t, inTurn(answer(CLOCK_31, 200, ahead), answer(PAY_OK)));
    const outcome = await client(gw.url).pay(REQ);
    t.match(outcome, { kind: 'success' });
    t.equal(gw.seen.length, 2);
    const [a, b] = [gw.seen[0]!.form, gw.seen[1]!.form];
    t.equal(b['param0'], a['param0'], 'the same param0 string');
    t.not(b['sign'], a['sign']);
    t.ok(signedCorrectly(b));
    t.ok(Math.abs(parseGmt8(b['timestamp']!) - (Date.now() + ahead)) < 5000, 'resent with the gateway time');
  },
);

t.test('a code 31 that persists is rejected as clock after exactly two requests', async (t) => {
  const gw = await gateway(t, answer(CLOCK_31, 200, 60_000));
  t.match(await client(gw.url).pay(REQ), { kind: 'rejected', reason: 'clock', error: { code: 31 } });
  t.equal(gw.seen.length, 2);
});

t.test('code 7 is rejected as rate-limited with the ban length and is not resent', async (t) => {
  const body =
    '{"error_response":{"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-app-access-count",' +
    '"sub_msg":"This ban will last for 2 more seconds","request_id":"gw-7"}}';
  const gw = await gateway(t, answer(body));
  t.match(await client(gw.url).pay(REQ), { kind: 'rejected', reason: 'rate-limited', retryAfterMs: 2000 });
  t.equal(gw.seen.length, 1);
});

t.test(
  'an HTML captive-portal page is malformed, keeps its HTTP status and does not set the clock',
  async (t) => {
    const gw = await gateway(t, (_s, res) => {
      res.writeHead(200, { 'content-type': 'text/html', date: new Date(Date.UTC(2001, 0, 1)).toUTCString() });
      res.end('<!doctype html><html><body>Please log in to the Wi-Fi</body></html>');
    });
    const c = client(gw.url);
    t.match(await c.pay(REQ), { kind: 'malformed', httpStatus: 200 });
    t.notOk(c.clock.synced);
    t.equal(c.clock.offsetMs, 0);
  },
);

t.test('a redirect is not followed, so the signed form never goes elsewhere', async (t) => {
  const gw = await gateway(t, (_s, res) => {
    res.writeHead(302, { location: '/portal' });
    res.end();
  });
  t.match(await client(gw.url).pay(REQ), { kind: 'malformed', httpStatus: 302 });
  t.equal(gw.seen.length, 1);
});

t.test('a truncated JSON body is malformed', async (t) => {
  const gw = await gateway(t, answer(PAY_OK.slice(0, 80)));
  t.match(await client(gw.url).pay(REQ), { kind: 'malformed', httpStatus: 200 });
});

t.test('a 5xx without a TOP body is ambiguous', async (t) => {
  const gw = await gateway(t, answer('<html>502 Bad Gateway</html>', 502));
  t.match(await client(gw.url).pay(REQ), { kind: 'ambiguous' });
});

t.test('a socket destroyed after the request was read is ambiguous', async (t) => {
  const gw = await gateway(t, (_s, res) => res.socket?.destroy());
  t.match(await client(gw.url).pay(REQ), { kind: 'ambiguous' });
  t.equal(gw.seen.length, 1);
});

t.test('a reply that never comes is ambiguous after the response timeout', async (t) => {
  const gw = await gateway(t, () => undefined);
  const c = client(gw.url, { timeouts: { connectMs: 1000, responseMs: 150, requestMs: 3000 } });
  t.match(await c.pay(REQ), { kind: 'ambiguous', reason: /response/ });
});

t.test('a closed port is not-sent', async (t) => {
  t.match(await client(await closedPortUrl()).pay(REQ), { kind: 'not-sent', reason: /ECONNREFUSED/ });
});

t.test('a TLS handshake failure is not-sent and no request reaches the server', async (t) => {
  const gw = await gateway(t, answer(PAY_OK));
  const c = client(`https://127.0.0.1:${gw.port}/router/rest`);
  t.match(await c.pay(REQ), { kind: 'not-sent' });
  t.equal(gw.seen.length, 0);
});

t.test(
  'an abort before the call is not-sent; an abort after the request was read is ambiguous',
  async (t) => {
    const ac = new AbortController();
    const gw = await gateway(t, () => {
      ac.abort();
    });
    const early = new AbortController();
    early.abort();
    t.match(await client(gw.url).pay(REQ, early.signal), { kind: 'not-sent' });
    t.equal(gw.seen.length, 0);
    t.match(await client(gw.url).pay(REQ, ac.signal), { kind: 'ambiguous' });
  },
);

t.test('plain http is refused at construction unless the host is loopback', (t) => {
  for (const url of [
    'http://example.com/router/rest',
    'http://10.0.0.1/router/rest',
    'ftp://127.0.0.1/',
    'https://user:pw@eco.taobao.com/router/rest',
    'nope',
  ]) {
    t.throws(() => client(url), { code: ErrorCode.GatewayUrlRefused }, url);
  }
  for (const url of [
    'https://eco.taobao.com/router/rest',
    'http://127.0.0.1:9/r',
    'http://[::1]:9/r',
    'http://localhost/r',
  ]) {
    t.doesNotThrow(() => client(url), url);
  }
  t.end();
});

t.test(
  'logs carry the masked code and trace id but never the secret, the full code, the sign or param0',
  async (t) => {
    const lines: string[] = [];
    const log = createLogger('trace', { write: (line: string) => void lines.push(line) });
    const gw = await gateway(t, inTurn(answer(CLOCK_31, 200, 60_000), answer(PAY_OK)));
    const c = client(gw.url, { log });
    await c.pay(REQ);
    await client(await closedPortUrl(), { log }).pay(REQ);
    const all = lines.join('\n');
    t.ok(lines.length >= 3);
    t.match(all, /\*\*\*\*1234/);
    t.match(all, /gw-trace-1/);
    t.match(all, /"latencyMs":\d+/);
    const forbidden = {
      secret: SECRET,
      'full code': CODE,
      'first sign': gw.seen[0]!.form['sign']!,
      'second sign': gw.seen[1]!.form['sign']!,
      param0: gw.seen[0]!.form['param0']!,
      'qr_code key': '"qr_code"',
    };
    for (const [name, value] of Object.entries(forbidden)) {
      t.notOk(all.includes(value), `no log line contains the ${name}`);
    }
  },
);
