/**
 * What every doctor check gets: the validated config, where the host's files are (tests point them
 * at temp trees), the open-file scan of the configured devices, and a time budget so the whole run
 * stays bounded on a kiosk with no network.
 */
import type { Config } from '../../config/schema.js';
import type { Logger } from '../log.js';
import type { HostFiles, OpenFiles } from './host.js';

export interface DoctorFiles extends HostFiles {
  /** The file the unit's `LoadCredential=app-secret:` reads (root:root 0600). */
  credentialSource: string;
  /** Where `LoadCredentialEncrypted=app-secret` finds it (a drop-in's choice, see the unit). */
  encryptedCredential: string;
  sysfsGpio: string;
  /** timesyncd's marker: present once NTP has set the clock since boot. */
  timesyncMarker: string;
}

export const DEFAULT_FILES: DoctorFiles = {
  etcGroup: '/etc/group',
  etcPasswd: '/etc/passwd',
  proc: '/proc',
  credentialSource: '/etc/xpos-agent/app-secret',
  encryptedCredential: '/etc/credstore.encrypted/app-secret',
  sysfsGpio: '/sys/class/gpio',
  timesyncMarker: '/run/systemd/timesync/synchronized',
};

export interface DoctorContext {
  config: Config;
  configPath: string;
  env: NodeJS.ProcessEnv;
  files: DoctorFiles;
  serviceUser: string;
  log: Logger;
  open: OpenFiles;
}

/** Where a technician finds every key explained (`make install` puts it beside the config). */
export const EXAMPLE_CONFIG = '/etc/xpos-agent/config.yaml.example';

export type Timed<T> = { done: true; value: T } | { done: false };

/**
 * Waits at most `ms` for `p`. The work itself goes on (the caller closes what it opened, which
 * ends it); a late rejection is swallowed so it cannot surface as an unhandled one.
 */
export async function within<T>(p: Promise<T>, ms: number): Promise<Timed<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Timed<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), Math.max(0, ms));
  });
  p.catch(() => undefined);
  try {
    return await Promise.race([p.then((value): Timed<T> => ({ done: true, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** "1.2 s", "350 ms". */
export function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`;
}
