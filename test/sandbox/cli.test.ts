import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { SecretError } from '../../config/secret.js';
import { createLogger } from '../../agent/log.js';
import { DEMO_APP_KEY, DEMO_SECRET, runSandbox } from '../../agent/sandbox/cli.js';
import { param0, pay, payModel, topError } from '../helpers/top-request.js';

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

const log = createLogger('silent');

t.test('without flags it accepts the demo credentials and prints its URL and app key', async (t) => {
  const { out, text } = capture();
  const gw = await runSandbox({ port: 0 }, log, out);
  t.teardown(() => gw.close());
  t.match(text(), `sandbox gateway: ${gw.url}\n`);
  t.match(text(), `app_key: ${DEMO_APP_KEY} (demo, sandbox only)`);
  t.match(text(), /starts with F/, 'the demo code table is printed');
  t.notMatch(text(), DEMO_SECRET, 'the secret itself is never printed');
  const s = { appKey: DEMO_APP_KEY, secret: DEMO_SECRET };
  t.equal(payModel(await pay(gw.url, param0(), s))['result_status'], 1);
});

t.test('a secret file is read and trimmed, and the given app key replaces the demo one', async (t) => {
  const dir = t.testdir({ secret: '  real-looking-secret\n' });
  const file = join(dir, 'secret');
  chmodSync(file, 0o600);
  const { out, text } = capture();
  const gw = await runSandbox({ port: 0, appKey: '23456789', secretFile: file }, log, out);
  t.teardown(() => gw.close());
  t.match(text(), 'app_key: 23456789\n');
  t.notMatch(text(), 'real-looking-secret');
  const s = { appKey: '23456789', secret: 'real-looking-secret' };
  t.equal(payModel(await pay(gw.url, param0(), s))['result_status'], 1);
  t.match(topError(await pay(gw.url, param0(), { appKey: DEMO_APP_KEY, secret: DEMO_SECRET })), { code: 29 });
});

t.test('a group- or world-readable secret file is refused with an error naming the file', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'secret');
  writeFileSync(file, 'leaky');
  for (const mode of [0o640, 0o604]) {
    chmodSync(file, mode);
    const err = await runSandbox({ port: 0, secretFile: file }, log, capture().out).catch((e: unknown) => e);
    t.ok(err instanceof SecretError && err.problem === 'unsafe', mode.toString(8));
    t.match(err, { message: file, path: file, key: '--secret-file' });
  }
});

t.test('a missing or empty secret file is refused with an error naming the file', async (t) => {
  const dir = t.testdir({ empty: '  \n' });
  chmodSync(join(dir, 'empty'), 0o600);
  for (const file of [join(dir, 'absent'), join(dir, 'empty')]) {
    const err = await runSandbox({ port: 0, secretFile: file }, log, capture().out).catch((e: unknown) => e);
    t.ok(err instanceof SecretError && (err.problem === 'missing' || err.problem === 'empty'));
    t.match(err, { message: file });
  }
});
