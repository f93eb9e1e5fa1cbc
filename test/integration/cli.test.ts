/**
 * The built binary as a user and systemd meet it: real child processes running `dist/`, which
 * `make test` builds first.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

const MAIN = new URL('../../dist/agent/main.js', import.meta.url).pathname;
const EXAMPLE = new URL('../../config/xpos-agent.example.yaml', import.meta.url).pathname;
const README = new URL('../../README.md', import.meta.url).pathname;

if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function xpos(
  args: string[],
  opts: {
    input?: string;
    env?: NodeJS.ProcessEnv;
    onStdout?: (text: string, kill: (s: NodeJS.Signals) => void) => void;
  } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      opts.onStdout?.(stdout, (s) => child.kill(s));
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (opts.input !== undefined) child.stdin.end(opts.input);
  });
}

const base = `
gateway: { url: sandbox, app_key: "12345678" }
store: { store_id: "333333", cashier_id: "346753", cashier_name: 张丽, machine_id: K01 }
`;

t.test('config check accepts the shipped example, and names its placeholders to replace', async (t) => {
  const r = await xpos(['config', 'check', '--config', EXAMPLE]);
  t.equal(r.code, 0);
  t.match(r.stdout, /OK/);
  t.match(r.stdout, /warning: gateway\.app_key is the example's '12345678'/);
  t.match(r.stdout, /warning: store\.machine_id is the example's K01: give each kiosk its own/);
  const dir = t.testdir({
    'own.yaml': readFileSync(EXAMPLE, 'utf8')
      .replace("app_key: '12345678'", "app_key: '23456789'")
      .replace('machine_id: K01', 'machine_id: GYM2-K03'),
    's.yaml': base,
  });
  const own = await xpos(['config', 'check', '--config', join(dir, 'own.yaml')]);
  t.equal(own.code, 0, own.stderr);
  t.notMatch(own.stdout, /warning/, 'values of its own: no warning');
  writeFileSync(join(dir, 'secret'), 'not-a-real-secret\n');
  chmodSync(join(dir, 'secret'), 0o644);
  writeFileSync(
    join(dir, 'open.yaml'),
    readFileSync(EXAMPLE, 'utf8').replace(
      /^(\s*)url: .*$/m,
      `$1url: https://gw.example.net/router/rest\n$1secret_file: ${join(dir, 'secret')}`,
    ),
  );
  const refused = await xpos(['config', 'check', '--config', join(dir, 'open.yaml')]);
  t.equal(refused.code, 78, refused.stdout + refused.stderr);
  t.match(refused.stderr, /the app secret/);
  t.match(
    refused.stderr,
    /warning: store\.machine_id is the example's K01/,
    'placeholders told with the error',
  );
  const demo = await xpos(['config', 'check', '--config', join(dir, 's.yaml')]);
  t.equal(demo.code, 0, demo.stderr);
  t.notMatch(demo.stdout, /warning/, 'the sandbox key is right for the sandbox');
});

t.test('config check prints every problem with key, value and expectation, and exits 78', async (t) => {
  const dir = t.testdir({
    'bad.yaml': `${base}\nprice: { unit: jiao, max_digits: 12 }\nlog: { level: loud }\nkiosk: { colour: red }\n`,
  });
  const r = await xpos(['config', 'check', '--config', join(dir, 'bad.yaml')]);
  t.equal(r.code, 78);
  t.match(r.stderr, /price\.unit: "jiao" — .*fen.*yuan/);
  t.match(r.stderr, /price\.max_digits: 12 — /);
  t.match(r.stderr, /log\.level: "loud" — /);
  t.match(r.stderr, /kiosk\.colour: unknown key/);
});

t.test('the daemon refuses to start on a bad config with the same errors and exit 78', async (t) => {
  const dir = t.testdir({
    'bad.yaml': `gateway: { url: "http://gw.example.net/router/rest", app_key: "k" }\nstore: { store_id: "1" }\n`,
  });
  const r = await xpos(['run', '--config', join(dir, 'bad.yaml')]);
  t.equal(r.code, 78);
  t.match(r.stderr, /gateway\.url: "http:\/\/gw\.example\.net\/router\/rest" — expected an https:\/\/ URL/);
  t.match(r.stderr, /store\.cashier_id: \(missing\)/);
  const missing = await xpos(['run', '--config', join(dir, 'absent.yaml')]);
  t.equal(missing.code, 78);
  t.match(missing.stderr, /absent\.yaml.*ENOENT/);
});

t.test(
  'run refuses the embedded demo gateway without --demo: exit 78, naming key, value and the way out',
  async (t) => {
    const dir = t.testdir({});
    const cfg = join(dir, 'demo.yaml');
    writeFileSync(cfg, `${base}paths: { state_dir: ${JSON.stringify(join(dir, 'state'))} }\n`);
    const r = await xpos(['run', '--config', cfg]);
    t.equal(r.code, 78);
    t.match(
      r.stderr,
      'gateway.url: "sandbox" — the embedded demo gateway takes no real money: set the real gateway URL, ' +
        'or start a demo kiosk with `xpos-agent run --demo`',
    );
    t.notOk(existsSync(join(dir, 'state')), 'refused before anything was started or written');

    const check = await xpos(['config', 'check', '--config', cfg]);
    t.equal(check.code, 0, 'the file itself is valid');
    t.match(check.stdout, /demo\.yaml: OK\nnote: gateway\.url is "sandbox".*`xpos-agent run` needs --demo/);
    const real = await xpos(['config', 'check', '--config', EXAMPLE]);
    t.notMatch(real.stdout, /note|--demo/, 'no note for a real gateway');
  },
);

t.test('--demo with a real gateway is a usage error: it would take real money', async (t) => {
  const r = await xpos(['run', '--demo', '--config', EXAMPLE]);
  t.equal(r.code, 64);
  t.match(r.stderr, /--demo: gateway\.url is "https:\/\/eco\.taobao\.com\/router\/rest", a real gateway/);
});

t.test('the usage text documents --demo', async (t) => {
  const r = await xpos(['--help']);
  t.equal(r.code, 0);
  t.match(r.stdout, /run\s+\[--config FILE\] \[--demo\]/);
  t.match(r.stdout, /refused unless --demo/);
});

t.test('the daemon refuses a world-readable secret file, naming it, and exits 78', async (t) => {
  const dir = t.testdir({ secret: 'shh-its-secret' });
  chmodSync(join(dir, 'secret'), 0o644);
  const cfg = join(dir, 'c.yaml');
  writeFileSync(
    cfg,
    `gateway: { url: "https://gw.example.net/router/rest", app_key: k, secret_file: ${join(dir, 'secret')} }\n` +
      `store: { store_id: "1", cashier_id: "2", cashier_name: x, machine_id: K01 }\npaths: { state_dir: ${dir}/state }\n`,
  );
  const r = await xpos(['run', '--config', cfg], { env: { CREDENTIALS_DIRECTORY: '' } });
  t.equal(r.code, 78);
  t.match(r.stderr, /gateway\.secret_file: .*mode 0644/);
  t.notMatch(r.stderr + r.stdout, 'shh-its-secret');
});

t.test('the simulator runs a scripted sale, a decline and a pending one, and quits cleanly', async (t) => {
  const dir = t.testdir({});
  const script = [
    'key B',
    'demo s',
    'wait 600',
    'key A',
    'demo f',
    'wait 600',
    'key 1 2 . 5 ENTER',
    'demo p',
    'wait 7000',
    'quit',
  ];
  const r = await xpos(['sim', '--state-dir', dir], { input: script.join('\n') + '\n' });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /成功/);
  t.match(r.stdout, /失败/);
  t.match(r.stdout, /Checking payment|正在确认/);
  const receipts = readdirSync(join(dir, 'receipts'));
  t.equal(receipts.length, 3, 'each receipt saved under the state directory');
  const last = readFileSync(join(dir, 'receipts', receipts.sort().at(-1)!), 'utf8');
  t.match(last, /￥12\.50/);
  t.match(last, /成功/);
  for (const name of receipts) {
    const text = readFileSync(join(dir, 'receipts', name), 'utf8');
    t.match(
      text.split('\n').slice(0, 4).join('\n'),
      /演示 - 非真实交易/,
      `${name}: marked as a demo at the top`,
    );
  }
  t.ok(existsSync(join(dir, 'sim.log')));
});

t.test(
  'piped keys are drawn as typed, every refusal says why, and 1 0 0 0 0 is never a silent 10',
  async (t) => {
    const dir = t.testdir({});
    const script = [
      'key 1 2 . 5',
      'key ESC',
      'key 1 0 0 0 0 ENTER',
      'key ESC',
      'key 0 7 ENTER',
      'key ESC',
      'quit',
    ];
    const r = await xpos(['sim', '--state-dir', dir], { input: script.join('\n') + '\n' });
    t.equal(r.code, 0, r.stderr);
    const screens = r.stdout.split('\n').filter((l) => l.startsWith('[typing]'));
    t.ok(
      screens.some((l) => l.includes('￥12.5 ')),
      'after 1 2 . 5 the screen shows ￥12.5',
    );
    t.ok(
      screens.some((l) => l.includes('￥10000 ')),
      'all five digits of 1 0 0 0 0 count',
    );
    t.ok(
      screens.some((l) => l.includes('! 超过最大金额 ￥5000') && l.includes('￥10000')),
      '10000 is refused with the reason, not sold as 10',
    );
    t.ok(
      screens.some((l) => l.includes('! 不能以 0 开头')),
      '0 then 7: why the 7 was not taken',
    );
    t.ok(
      screens.some((l) => l.includes('! 金额不能为零')),
      '0 Enter: refused as zero, with a word',
    );
    t.notMatch(r.stdout, /￥10\.00/, 'never ￥10');
    t.notOk(
      existsSync(join(dir, 'receipts')) && readdirSync(join(dir, 'receipts')).length > 0,
      'nothing sold',
    );
  },
);

t.test('sandbox alone prints its loopback URL and app key and stops on SIGTERM', async (t) => {
  const r = await xpos(['sandbox', '--port', '0'], {
    onStdout: (text, kill) => {
      if (text.includes('app_key')) kill('SIGTERM');
    },
  });
  t.equal(r.code, 0);
  t.match(r.stdout, /http:\/\/127\.0\.0\.1:\d+\/router\/rest/);
  t.match(r.stdout, /app_key: 12345678/);
  t.notMatch(r.stdout, 'sandbox-demo-secret');
  // The secret is never printed; the line says where it is written, a file an installed kiosk has.
  const where =
    /^secret: the demo secret \(sandbox only\), written in (\/\S+\/README\.md) under "Demo codes"$/m.exec(
      r.stdout,
    )?.[1];
  t.equal(where, README, 'the README beside the agent (APPDIR/README.md when installed)');
  const readme = readFileSync(README, 'utf8');
  const section = readme.slice(readme.indexOf('### Demo codes'));
  t.match(section, /The demo secret is `sandbox-demo-secret`/, 'that section gives the secret');
  t.match(section, /prints its URL, the demo app key `12345678`\s+and, as it never prints a secret, where/);
});

t.test(
  'run with scripted devices takes a sale, and SIGTERM during a pending payment exits 0 in order',
  async (t) => {
    const dir = t.testdir({});
    const cfg = join(dir, 'c.yaml');
    writeFileSync(
      cfg,
      `${base}presets: { A: { label: x, price: 5 } }\n` +
        `devices: { keypad: { type: sim }, scanner: { type: sim }, printer: { type: sim } }\npaths: { state_dir: ${dir} }\n`,
    );
    const child = spawn(process.execPath, [MAIN, 'run', '--demo', '--config', cfg]);
    let stdout = '';
    let signalled = false;
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (!signalled && /"status":"pending"[^\n]*"msg":"payment step"/.test(stdout)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    // A pending code: the daemon is mid-payment when the signal arrives. Stdin stays open.
    child.stdin.write('key A\ndemo p\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    t.ok(signalled, 'the signal arrived while the payment was unresolved');
    t.equal(code, 0);
    const msgs = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    t.ok(msgs.includes('agent ready'));
    t.ok(msgs.includes('stopping'));
    t.ok(msgs.indexOf('stopping') < msgs.indexOf('stopped'), 'stopped after stopping, in order');
  },
);

t.test('usage mistakes are told as such, before any config is read', async (t) => {
  const missing = '/nonexistent/xpos-agent.yaml';
  const show = await xpos(['queue', 'show', '', '--config', missing]);
  t.equal(show.code, 64, 'an empty ID is the command line’s mistake, not the config’s');
  t.match(show.stderr, /^xpos-agent: queue show: ID is empty/);
  const extra = await xpos(['queue', 'export', 'a', 'b', '--config', missing]);
  t.equal(extra.code, 64);
  t.match(extra.stderr, /unexpected argument "a"/, 'the first extra word is named');
  const bare = await xpos(['--config', missing]);
  t.equal(bare.code, 64);
  t.match(bare.stderr, /^xpos-agent: no command given\n/, '--config is a known option');
  const odd = await xpos(['--frob']);
  t.match(odd.stderr, /^xpos-agent: unknown option --frob \(no command given\)/);
});
