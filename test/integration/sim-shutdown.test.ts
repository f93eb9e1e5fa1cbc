/**
 * Quitting the simulator hands the terminal back once: the last frame (out of service, "stopped")
 * is drawn before the terminal is restored, and after the restore only the `log:` and `config:`
 * lines follow, even when the kiosk still changes its screen while stopping (a pending payment).
 * The built binary, in a real 80x24 pty (util-linux `script`) and with a piped script.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAIN } from '../helpers/cli-run.js';
import { playVt } from '../helpers/vt-screen.js';

/** The pid of a child of `parent`, from /proc (procps may not be installed). */
function childOf(parent: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name in parentheses: state, then the parent's pid.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) return Number(entry);
    } catch {
      // Gone since the listing.
    }
  }
  return 0;
}

const COLS = 80;
const ROWS = 24;
const RESTORE = '\x1b[?25h';

/** The simulator in a real COLS x ROWS pty (util-linux `script`), with what it drew so far. */
function inTerminal(t: Test, dir: string) {
  const cmd = `stty cols ${COLS} rows ${ROWS}; exec ${process.execPath} ${MAIN} sim --state-dir ${dir}/st`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, TERM: 'linux' } });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let bytes = Buffer.alloc(0);
  child.stdout.on('data', (b: Buffer) => (bytes = Buffer.concat([bytes, b])));
  const until = async (what: string, ok: (s: string) => boolean): Promise<void> => {
    const start = Date.now();
    while (!ok(playVt(bytes, COLS, ROWS).rows.join('\n'))) {
      if (Date.now() - start > 20_000) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  };
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, bytes: () => bytes, until, closed };
}

t.test('in a terminal: nothing is drawn after the terminal is restored', async (t) => {
  const { child, bytes, until, closed } = inTerminal(t, t.testdir({}));
  await until('the ready screen', (s) => s.includes('Enter an amount'));
  // A pending payment: the kiosk is still changing its screen when q is pressed.
  for (const k of 'ap') {
    child.stdin.write(k);
    await sleep(150);
  }
  await until('the payment', (s) => /正在确认|支付中/.test(s));
  child.stdin.write('q');
  const code = await closed;
  t.equal(code, 0);
  await sleep(300);

  const text = bytes().toString('utf8');
  const at = text.lastIndexOf(RESTORE);
  t.ok(at > 0, 'the terminal is restored');
  t.equal(text.indexOf(RESTORE), at, 'once');
  const after = text.slice(at + RESTORE.length);
  t.match(
    after,
    new RegExp(
      `^\\x1b\\[${ROWS};1H\\r\\nlog: [^\\x1b]*/st/sim\\.log\\r\\nconfig: [^\\x1b]*/st/sim\\.yaml\\r\\n$`,
    ),
    `after the restore only the log: and config: lines: ${JSON.stringify(after.slice(0, 200))}`,
  );
  const last = playVt(text.slice(0, at), COLS, ROWS);
  t.match(last.rows[ROWS - 1], /^out-of-service · /, 'the last frame shows the kiosk out of service');
  t.match(last.rows.join('\n'), /\d\d:\d\d:\d\d {2}stopped/, 'and the simulator stopped');
});

t.test('piped: the log: and config: lines are the last output', async (t) => {
  const dir = t.testdir({});
  const child = spawn(process.execPath, [MAIN, 'sim', '--state-dir', 'st'], { cwd: dir });
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  // Quit while the payment is still being checked: the kiosk's screens change during the stop.
  child.stdin.end('key A\ndemo p\nwait 100\nquit\n');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 0);
  const lines = stdout.trimEnd().split('\n');
  t.match(lines.at(-2), /^log: .*\/st\/sim\.log$/);
  t.match(
    lines.at(-1),
    /^config: .*\/st\/sim\.yaml$/,
    `nothing after the config line:\n${lines.slice(-5).join('\n')}`,
  );
  t.match(lines.at(-3), /^stopped$/);
  t.match(lines.at(-4), /^\[out-of-service\] /, 'the last screen is shown before the paths');
});

t.test('a SIGTERM quits as q does: an orderly stop, then the paths', async (t) => {
  const dir = t.testdir({});
  const child = spawn(process.execPath, [MAIN, 'sim', '--state-dir', 'st'], { cwd: dir });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  // stdin stays open: the script is still being read when the signal comes.
  child.stdin.write('key B\ndemo s\n');
  const start = Date.now();
  while (!/状态\s+成功/.test(stdout)) {
    if (Date.now() - start > 20_000) throw new Error(`no receipt:\n${stdout}`);
    await sleep(100);
  }
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 0, 'the run ends as a quit does');
  const lines = stdout.trimEnd().split('\n');
  t.match(lines.at(-3), /^stopped$/);
  t.match(lines.at(-1), /^config: .*\/st\/sim\.yaml$/);
});

t.test('in a terminal, a SIGTERM hands the terminal back (cursor on, not left raw)', async (t) => {
  const { child, bytes, until, closed } = inTerminal(t, t.testdir({}));
  await until('the ready screen', (s) => s.includes('Enter an amount'));
  // script(1) runs the shell, which execs node: node is script's child.
  const pid = childOf(child.pid ?? -1);
  t.ok(pid > 0, `the simulator's pid (${pid})`);
  process.kill(pid, 'SIGTERM');
  const code = await closed;
  t.equal(code, 0);
  const text = bytes().toString('utf8');
  t.ok(text.includes(RESTORE), 'the cursor is turned back on');
  t.match(text.slice(text.lastIndexOf(RESTORE)), /log: [^\n]*\/st\/sim\.log\r\nconfig: /);
});
