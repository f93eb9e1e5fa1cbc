/**
 * promtool (Debian package `prometheus`), which `make test` installs like socat. A missing promtool
 * fails the test in CI and as root (make sysdeps installs it there); only a developer who is not root
 * and has not installed it gets a skip, with the apt line, as with the other system packages.
 */
import { execFile } from 'node:child_process';

export const PROMTOOL_HINT =
  'promtool not found: install the Debian package "prometheus" (apt-get install prometheus)';

export interface PromtoolRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function promtool(args: readonly string[], input?: string): Promise<PromtoolRun | 'missing'> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'promtool',
      args,
      { encoding: 'utf8', timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code === 'string') {
          if (err.code === 'ENOENT') resolve('missing');
          else reject(new Error(`promtool: ${err.message}`));
          return;
        }
        resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Whether a missing promtool may be skipped here (a developer's machine, not root, not CI). */
export function maySkipMissing(): boolean {
  return process.env['CI'] === undefined && process.getuid?.() !== 0;
}

/** tap options for a test that needs promtool: a skip with the hint only where a skip is allowed. */
export async function needsPromtool(): Promise<{ skip?: string }> {
  const probe = await promtool(['--version']);
  return probe === 'missing' && maySkipMissing() ? { skip: PROMTOOL_HINT } : {};
}

/** Runs promtool; a missing one is an error naming the package (the test fails, never passes). */
export async function mustPromtool(args: readonly string[], input?: string): Promise<PromtoolRun> {
  const r = await promtool(args, input);
  if (r === 'missing') throw new Error(PROMTOOL_HINT);
  return r;
}
