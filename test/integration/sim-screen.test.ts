/**
 * The simulator as a person sees it: the built binary in a real 80x24 terminal (a pty from
 * util-linux `script`), keys typed one by one, and the bytes it drew played onto a console grid.
 * The frame must fit, the status line must stay on the bottom row, the typed amount and every
 * refusal must be on the kiosk screen, and the countdown must move.
 */
import t, { type Test } from 'tap';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { bigText } from '../../drivers/display/big-digits.js';
import { playVt, type VtScreen } from '../helpers/vt-screen.js';

const MAIN = new URL('../../dist/agent/main.js', import.meta.url).pathname;
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);

const COLS = 80;
const ROWS = 24;

interface Term {
  type(keys: string): Promise<void>;
  /** The screen once the output has been quiet for a moment (the sim redraws on the next tick). */
  screen(): Promise<VtScreen>;
  until(what: string, ok: (s: VtScreen) => boolean): Promise<VtScreen>;
  child: ChildProcessWithoutNullStreams;
}

function terminal(t: Test, dir: string): Term {
  const cmd = `stty cols ${COLS} rows ${ROWS}; exec ${process.execPath} ${MAIN} sim --state-dir ${dir}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, TERM: 'linux' } });
  let bytes = Buffer.alloc(0);
  child.stdout.on('data', (b: Buffer) => (bytes = Buffer.concat([bytes, b])));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const screen = async (): Promise<VtScreen> => {
    let before = -1;
    while (before !== bytes.length) {
      before = bytes.length;
      await sleep(150);
    }
    return playVt(bytes, COLS, ROWS);
  };
  return {
    child,
    async type(keys) {
      // An escape sequence (arrow keys) goes in one write; a lone Esc needs readline's escape
      // timeout (500 ms) before the next key, or Esc then 1 reads as Alt-1, as on any terminal.
      for (const k of keys.startsWith('\x1b[') ? [keys] : Array.from(keys)) {
        child.stdin.write(k);
        await sleep(k === '\x1b' ? 700 : 60);
      }
    },
    screen,
    async until(what, ok) {
      const start = Date.now();
      for (;;) {
        const s = await screen();
        if (ok(s)) return s;
        if (Date.now() - start > 20_000)
          throw new Error(`timed out waiting for ${what}:\n${s.rows.join('\n')}`);
      }
    },
  };
}

const all = (s: VtScreen): string => s.rows.join('\n');

t.test('the simulator fits 80x24, shows what is typed and why a key was refused', async (t) => {
  const term = terminal(t, t.testdir({}));
  let s = await term.until('the ready screen', (x) => all(x).includes('Enter an amount'));
  t.match(
    s.rows[ROWS - 1],
    /^ready · \d\d:\d\d:\d\d Asia\/Shanghai .*q quit/,
    'status line on the bottom row',
  );
  t.match(s.rows[0], /^xpos-agent simulator · demo · sandbox http:\/\/127\.0\.0\.1:\d+/);

  await term.type('12.5');
  s = await term.until('12.5 on the screen', (x) => all(x).includes(bigText('￥12.5')[0]!.trimEnd()));
  for (const row of bigText('￥12.5'))
    t.ok(all(s).includes(row.trimEnd()), 'the typed amount in large digits');
  t.match(all(s), '最多5000');

  // 1 0 0 0 0 typed fast: every repeated digit counts (no bounce on simulated keys), refused at confirm.
  await term.type('\x1b10000\r');
  s = await term.until('the over-maximum refusal', (x) => all(x).includes('超过最大金额 ￥5000'));
  for (const row of bigText('￥10000')) t.ok(all(s).includes(row.trimEnd()), 'all five digits kept');

  await term.type('\x1b07\r');
  s = await term.until('the zero refusal', (x) => all(x).includes('金额不能为零'));
  t.match(all(s), /! 金额不能为零/, '0 7 Enter is refused with a word, marked as an alert');

  await term.type('\x1b1.234');
  s = await term.until('the decimals refusal', (x) => all(x).includes('最多 2 位小数'));
  t.match(s.rows[ROWS - 1], /^typing · /, 'the status line is still the bottom row');
  t.equal(s.rows.length, ROWS);

  // A sale: the countdown moves while waiting for the scan, and the receipt has its own region.
  await term.type('\r');
  const first = await term.until('the countdown', (x) => /剩余 \d+ 秒/.test(all(x)));
  const n = Number(/剩余 (\d+) 秒/.exec(all(first))?.[1]);
  await term.until('the countdown to move', (x) => all(x).includes(`剩余 ${n - 1} 秒`));
  t.pass(`the countdown moved from ${n} to ${n - 1}`);
  await term.type('s');
  s = await term.until(
    'the paid screen and its receipt',
    (x) => all(x).includes('支付成功') && /receipt 1–16 of \d+/.test(all(x)),
  );
  t.match(all(s), /│.*￥1\.23/, 'the receipt, right of the kiosk screen');
  t.match(s.rows[ROWS - 1], /^ok · /);
  await term.type('\x1b[B');
  s = await term.until('the receipt to scroll', (x) => /receipt 2–17 of \d+/.test(all(x)));
  t.match(s.rows[ROWS - 1], /^ok · /, '↓ scrolls the receipt in its own region; the status line stays');

  // Listening before q: the simulator may be gone before type() returns.
  const closed = new Promise<number | null>((resolve) => term.child.on('close', resolve));
  await term.type('q');
  t.equal(await closed, 0);
});
