/**
 * One text→fen conversion: an amount means the same fen whether it is written in the config file
 * (preset, price.max_amount, offline limit) or typed on the keypad, and both refuse the same texts.
 */
import t from 'tap';
import { ConfigError, validateConfig, type ConfigProblem } from '../../config/load.js';
import { MAX_FEN, parseYuan } from '../../config/money.js';
import type { ConfigInput } from '../../config/schema.js';
import { kioskSettings, offlinePolicy, presetsOf } from '../../agent/settings.js';
import { keys, press, run, settings } from '../helpers/kiosk-run.js';

const base = {
  gateway: { url: 'https://eco.taobao.com/router/rest', app_key: '12345678' },
  store: { store_id: '333333', cashier_id: '346753', cashier_name: '张丽', machine_id: 'K01' },
} as const;

const MAX_YUAN = String(MAX_FEN / 100);

function problems(data: Partial<ConfigInput>): ConfigProblem[] {
  try {
    validateConfig({ ...base, ...data });
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

/** The fen the keypad confirms for `text` typed key by key, or the problem it shows. */
function keypadFen(text: string): number | string {
  const r = run(press(keys(text, 'ENTER')), {
    settings: settings({ maxIntegerDigits: 8, maxAmountFen: MAX_FEN }),
  });
  const s = r.kiosk.state;
  if (s.mode === 'awaiting-scan') return s.sale.amountFen;
  return s.mode === 'entering' ? (s.problem ?? 'no problem shown') : s.mode;
}

/** The fen each config key holding yuan yields for `text`, or the problems the file is refused with. */
function configFen(
  text: string,
): { preset: number; maxAmount: number; offlineSale: number } | ConfigProblem[] {
  const data: Partial<ConfigInput> = {
    price: { max_amount: MAX_YUAN },
    presets: { A: { label: 'x', price: text } },
    offline: { max_sale: text, max_total: MAX_YUAN },
  };
  const ps = problems(data);
  if (ps.length > 0) return ps;
  const c = validateConfig({ ...base, ...data });
  const withMax = validateConfig({ ...base, price: { max_amount: text } });
  return {
    preset: presetsOf(c)[0]?.priceFen ?? -1,
    maxAmount: kioskSettings(withMax).maxAmountFen,
    offlineSale: offlinePolicy(c).maxSaleFen,
  };
}

t.test('the same text gives the same fen through the config file and the keypad', (t) => {
  const table: [text: string, fen: number][] = [
    ['12', 1200],
    ['12.5', 1250],
    ['12.50', 1250],
    ['12.05', 1205],
    ['12.', 1200],
    ['0.01', 1],
    ['0.5', 50],
    ['299', 29_900],
    ['5000', 500_000],
    [MAX_YUAN, MAX_FEN],
  ];
  for (const [text, fen] of table) {
    t.same(parseYuan(text), { ok: true, fen }, `parseYuan ${text}`);
    t.equal(keypadFen(text), fen, `keypad ${text}`);
    t.same(configFen(text), { preset: fen, maxAmount: fen, offlineSale: fen }, `config ${text}`);
  }
  t.end();
});

t.test('an amount over MAX_FEN is refused by both, the config naming the key, value and maximum', (t) => {
  for (const text of ['10000000.01', '99999999', '99999999.99']) {
    t.equal(keypadFen(text), 'over-max', `keypad ${text}`);
    const ps = configFen(text);
    t.ok(Array.isArray(ps), `config ${text} refused`);
    if (!Array.isArray(ps)) continue;
    t.match(ps, [
      { key: 'presets.A.price', value: JSON.stringify(text), expected: `at most ${MAX_YUAN} yuan` },
    ]);
    const max = problems({ price: { max_amount: text } });
    t.match(max, [
      { key: 'price.max_amount', value: JSON.stringify(text), expected: `at most ${MAX_YUAN} yuan` },
    ]);
  }
  t.end();
});

t.test('a preset dearer than price.max_amount is refused, naming the key, the value and the maximum', (t) => {
  const ps = problems({ price: { max_amount: '100' }, presets: { B: { label: 'Year', price: '100.01' } } });
  t.same(ps, [{ key: 'presets.B.price', value: '"100.01"', expected: 'at most price.max_amount (100)' }]);
  t.same(problems({ price: { max_amount: '100' }, presets: { B: { label: 'Year', price: '100.00' } } }), []);
  t.end();
});

t.test('text neither accepts: a third decimal, a sign, letters, nothing', (t) => {
  for (const text of ['1.234', '-1', '1e3', '12a', ' ']) {
    t.notOk(parseYuan(text).ok, `parseYuan ${JSON.stringify(text)}`);
    const ps = configFen(text);
    t.ok(Array.isArray(ps) && ps.some((p) => p.key === 'presets.A.price'), `config ${JSON.stringify(text)}`);
  }
  t.end();
});
