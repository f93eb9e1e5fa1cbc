/**
 * Facts about the host the doctor needs and the drivers never ask: who may open a device node
 * (owner, group, mode against the service user's groups) and which processes hold it open.
 * Everything is read from files (/etc/group, /etc/passwd, /proc) so tests point it at their own.
 */
import { readFileSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export const SERVICE_USER = 'xpos-agent';
/**
 * The unit's SupplementaryGroups= (systemd/xpos-agent.service; a test keeps them equal): the
 * service has these whatever /etc/group says.
 */
export const UNIT_GROUPS = ['dialout', 'lp', 'gpio', 'input', 'tty', 'spi'] as const;

export interface HostFiles {
  etcGroup: string;
  etcPasswd: string;
  proc: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface UserEntry {
  name: string;
  uid: number;
  gid: number;
}

function lines(path: string): string[][] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

export function readGroups(path: string): GroupEntry[] {
  return lines(path).flatMap(([name, , gid, members]) =>
    name === undefined || gid === undefined || !/^\d+$/.test(gid)
      ? []
      : [{ name, gid: Number(gid), members: (members ?? '').split(',').filter((m) => m !== '') }],
  );
}

export function readUsers(path: string): UserEntry[] {
  return lines(path).flatMap(([name, , uid, gid]) =>
    name === undefined || uid === undefined || gid === undefined || !/^\d+$/.test(uid) || !/^\d+$/.test(gid)
      ? []
      : [{ name, uid: Number(uid), gid: Number(gid) }],
  );
}

export function userName(users: readonly UserEntry[], uid: number): string {
  return users.find((u) => u.uid === uid)?.name ?? String(uid);
}

export function groupName(groups: readonly GroupEntry[], gid: number): string {
  return groups.find((g) => g.gid === gid)?.name ?? String(gid);
}

/** "crw-rw----" style, for a detail line a technician compares with `ls -l`. */
export function modeString(st: Pick<Stats, 'mode'> & { isCharacterDevice(): boolean }): string {
  const m = st.mode;
  const bits = ['r', 'w', 'x'];
  let s = st.isCharacterDevice() ? 'c' : '-';
  for (let i = 8; i >= 0; i--) s += m & (1 << i) ? (bits[(8 - i) % 3] ?? '?') : '-';
  return s;
}

/** What the driver opens the node for (sysfs GPIO `export` is only written). */
export type Need = 'r' | 'w' | 'rw';

export type AccessVerdict =
  /** The user may open it through the file's owner, group (from /etc/group) or other bits. */
  | { kind: 'ok'; via: string }
  /** Only through the unit's SupplementaryGroups=: the service can, tools run as the user cannot. */
  | { kind: 'unit-only'; group: string }
  | { kind: 'no-user' }
  | { kind: 'denied' };

function allows(mode: number, shift: number, need: Need): boolean {
  const r = (mode >> shift) & 0o4;
  const w = (mode >> shift) & 0o2;
  return (need === 'w' || r !== 0) && (need === 'r' || w !== 0);
}

/**
 * Whether the service user can open a node with these owner/group/mode bits, the way the kernel
 * decides: the owner bits for the owner, else the group bits for a member, else the other bits.
 */
export function accessFor(
  st: Pick<Stats, 'uid' | 'gid' | 'mode'>,
  need: Need,
  user: UserEntry | undefined,
  groups: readonly GroupEntry[],
): AccessVerdict {
  const group = groupName(groups, st.gid);
  if (user !== undefined) {
    if (st.uid === user.uid)
      return allows(st.mode, 6, need) ? { kind: 'ok', via: 'owner' } : { kind: 'denied' };
    const member =
      st.gid === user.gid || groups.some((g) => g.gid === st.gid && g.members.includes(user.name));
    if (member) return allows(st.mode, 3, need) ? { kind: 'ok', via: `group ${group}` } : { kind: 'denied' };
  }
  if (allows(st.mode, 0, need)) return { kind: 'ok', via: 'other' };
  if (user === undefined) return { kind: 'no-user' };
  if (allows(st.mode, 3, need) && (UNIT_GROUPS as readonly string[]).includes(group)) {
    return { kind: 'unit-only', group };
  }
  return { kind: 'denied' };
}

export interface Holder {
  pid: number;
  /** The process name (`comm`), e.g. "node", "socat", "ModemManager". */
  name: string;
  /** Looks like `xpos-agent run` (the daemon). */
  daemon: boolean;
}

export interface OpenFiles {
  /** Holders of each target path, by target. */
  holders: Map<string, Holder[]>;
  /** Every running daemon (`xpos-agent run`) other than this process. */
  daemons: number[];
  /** Daemon processes whose open files this user may not list: they may hold any device. */
  hiddenDaemons: number[];
}

function readProc(proc: string, pid: string, file: string): string {
  try {
    return readFileSync(join(proc, pid, file), 'utf8');
  } catch {
    return '';
  }
}

/** `node …/dist/agent/main.js run …` or `/usr/bin/xpos-agent run …`. */
export function isDaemonCommand(argv: readonly string[]): boolean {
  return argv.includes('run') && argv.some((a) => /(^|\/)xpos-agent$|agent\/main\.js$/.test(a));
}

/**
 * Which processes (other than this one) have the targets open, from /proc/<pid>/fd. Targets are
 * real paths (symlinks resolved), as the kernel reports them.
 */
export function scanOpenFiles(targets: readonly string[], proc = '/proc'): OpenFiles {
  const holders = new Map<string, Holder[]>(targets.map((t) => [t, []]));
  const daemons: number[] = [];
  const hiddenDaemons: number[] = [];
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid);
  } catch {
    return { holders, daemons, hiddenDaemons };
  }
  for (const pid of pids) {
    const argv = readProc(proc, pid, 'cmdline').split('\0');
    const daemon = isDaemonCommand(argv);
    if (daemon) daemons.push(Number(pid));
    let fds: string[];
    try {
      fds = readdirSync(join(proc, pid, 'fd'));
    } catch {
      // Another user's process: only a daemon matters, and it may hold any of our devices.
      if (daemon) hiddenDaemons.push(Number(pid));
      continue;
    }
    if (targets.length === 0) continue;
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(join(proc, pid, 'fd', fd));
      } catch {
        continue;
      }
      const list = holders.get(target);
      if (list && !list.some((h) => h.pid === Number(pid))) {
        list.push({ pid: Number(pid), name: readProc(proc, pid, 'comm').trim() || '?', daemon });
      }
    }
  }
  return { holders, daemons, hiddenDaemons };
}
