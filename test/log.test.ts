/**
 * The logger's redaction: secrets and signatures go whole, payment codes keep the tail a receipt
 * shows. The secret and signature are written in alphabets nothing else in a log line uses, so
 * "not one character of them in the output" is a test that a kept tail of any length would fail.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../agent/log.js';

const SECRET = 'ЖЗИЙКЛМНОП'; // Cyrillic
const SIGNATURE = 'ΑΒΓΔΕΖΗΘΛΞ'; // Greek
const CODE = '281234567890123456';

function capture(): { log: ReturnType<typeof createLogger>; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: createLogger('trace', sink), text: () => chunks.join('') };
}

function charactersOf(text: string, secret: string): string[] {
  return [...new Set(secret)].filter((ch) => text.includes(ch));
}

t.test('secrets and signatures are replaced whole at every depth the agent logs', (t) => {
  const { log, text } = capture();
  log.info({ secret: SECRET, sign: SIGNATURE }, 'top level');
  log.info({ appSecret: SECRET, app_secret: SECRET, appsecret: SECRET, signature: SIGNATURE }, 'spellings');
  log.warn({ params: { sign: SIGNATURE, app_secret: SECRET, method: 'x' } }, 'one level down');
  log.error({ request: { params: { sign: SIGNATURE }, gateway: { secret: SECRET } } }, 'two levels down');
  log.child({ module: 'pay' }).debug({ call: { sign: SIGNATURE, appSecret: SECRET } }, 'from a child');
  const out = text();
  const lines = out.trim().split('\n');
  t.equal(lines.length, 5, 'every line written');
  t.same(charactersOf(out, SECRET), [], 'no character of the secret');
  t.same(charactersOf(out, SIGNATURE), [], 'no character of the signature');
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(parsed[0], { secret: '[redacted]', sign: '[redacted]' });
  t.match(parsed[1], {
    appSecret: '[redacted]',
    app_secret: '[redacted]',
    appsecret: '[redacted]',
    signature: '[redacted]',
  });
  t.match(parsed[2], { params: { sign: '[redacted]', app_secret: '[redacted]', method: 'x' } });
  t.match(parsed[3], { request: { params: { sign: '[redacted]' }, gateway: { secret: '[redacted]' } } });
  t.match(parsed[4], { call: { sign: '[redacted]', appSecret: '[redacted]' } });
  t.end();
});

t.test('payment codes stay masked to their last four characters', (t) => {
  const { log, text } = capture();
  log.info({ qr_code: CODE }, 'top level');
  log.info({ param0: { qr_code: CODE, qrCode: CODE } }, 'one level down');
  log.info({ call: { param0: { qr_code: CODE }, code_full: CODE } }, 'two levels down');
  const out = text();
  t.notOk(out.includes(CODE.slice(0, -4)), 'nothing but the tail of the code');
  const parsed = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(parsed[0], { qr_code: '****3456' });
  t.match(parsed[1], { param0: { qr_code: '****3456', qrCode: '****3456' } });
  t.match(parsed[2], { call: { param0: { qr_code: '****3456' }, code_full: '****3456' } });
  t.end();
});

t.test('a secret field holding something other than text is still replaced, never printed', (t) => {
  const { log, text } = capture();
  log.info({ secret: { value: SECRET }, sign: 12345678, qr_code: 281234567890 }, 'odd shapes');
  const out = text();
  t.same(charactersOf(out, SECRET), []);
  t.notOk(out.includes('12345678'));
  t.notOk(out.includes('281234567890'));
  t.match(JSON.parse(out) as object, { secret: '[redacted]', sign: '[redacted]', qr_code: '[redacted]' });
  t.end();
});
