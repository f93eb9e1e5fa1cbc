/**
 * One agent per state directory, between processes of the built binary: a second `run` or `sim`
 * exits 75 at once naming the directory and the holder's pid, the operators' read-only tools work
 * while the holder runs, and a holder killed with SIGKILL leaves nothing that blocks the next start.
 */
import t, { type Test } from 'tap';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MAIN = new URL('../../dist/agent/main.js', import.meta.url).pathname;
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "make build" (make test does it first)`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function xpos(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Holder {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a long-running agent and resolves once its output contains `ready`. */
async function hold(t: Test, args: string[], ready: string): Promise<Holder> {
  const child = spawn(process.execPath, [MAIN, ...args]);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const limit = setTimeout(() => reject(new Error(`no "${ready}" in 15 s: ${out}`)), 15_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes(ready)) {
        clearTimeout(limit);
        resolve();
      }
    });
    void exited.then(({ code }) => reject(new Error(`exited ${code} before "${ready}": ${out}`)));
  });
  return { child, exited };
}

function demoConfig(dir: string, state: string): string {
  const file = join(dir, 'c.yaml');
  writeFileSync(
    file,
    `gateway: { url: sandbox, app_key: "12345678" }
store: { store_id: "1", cashier_id: "1", cashier_name: 张丽, machine_id: K01 }
paths: { state_dir: ${JSON.stringify(state)} }
`,
  );
  return file;
}

const refusal = (dir: string, pid: number | undefined): string =>
  `xpos-agent: another xpos-agent (pid ${pid}) is using the state directory ${dir}; stop it first\n`;

t.test(
  'while run holds the state directory: run and sim are refused with 75, queue and doctor work',
  async (t) => {
    const dir = t.testdir({});
    const state = join(dir, 'state');
    const cfg = demoConfig(dir, state);
    const holder = await hold(t, ['run', '--demo', '--config', cfg], 'agent ready');

    const run = await xpos(['run', '--demo', '--config', cfg]);
    t.equal(run.code, 75, 'a second run exits 75');
    t.equal(run.stderr, refusal(state, holder.child.pid));
    t.notMatch(run.stdout, /agent ready/, 'refused before it started anything');

    const sim = await xpos(['sim', '--state-dir', state]);
    t.equal(sim.code, 75, 'a sim on the same directory too');
    t.equal(sim.stderr, refusal(state, holder.child.pid));

    const queue = await xpos(['queue', 'report', '--config', cfg]);
    t.equal(queue.code, 0, `queue report works while the daemon runs: ${queue.stderr}`);
    const doctor = await xpos(['doctor', '--json', '--config', cfg]);
    const report = JSON.parse(doctor.stdout) as { checks: { check: string; level: string }[] };
    t.match(
      report.checks.find((c) => c.check === 'ledger'),
      { level: 'ok' },
      'doctor reads the ledger while the daemon runs',
    );

    holder.child.kill('SIGKILL');
    t.match(await holder.exited, { signal: 'SIGKILL' });
    const next = await hold(t, ['run', '--demo', '--config', cfg], 'agent ready');
    t.pass('after SIGKILL of the holder a new agent starts: the kernel dropped the lock');
    next.child.kill('SIGTERM');
    t.match(await next.exited, { code: 0 }, 'and stops cleanly');
  },
);

t.test('two simulators on one state directory: the second exits 75 naming it', async (t) => {
  const state = join(t.testdir({}), 'state');
  // stdin stays open: the simulator waits for script lines and holds the directory.
  const first = await hold(t, ['sim', '--state-dir', state], 'sandbox gateway at');
  const second = await xpos(['sim', '--state-dir', state]);
  t.equal(second.code, 75);
  t.equal(second.stderr, refusal(state, first.child.pid));
  first.child.stdin.end('quit\n');
  t.match(await first.exited, { code: 0 });
  const third = await xpos(['sim', '--state-dir', state]);
  t.equal(third.code, 0, `free once the first quits: ${third.stderr}`);
});
