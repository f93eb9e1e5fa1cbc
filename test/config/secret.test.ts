import t from 'tap';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { loadSecret } from '../../config/secret.js';

t.test('the systemd credential wins over the configured file', (t) => {
  const dir = t.testdir({ creds: { 'app-secret': 's3cret-from-systemd\n' }, 'file-secret': 'other' });
  chmodSync(join(dir, 'creds/app-secret'), 0o400);
  chmodSync(join(dir, 'file-secret'), 0o600);
  const got = loadSecret(join(dir, 'file-secret'), { CREDENTIALS_DIRECTORY: join(dir, 'creds') });
  t.equal(got.secret, 's3cret-from-systemd');
  t.equal(got.source, 'credential');
  t.end();
});

t.test('a private secret file is read and trimmed', (t) => {
  const dir = t.testdir({ s: '  abc \n' });
  chmodSync(join(dir, 's'), 0o600);
  t.equal(loadSecret(join(dir, 's'), {}).secret, 'abc');
  t.end();
});

t.test('a group- or world-readable secret file is refused with the key, the mode and the fix', (t) => {
  const dir = t.testdir({ s: 'abc' });
  chmodSync(join(dir, 's'), 0o644);
  t.throws(() => loadSecret(join(dir, 's'), {}), {
    name: 'SecretError',
    message: /gateway\.secret_file: .* has mode 0644 .*chmod 600/,
  });
  t.end();
});

t.test('the error for an unsafe file never contains the secret itself', (t) => {
  const dir = t.testdir({ s: 'TOPSECRET' });
  chmodSync(join(dir, 's'), 0o640);
  try {
    loadSecret(join(dir, 's'), {});
    t.fail('should throw');
  } catch (e) {
    t.notMatch((e as Error).message, /TOPSECRET/);
  }
  t.end();
});

t.test('no credential and no file: the error says where the secret should be', (t) => {
  t.throws(() => loadSecret(undefined, {}), { message: /gateway\.secret_file: \(missing\).*app-secret/ });
  t.throws(() => loadSecret('/nonexistent/secret', {}), { message: /ENOENT/ });
  const dir = t.testdir({ s: '\n' });
  chmodSync(join(dir, 's'), 0o600);
  t.throws(() => loadSecret(join(dir, 's'), {}), { message: /empty/ });
  t.end();
});
