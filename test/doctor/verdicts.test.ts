/**
 * What each gateway answer means on the doctor's line, for the answers a loopback test cannot
 * provoke: the real gateway's refusals, a captive portal, a clock with no RTC.
 */
import t from 'tap';
import { pino } from 'pino';
import { validateConfig } from '../../config/load.js';
import type { DoctorContext } from '../../agent/doctor/context.js';
import { DEFAULT_FILES } from '../../agent/doctor/context.js';
import { callResult, clockResult, reachFix, tlsFix } from '../../agent/doctor/gateway-verdicts.js';
import type { QueryOutcome } from '../../agent/pay/types.js';

const ctx: DoctorContext = {
  config: validateConfig({
    gateway: { url: 'https://eco.taobao.com/router/rest', app_key: '23456789', sign_method: 'md5' },
    store: { store_id: '1', cashier_id: '2', cashier_name: 'x', machine_id: 'K01' },
  }),
  configPath: '(test)',
  env: {},
  files: DEFAULT_FILES,
  serviceUser: 'xpos-agent',
  log: pino({ level: 'silent' }),
  open: { holders: new Map(), daemons: [], hiddenDaemons: [] },
};
const SECRET = 'a-secret-that-must-not-show';

function verdict(o: QueryOutcome): { level: string; detail: string; fix?: string } {
  return callResult(o, ctx, SECRET);
}

t.test('signed call: refusals name what is wrong, business answers prove the key', (t) => {
  const sig = verdict({
    kind: 'rejected',
    reason: 'signature',
    error: { code: 25, msg: 'Invalid signature' },
  });
  t.match(sig, {
    level: 'fail',
    detail: /invalid signature \(code 25/,
    fix: /app_key 23456789.*sign_method \(md5\)/,
  });
  t.match(sig.fix, /sha256 [0-9a-f]{8}/);
  t.notMatch(JSON.stringify(sig), SECRET);

  t.match(verdict({ kind: 'rejected', reason: 'app-key', error: { code: 29 } }), {
    level: 'fail',
    fix: /gateway\.app_key/,
  });
  t.match(verdict({ kind: 'rejected', reason: 'clock', error: { code: 31 } }), { level: 'fail', fix: /NTP/ });
  t.match(verdict({ kind: 'rejected', reason: 'rate-limited', error: { code: 7 } }), { level: 'warn' });
  t.match(
    verdict({
      kind: 'rejected',
      reason: 'platform',
      error: { code: 11, subCode: 'isv.permission-ip-whitelist-limit' },
    }),
    { level: 'fail', detail: /isv\.permission-ip-whitelist-limit/, fix: /IP whitelist/ },
  );
  t.match(
    verdict({
      kind: 'ambiguous',
      reason: 'status query refused',
      error: { code: 15, subCode: 'isv.checkout-not-exist', traceId: 'abc' },
    }),
    { level: 'ok', detail: /signature accepted.*isv\.checkout-not-exist.*\(trace abc\)/ },
  );
  t.match(
    verdict({
      kind: 'ambiguous',
      reason: 'x',
      error: { code: 15, subCode: 'isp.top-remote-connection-timeout' },
    }),
    { level: 'warn', detail: /signature accepted; the service failed/ },
  );
  t.match(verdict({ kind: 'ambiguous', reason: 'ETIMEDOUT: timeout' }), {
    level: 'fail',
    detail: /no usable answer/,
  });
  t.match(verdict({ kind: 'malformed', reason: 'HTML or XML instead of JSON', envelope: false }), {
    level: 'fail',
    fix: /captive portal/,
  });
  t.match(verdict({ kind: 'not-sent', reason: 'ECONNRESET' }), { level: 'fail' });
  t.match(verdict({ kind: 'declined', error: { msg: 'checkout FAILED' } }), { level: 'ok' });
  t.end();
});

t.test('TLS errors: a wrong clock and an intercepting proxy are told apart', (t) => {
  t.match(tlsFix('CERT_NOT_YET_VALID'), /clock wrong\? .*no RTC.*time sync/);
  t.match(tlsFix('CERT_HAS_EXPIRED'), /clock is ahead/);
  t.match(tlsFix('ERR_TLS_CERT_ALTNAME_INVALID'), /another host/);
  t.match(tlsFix('SELF_SIGNED_CERT_IN_CHAIN'), /not trusted/);
  t.match(tlsFix('UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), /ca-certificates/);
  t.match(tlsFix('EPROTO'), /handshake failed/);
  t.end();
});

t.test("the clock: OK within a minute, WARN beyond, FAIL beyond TOP's 10 minutes", (t) => {
  const at = Date.parse('2026-11-25T12:00:00Z');
  const probe = (offsetMs: number) => ({
    secured: true,
    date: new Date(at + offsetMs).toUTCString(),
    receivedAt: at + 500,
  });
  t.match(clockResult(probe(0), true), { level: 'ok', detail: /within 1\.5 s.*NTP synced: yes/ });
  t.match(clockResult(probe(45_000), false), { level: 'ok', detail: /45\.0 s behind the gateway/ });
  t.match(clockResult(probe(-120_000), true), { level: 'warn', detail: /120\.0 s ahead of the gateway/ });
  t.match(clockResult(probe(11 * 60_000), false), { level: 'fail', detail: /code 31/, fix: /timedatectl/ });
  t.match(clockResult({ secured: true, receivedAt: at }, false), { level: 'warn', detail: /no usable Date/ });
  t.end();
});

t.test('unreachable: the fix follows the error', (t) => {
  t.match(reachFix('ECONNREFUSED', '127.0.0.1', 9), /nothing listens on 127\.0\.0\.1:9/);
  t.match(reachFix('EAI_AGAIN', 'h', 443), /DNS does not answer/);
  t.match(reachFix('ENETUNREACH', 'h', 443), /no route/);
  t.match(reachFix('ETIMEDOUT', 'h', 443), /firewall allows outgoing TCP 443/);
  t.end();
});
