/**
 * `doctor`'s secret and gateway checks against temp kiosks and real loopback gateways: a private or
 * exposed secret file, the systemd credential, a wrong secret, a closed port, a skewed clock and an
 * untrusted certificate, each on its own line with the fix.
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SandboxGateway } from '../../agent/sandbox/server.js';
import { APP_KEY, find, kiosk, log } from '../helpers/doctor-kiosk.js';

const SECRET = 'doctor-test-secret-0123456789';

function secretFile(dir: string, secret: string, mode: number): string {
  const path = join(dir, 'app-secret');
  writeFileSync(path, `${secret}\n`);
  chmodSync(path, mode);
  return path;
}

async function sandbox(t: Test, secret: string, now?: () => number): Promise<SandboxGateway> {
  const s = await SandboxGateway.start({ appKey: APP_KEY, secret, log, ...(now && { now }) });
  t.teardown(() => s.close());
  return s;
}

t.test('a secret file readable by others: FAIL with chmod, and the key is still tried', async (t) => {
  const gw = await sandbox(t, SECRET);
  const k = kiosk(t, (c, dir) => {
    c.gateway = { url: gw.url, app_key: APP_KEY, secret_file: secretFile(dir, SECRET, 0o644) };
  });
  const run = await k.run();
  const s = find(run, 'secret');
  t.equal(s.level, 'fail');
  t.match(s.detail, /mode 0644/);
  t.match(s.fix, /chmod 600 .*app-secret/);
  t.equal(find(run, 'gateway signed call').level, 'ok', 'the secret itself is right');
  t.equal(run.exitCode, 2);
});

t.test('a private secret file: OK with a fingerprint, never the secret', async (t) => {
  const gw = await sandbox(t, SECRET);
  const k = kiosk(t, (c, dir) => {
    c.gateway = { url: gw.url, app_key: APP_KEY, secret_file: secretFile(dir, SECRET, 0o600) };
  });
  const run = await k.run();
  const s = find(run, 'secret');
  t.equal(s.level, 'ok');
  t.match(s.detail, new RegExp(`${SECRET.length} chars, sha256 [0-9a-f]{8}`));
  t.notMatch(JSON.stringify(run.results), SECRET, 'the secret appears nowhere in the report');
  t.equal(run.exitCode, 0);
});

t.test('the systemd credential source, checked from outside the service', async (t) => {
  const gw = await sandbox(t, SECRET);
  const k = kiosk(t, (c) => {
    c.gateway = { url: gw.url, app_key: APP_KEY };
  });
  const cred = join(k.dir, 'credential');
  secretFile(k.dir, SECRET, 0o640);
  writeFileSync(cred, SECRET);
  chmodSync(cred, 0o640);
  let run = await k.run({ files: { credentialSource: cred } });
  let line = find(run, 'secret credential');
  t.equal(line.level, 'warn', 'group-readable');
  t.match(line.fix, /chmod 600/);
  t.equal(find(run, 'gateway signed call').level, 'ok', 'signed with the credential');

  chmodSync(cred, 0o600);
  run = await k.run({ files: { credentialSource: cred } });
  line = find(run, 'secret credential');
  if (process.getuid?.() === 0) t.equal(line.level, 'ok');
  else t.match(line.detail, /not owned by root/);

  run = await k.run({ files: { credentialSource: join(k.dir, 'none') } });
  t.equal(find(run, 'secret').level, 'fail', 'no secret anywhere');
  t.match(find(run, 'secret').fix, /install -m 600/);
  t.equal(find(run, 'gateway signed call').level, 'warn', 'not checked without a secret');

  const encrypted = join(k.dir, 'encrypted');
  writeFileSync(encrypted, 'ciphertext');
  run = await k.run({ files: { credentialSource: join(k.dir, 'none'), encryptedCredential: encrypted } });
  t.match(find(run, 'secret'), { level: 'ok', detail: /encrypted credential .* present/ });
  t.match(find(run, 'gateway signed call'), { level: 'warn', fix: /LoadCredentialEncrypted=app-secret/ });

  // Inside the service: exactly the credential the daemon reads.
  const credDir = join(k.dir, 'creds');
  mkdirSync(credDir);
  writeFileSync(join(credDir, 'app-secret'), SECRET, { mode: 0o400 });
  run = await k.run({ env: { CREDENTIALS_DIRECTORY: credDir } });
  t.match(find(run, 'secret').detail, /^credential .*creds\/app-secret/);
  t.equal(find(run, 'gateway signed call').level, 'ok');
});

t.test('a sandbox holding another secret: the signed call FAILs on the signature', async (t) => {
  const gw = await sandbox(t, 'the-secret-the-gateway-knows');
  const k = kiosk(t, (c, dir) => {
    c.gateway = { url: gw.url, app_key: APP_KEY, secret_file: secretFile(dir, SECRET, 0o600) };
  });
  const run = await k.run();
  const call = find(run, 'gateway signed call');
  t.equal(call.level, 'fail');
  t.match(call.detail, /invalid signature \(code 25/);
  t.match(call.fix, new RegExp(`app_key ${APP_KEY}`));
  t.match(call.fix, /sha256 [0-9a-f]{8}/);
  t.equal(find(run, 'gateway reachable').level, 'ok');
  t.equal(run.exitCode, 2);
});

t.test('a closed loopback port: reachable FAILs with the fix, the later steps are not tried', async (t) => {
  const port = await closedPort();
  const k = kiosk(t, (c, dir) => {
    c.gateway = {
      url: `http://127.0.0.1:${port}/router/rest`,
      app_key: APP_KEY,
      secret_file: secretFile(dir, SECRET, 0o600),
    };
  });
  const started = Date.now();
  const run = await k.run();
  const reach = find(run, 'gateway reachable');
  t.equal(reach.level, 'fail');
  t.match(reach.detail, /ECONNREFUSED/);
  t.match(reach.fix, new RegExp(`nothing listens on 127\\.0\\.0\\.1:${port}`));
  for (const c of ['gateway tls', 'gateway clock', 'gateway signed call']) {
    t.match(find(run, c), { level: 'warn', detail: /not checked/ });
  }
  t.equal(run.exitCode, 2);
  t.ok(Date.now() - started < 10_000, 'bounded');
});

async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

t.test("the clock: minutes off WARN, beyond TOP's 10-minute window FAIL", async (t) => {
  for (const [offMs, level] of [
    [3 * 60_000, 'warn'],
    [-20 * 60_000, 'fail'],
  ] as const) {
    const gw = await sandbox(t, SECRET, () => Date.now() + offMs);
    const k = kiosk(t, (c, dir) => {
      c.gateway = { url: gw.url, app_key: APP_KEY, secret_file: secretFile(dir, SECRET, 0o600) };
    });
    const run = await k.run();
    const clock = find(run, 'gateway clock');
    t.equal(clock.level, level, `${offMs / 60_000} min`);
    t.match(clock.detail, offMs > 0 ? /behind the gateway/ : /ahead of the gateway/);
    t.match(clock.fix, /timedatectl/);
    // The client resyncs from the gateway's Date after a code 31, so the call still proves the key.
    t.equal(find(run, 'gateway signed call').level, 'ok');
  }
});

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

t.test(
  'https with a certificate nobody signed: TLS FAILs with the interception hint',
  { skip: !opensslAvailable() && 'openssl is not installed' },
  async (t) => {
    const dir = t.testdir();
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
    } catch (e) {
      t.fail(`openssl could not make a certificate: ${String(e)}`);
      return;
    }
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => res.end('{}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const k = kiosk(t, (c, d) => {
      c.gateway = {
        url: `https://127.0.0.1:${port}/router/rest`,
        app_key: APP_KEY,
        secret_file: secretFile(d, SECRET, 0o600),
      };
    });
    const run = await k.run();
    t.equal(find(run, 'gateway reachable').level, 'ok');
    const tls = find(run, 'gateway tls');
    t.equal(tls.level, 'fail');
    t.match(tls.detail, /SELF_SIGNED/);
    t.match(tls.fix, /not trusted/);
  },
);
