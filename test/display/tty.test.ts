/**
 * The console display over a real pseudo-terminal (socat): every kiosk screen is drawn by the tty
 * backend, the bytes are read back from the other end of the pty and played onto a grid like a
 * Linux console, and the grid must say what the member needs to read.
 */
import t, { type Test } from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../agent/log.js';
import type { DeviceStatus } from '../../drivers/device.js';
import { bigText } from '../../drivers/display/big-digits.js';
import { TtyDisplay } from '../../drivers/display/tty.js';
import type { Display } from '../../drivers/display/types.js';
import { openPtyPair, socatAvailable, type PtyPair } from '../helpers/pty-pair.js';
import { SCREENS } from '../helpers/screens.js';
import { playVt, type VtScreen } from '../helpers/vt-screen.js';

if (!socatAvailable()) throw new Error('socat is needed for the tty display test: apt-get install socat');

const COLS = 80;
const ROWS = 25;

async function until(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

interface Rig {
  pair: PtyPair;
  display: Display;
  states: DeviceStatus[];
  /** Everything written so far, played on a console grid. */
  screen(): Promise<VtScreen>;
}

async function rig(t: Test, cjk: boolean): Promise<Rig> {
  const pair = await openPtyPair();
  const display: Display = new TtyDisplay({
    path: pair.port,
    cjk,
    columns: COLS,
    rows: ROWS,
    log: createLogger('silent'),
    backoff: { initialMs: 20, maxMs: 50, jitter: 0 },
  });
  const states: DeviceStatus[] = [];
  display.on('state', (s) => states.push(s));
  t.teardown(async () => {
    await display.close();
    await pair.close();
  });
  let bytes = Buffer.alloc(0);
  const screen = async (): Promise<VtScreen> => {
    // The frame ends with the last row's attribute reset; wait until the bytes stop coming.
    let before = -1;
    while (before !== bytes.length) {
      before = bytes.length;
      await sleep(30);
      bytes = Buffer.concat([bytes, pair.received()]);
    }
    return playVt(bytes, COLS, ROWS);
  };
  await display.start();
  return { pair, display, states, screen };
}

const text = (s: VtScreen): string => s.rows.join('\n');

t.test('the console is set up once: cursor hidden, no autowrap, no blanking, cleared', async (t) => {
  const r = await rig(t, false);
  t.match(r.states, [{ state: 'online' }]);
  r.display.show(SCREENS.ready!);
  const s = await r.screen();
  t.match(s.modes, ['?25l', '?7l', '9;0]'], 'cursor off, autowrap off, console blanking off');
  t.equal(s.rows.length, ROWS);
  t.ok(
    s.cells[0]?.every((c) => c.inverse),
    'the title row is drawn in inverse video across the screen',
  );
});

t.test(
  'a plain VT (no CJK font) shows every screen in English with the amount in large digits',
  async (t) => {
    const r = await rig(t, false);
    const expect: Record<string, (string | RegExp)[]> = {
      ready: ['Enter an amount or press A/B', 'A Day pass ¥30', 'B Towel ¥5'],
      typing: ['Enter the amount', 'max ¥5000', 'Confirm to continue', ...bigText('￥12.5', 3)],
      'typing refused': ['! Over the maximum ¥5000', ...bigText('￥10000', 2)],
      'awaiting scan': [
        'Scan to pay',
        'Day pass',
        '25 s left',
        'Cancel to go back',
        ...bigText('￥30.00', 2),
      ],
      paying: ['Paying', 'Please wait', ...bigText('￥12.50', 2)],
      checking: ['Checking payment', 'Please do not leave', '40 s left'],
      ok: ['Paid', 'Thank you, take your receipt'],
      failed: ['Declined', 'Not charged', '????????', 'Scan again to retry'],
      refused: ['Refused', 'Not charged', 'offline'],
      pending: ['Pending', 'Keep your receipt'],
      queued: ['Accepted offline', 'To be confirmed when online'],
      'out of service': ['Out of service', 'Scanner offline', 'Please call staff'],
    };
    t.same(Object.keys(expect).sort(), Object.keys(SCREENS).sort(), 'every screen is checked');
    for (const [name, view] of Object.entries(SCREENS)) {
      r.display.show(view);
      const s = await r.screen();
      const shown = text(s);
      for (const want of expect[name] ?? []) {
        if (typeof want === 'string')
          t.ok(shown.includes(want.trimEnd()), `${name}: ${JSON.stringify(want)}`);
        else t.match(shown, want, name);
      }
      t.notMatch(shown, /[\u4e00-\u9fff]/, `${name}: no CJK on a console that cannot draw it`);
      t.comment(`${name}:\n${s.rows.filter((l) => l !== '').join('\n')}`);
    }
  },
);

t.test('under fbterm/kmscon (cjk) each phrase is drawn in both languages', async (t) => {
  const r = await rig(t, true);
  r.display.show(SCREENS.typing!);
  let shown = text(await r.screen());
  t.match(shown, '请输入金额  Enter the amount');
  t.match(shown, '最多5000  max ￥5000');
  r.display.show(SCREENS['typing refused']!);
  shown = text(await r.screen());
  t.match(shown, '! 超过最大金额 ￥5000  ! Over the maximum ￥5000');
  r.display.show(SCREENS.failed!);
  shown = text(await r.screen());
  t.match(shown, '支付失败  Declined');
  t.match(shown, '余额不足');
});

t.test('a small console falls back to smaller digits, then to one line, and keeps the title', async (t) => {
  const { layoutText } = await import('../../drivers/display/text-screen.js');
  const big = layoutText(SCREENS.typing!, { cols: 80, rows: 25, cjk: false });
  t.equal(big.filter((l) => l.style === 'amount').length, 15, 'scale 3: 15 rows');
  const small = layoutText(SCREENS.typing!, { cols: 40, rows: 12, cjk: false });
  t.equal(small.filter((l) => l.style === 'amount').length, 5, 'scale 1: 5 rows');
  const tiny = layoutText(SCREENS.typing!, { cols: 20, rows: 4, cjk: false });
  t.same(
    tiny.map((l) => l.text.trim()),
    ['Enter the amount', '¥12.5', 'max ¥5000', ''],
  );
  t.ok(
    tiny.every((l) => l.text.length === 20),
    'every row exactly the width',
  );
});

t.test('a console that goes away is reported offline, then redrawn with the latest view', async (t) => {
  const r = await rig(t, false);
  r.display.show(SCREENS.ready!);
  await r.screen();
  await r.pair.unplug();
  r.display.show(SCREENS.paying!);
  await until(() => r.states.some((s) => s.state === 'offline'), 'offline');
  t.match(r.states.at(-1)?.detail, /display/);
  await r.pair.plug();
  await until(() => r.states.at(-1)?.state === 'online', 'online again');
  r.display.show(SCREENS.ok!);
  const s = await r.screen();
  t.match(text(s), 'Thank you, take your receipt', 'the latest view is drawn on the new console');
});

t.test('a path that is not a terminal is refused with the fix', async (t) => {
  const dir = t.testdir({ 'not-a-tty': '' });
  const display = new TtyDisplay({ path: `${dir}/not-a-tty`, cjk: false, log: createLogger('silent') });
  t.teardown(() => display.close());
  await display.start();
  t.match(display.status(), { state: 'absent', detail: /not a terminal.*\/dev\/tty1/ });
});
