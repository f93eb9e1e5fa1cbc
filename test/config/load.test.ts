import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, validateConfig, ConfigError, type ConfigProblem } from '../../config/load.js';

const base = {
  gateway: { url: 'https://eco.taobao.com/router/rest', app_key: '12345678' },
  store: { store_id: '333333', cashier_id: '346753', cashier_name: '张丽', machine_id: 'K01' },
};

function problems(data: unknown): ConfigProblem[] {
  try {
    validateConfig(data);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

t.test('the annotated example config is valid as shipped', (t) => {
  const c = loadConfig(new URL('../../config/xpos-agent.example.yaml', import.meta.url).pathname);
  t.equal(c.gateway.sign_method, 'hmac-sha256');
  t.equal(c.presets.A?.label, '单次入场');
  t.equal(c.price.unit, 'fen');
  t.end();
});

t.test('a minimal config gets the documented defaults', (t) => {
  const c = validateConfig(base);
  t.equal(c.gateway.sign_method, 'hmac-sha256');
  t.equal(c.gateway.connect_timeout_ms, 5000);
  t.equal(c.price.unit, 'fen');
  t.equal(c.price.max_amount, '5000');
  t.equal(c.paths.state_dir, '/var/lib/xpos-agent');
  t.equal(c.log.level, 'info');
  t.equal(c.payment.customer_wait_ms, 45000);
  t.end();
});

t.test('every problem is reported at once, each naming key, value and expectation', (t) => {
  const ps = problems({
    gateway: { url: 'ftp://x', app_key: '1 2', sign_method: 'sha1', connect_timeout_ms: 10 },
    store: { store_id: '', cashier_id: '1', cashier_name: 'x', machine_id: 'K 01', colour: 'red' },
    price: { unit: 'jiao' },
  });
  const keys = ps.map((p) => p.key);
  t.ok(keys.includes('gateway.url'));
  t.ok(keys.includes('gateway.app_key'));
  t.ok(keys.includes('gateway.sign_method'));
  t.ok(keys.includes('gateway.connect_timeout_ms'));
  t.ok(keys.includes('store.store_id'));
  t.ok(keys.includes('store.machine_id'));
  t.ok(keys.includes('store.colour'), 'an unknown key is an error, not ignored');
  t.ok(keys.includes('price.unit'));
  const sign = ps.find((p) => p.key === 'gateway.sign_method');
  t.equal(sign?.value, '"sha1"');
  t.match(sign?.expected, /md5.*hmac.*hmac-sha256/);
  t.end();
});

t.test('cross-key rules: preset over the maximum, idle preset undefined, plain http off loopback', (t) => {
  const ps = problems({
    ...base,
    gateway: { url: 'http://gw.example.net/router/rest', app_key: 'k' },
    price: { max_amount: 100 },
    presets: { A: { label: 'Year', price: '1000.00' } },
    kiosk: { idle_scan_preset: 'B', time_zone: 'Mars/Olympus' },
  });
  const byKey = new Map(ps.map((p) => [p.key, p]));
  t.match(byKey.get('presets.A.price')?.expected, /max_amount/);
  t.match(byKey.get('kiosk.idle_scan_preset')?.expected, /presets\.B/);
  t.match(byKey.get('gateway.url')?.expected, /https/);
  t.ok(byKey.has('kiosk.time_zone'));
  t.end();
});

t.test('kiosk.time_zone: canonical IANA names and their aliases pass, anything else is named', (t) => {
  for (const zone of ['Asia/Shanghai', 'Europe/Berlin', 'UTC', 'Etc/UTC', 'PRC', 'Asia/Chongqing']) {
    t.same(problems({ ...base, kiosk: { time_zone: zone } }), [], zone);
  }
  for (const zone of ['Mars/Olympus', 'asia/shanghai ', '+08:00', '']) {
    t.same(
      problems({ ...base, kiosk: { time_zone: zone } }).map((p) => p.key),
      ['kiosk.time_zone'],
      JSON.stringify(zone),
    );
  }
  t.end();
});

t.test('plain http to loopback is allowed (the embedded sandbox and tests)', (t) => {
  t.same(problems({ ...base, gateway: { url: 'http://127.0.0.1:8080/router/rest', app_key: 'k' } }), []);
  t.same(problems({ ...base, gateway: { url: 'sandbox', app_key: 'k' } }), []);
  t.end();
});

t.test('amounts with more than two decimals or negative are refused', (t) => {
  const ps = problems({
    ...base,
    presets: { A: { label: 'x', price: '1.234' }, B: { label: 'y', price: -1 } },
  });
  t.ok(ps.some((p) => p.key === 'presets.A.price' && p.value === '"1.234"'));
  t.ok(ps.some((p) => p.key === 'presets.B.price'));
  t.end();
});

t.test('a YAML syntax error names the line; an unreadable file names the file', (t) => {
  const dir = t.testdir({ 'bad.yaml': 'gateway:\n  url: [unclosed\n' });
  t.throws(() => loadConfig(join(dir, 'bad.yaml')), { name: 'ConfigError', message: /line \d+/ });
  t.throws(() => loadConfig(join(dir, 'nope.yaml')), { message: /nope\.yaml.*ENOENT/s });
  const dup = join(dir, 'dup.yaml');
  writeFileSync(dup, 'log: {level: info}\nlog: {level: debug}\n');
  t.throws(() => loadConfig(dup), { message: /valid YAML/ });
  t.end();
});
