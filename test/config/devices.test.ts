import t from 'tap';
import { validateConfig, ConfigError, type ConfigProblem } from '../../config/load.js';
import { layoutKeys } from '../../config/devices.js';

const base = {
  gateway: { url: 'https://eco.taobao.com/router/rest', app_key: '12345678' },
  store: { store_id: '333333', cashier_id: '346753', cashier_name: '张丽', machine_id: 'K01' },
};

function problems(devices: unknown): ConfigProblem[] {
  try {
    validateConfig({ ...base, devices });
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

t.test('a kiosk with every real device gets the documented defaults', (t) => {
  const c = validateConfig({
    ...base,
    devices: {
      scanner: { type: 'serial', path: '/dev/xpos-scanner' },
      keypad: { type: 'gpio-matrix', rows: [5, 6, 13, 19], cols: [12, 16, 20, 21] },
      printer: { type: 'usblp' },
      feedback: { type: 'gpio', buzzer: 18 },
    },
  });
  t.match(c.devices.scanner, {
    baud: 9600,
    terminator: 'cr',
    min_length: 6,
    max_length: 128,
    charset: 'printable',
    stale_ms: 1000,
  });
  t.match(c.devices.keypad, { layout: '4x4', debounce_ms: 20, scan_interval_ms: 5 });
  t.match(c.devices.printer, {
    path: '/dev/usb/lp0',
    columns: 32,
    cut: 'partial',
    qr_size: 6,
    qr_error_level: 'M',
    cash_drawer: false,
  });
  t.match(c.devices.feedback, { buzzer: 18, active_low: false });
  t.end();
});

t.test('each device mistake names the key, the value and what was expected', (t) => {
  t.same(problems({ scanner: { type: 'serial', path: 'ttyUSB0', baud: 9601 } }), [
    {
      key: 'devices.scanner.path',
      value: '"ttyUSB0"',
      expected: 'expected an absolute device path such as /dev/xpos-scanner',
    },
    {
      key: 'devices.scanner.baud',
      value: '9601',
      expected: 'expected one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200',
    },
  ]);
  t.match(problems({ scanner: { type: 'serail', path: '/dev/x' } }), [
    { key: 'devices.scanner.type', value: '"serail"', expected: /sim.*serial/ },
  ]);
  t.match(problems({ printer: { type: 'tcp', host: '192.168.1.50', colums: 48 } }), [
    { key: 'devices.printer.colums', expected: /unknown key/ },
  ]);
  t.match(problems({ keypad: { type: 'gpio-matrix', rows: [5, 6, 28], cols: [12] } }), [
    { key: 'devices.keypad.rows.2', value: '28' },
  ]);
  t.end();
});

t.test('cross-key device rules: lengths, layout size, pins used twice, feedback without pins', (t) => {
  t.same(problems({ scanner: { type: 'serial', path: '/dev/s', min_length: 20, max_length: 10 } }), [
    { key: 'devices.scanner.min_length', value: '20', expected: 'at most devices.scanner.max_length (10)' },
  ]);
  t.same(
    problems({
      keypad: { type: 'gpio-matrix', rows: [5, 6, 13], cols: [12, 16, 20, 5] },
      feedback: { type: 'gpio', buzzer: 12 },
    }),
    [
      {
        key: 'devices.keypad.cols.3',
        value: '5',
        expected: 'a pin not already used by devices.keypad.rows.0',
      },
      {
        key: 'devices.keypad.layout',
        value: '"4x4"',
        expected: '3 rows of 4 keys (one per row and column pin)',
      },
      {
        key: 'devices.feedback.buzzer',
        value: '12',
        expected: 'a pin not already used by devices.keypad.cols.0',
      },
    ],
  );
  t.match(problems({ feedback: { type: 'gpio' } }), [{ key: 'devices.feedback', expected: /at least one/ }]);
  t.end();
});

t.test('a custom layout accepts YAML numbers for digits and checks its size', (t) => {
  const c = validateConfig({
    ...base,
    devices: {
      keypad: {
        type: 'gpio-matrix',
        rows: [5, 6],
        cols: [12, 16, 20],
        layout: [
          [1, 2, 'ENTER'],
          [0, '.', 'ESC'],
        ],
      },
    },
  });
  const k = c.devices.keypad;
  if (k?.type !== 'gpio-matrix') throw new Error('expected a matrix keypad');
  t.same(layoutKeys(k), [
    ['1', '2', 'ENTER'],
    ['0', '.', 'ESC'],
  ]);
  t.match(problems({ keypad: { type: 'gpio-matrix', rows: [5], cols: [6], layout: [['X']] } }), [
    { key: 'devices.keypad.layout', value: '[["X"]]', expected: /expected 4x4, 4x3, or rows of key caps/ },
  ]);
  t.end();
});

t.test('a display: the console on tty1 in English by default, or the ST7920 on spidev0.0', (t) => {
  const tty = validateConfig({ ...base, devices: { display: { type: 'tty' } } });
  t.same(tty.devices.display, { type: 'tty', path: '/dev/tty1', cjk: false });
  const lcd = validateConfig({ ...base, devices: { display: { type: 'st7920' } } });
  t.same(lcd.devices.display, { type: 'st7920', bus: 0, device: 0, speed_hz: 500_000, spi_mode: 3 });
  t.equal(validateConfig(base).devices.display, undefined, 'no display unless configured');
  t.match(problems({ display: { type: 'st7920', spi_mode: 1 } }), [{ key: 'devices.display.spi_mode' }]);
  t.match(problems({ display: { type: 'tty', path: 'tty1' } }), [{ key: 'devices.display.path' }]);
  t.match(problems({ display: { type: 'hd44780' } }), [{ key: 'devices.display.type' }]);
  t.end();
});
