/**
 * The systemd tools the unit tests lean on, usable without systemd running as PID 1 (a CI
 * container): `systemd-analyze security --offline=true`, `systemd-analyze verify` and
 * `systemd-sysusers --root=`. All three come from the Debian package `systemd`; a missing tool is
 * an error that says so, because a hardening gate that silently skips is no gate.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

export const INSTALL_HINT =
  'install the Debian package "systemd" (apt-get install systemd): it provides systemd-analyze and systemd-sysusers';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a tool to completion; rejects only when it cannot be started (ENOENT gets the install hint). */
export function run(cmd: string, args: readonly string[]): Promise<Run> {
  // No colours, no pager, no locale surprises: the output is parsed.
  const env = { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: 'cat', SYSTEMD_LOG_COLOR: '0' };
  return new Promise((done, fail) => {
    execFile(cmd, args, { env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code === 'string') {
        const hint = err.code === 'ENOENT' ? `${cmd} not found: ${INSTALL_HINT}` : err.message;
        fail(new Error(hint));
        return;
      }
      done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

export interface Exposure {
  /** On systemd's 0-10 scale (1.3 means 13 on the --threshold scale). */
  exposure: number;
  /** OK, MEDIUM, EXPOSED or UNSAFE. */
  verdict: string;
}

/** The "→ Overall exposure level for x.service: 1.3 OK 🙂" line; undefined if absent. */
export function parseExposure(output: string): Exposure | undefined {
  const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?) ([A-Z]+)/.exec(output);
  if (!m?.[1] || !m[2]) return undefined;
  return { exposure: Number(m[1]), verdict: m[2] };
}

export interface SecurityReport extends Exposure {
  /** Exit code with --threshold: non-zero when the exposure is above it. */
  code: number;
  /** The settings still costing exposure, e.g. "PrivateNetwork= 0.5". */
  open: string[];
}

/** `systemd-analyze security --offline=true --threshold=<max×10>`, parsed. */
export async function security(unitPath: string, maxExposure: number): Promise<SecurityReport> {
  const threshold = Math.round(maxExposure * 10);
  const r = await run('systemd-analyze', [
    'security',
    '--offline=true',
    `--threshold=${threshold}`,
    '--no-pager',
    unitPath,
  ]);
  const parsed = parseExposure(r.stdout);
  if (!parsed)
    throw new Error(`no exposure in systemd-analyze output (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  const open = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('✗'))
    .map((l) => {
      const cols = l
        .slice(1)
        .trim()
        .split(/\s{2,}/);
      return `${cols[0] ?? ''} ${cols.at(-1) ?? ''}`;
    });
  return { ...parsed, code: r.code, open };
}

export interface VerifyReport {
  code: number;
  /** Every line verify printed (stdout and stderr); empty when the unit is clean. */
  lines: string[];
}

/**
 * `systemd-analyze verify` on a copy of the unit whose ExecStart binary is a stub, because verify
 * rejects a missing executable and the real one only exists once installed. Everything else
 * (keys, values, dependencies, sandbox settings) is checked as written.
 */
export async function verify(unitPath: string): Promise<VerifyReport> {
  const dir = await mkdtemp(join(tmpdir(), 'xpos-verify-'));
  try {
    const text = await readFile(unitPath, 'utf8');
    const stubbed = await stubExecutables(text, dir);
    const copy = join(dir, basename(unitPath));
    await writeFile(copy, stubbed);
    const r = await run('systemd-analyze', ['verify', '--no-pager', copy]);
    const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
    return { code: r.code, lines };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function stubExecutables(unit: string, dir: string): Promise<string> {
  const bin = join(dir, 'bin');
  await mkdir(bin);
  const out: string[] = [];
  for (const line of unit.split('\n')) {
    // ExecStart=, ExecStartPre=, ExecStop=... with optional -@:+! prefixes before the path.
    const m = /^(Exec[A-Za-z]*=[-@:+!]*)(\/\S+)(.*)$/.exec(line);
    if (!m?.[1] || !m[2]) {
      out.push(line);
      continue;
    }
    const stub = join(bin, basename(m[2]));
    await writeFile(stub, '#!/bin/sh\nexit 0\n');
    await chmod(stub, 0o755);
    out.push(`${m[1]}${stub}${m[3] ?? ''}`);
  }
  return out.join('\n');
}

/** A unit file as section → key → values (repeated keys keep every value, in order). */
export type UnitFile = Map<string, Map<string, string[]>>;

export function parseUnit(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Map<string, string[]> | undefined;
  // systemd joins a line ending in a backslash with the next one.
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const s = line.trim();
    if (s === '' || s.startsWith('#') || s.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(s);
    if (header?.[1]) {
      section = new Map();
      unit.set(header[1], section);
      continue;
    }
    const eq = s.indexOf('=');
    if (!section || eq < 1) throw new Error(`not a setting: ${s}`);
    const key = s.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), s.slice(eq + 1).trim()]);
  }
  return unit;
}

/** The values of one key; an empty assignment (`Key=`) shows up as ''. */
export function values(unit: UnitFile, section: string, key: string): string[] {
  return unit.get(section)?.get(key) ?? [];
}

export interface Account {
  name: string;
  id: number;
  /** passwd: the gid; group: the members. */
  rest: string[];
}

export interface SysusersResult {
  passwd: Account[];
  group: Account[];
}

/**
 * Apply a sysusers.d file to a throwaway root: `files` seeds it (e.g. a Debian /etc/group with
 * dialout and lp), the result is the passwd and group files systemd-sysusers wrote.
 */
export async function applySysusers(
  confPath: string,
  files: Record<string, string> = {},
): Promise<SysusersResult> {
  const root = await mkdtemp(join(tmpdir(), 'xpos-sysusers-'));
  try {
    await mkdir(join(root, 'etc'));
    for (const [name, content] of Object.entries(files)) await writeFile(join(root, name), content);
    const r = await run('systemd-sysusers', [`--root=${root}`, resolve(confPath)]);
    if (r.code !== 0) throw new Error(`systemd-sysusers exited ${r.code}: ${r.stderr}`);
    const read = async (f: string): Promise<Account[]> =>
      (await readFile(join(root, 'etc', f), 'utf8'))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [name = '', , id = '', ...rest] = l.split(':');
          return { name, id: Number(id), rest };
        });
    return { passwd: await read('passwd'), group: await read('group') };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
