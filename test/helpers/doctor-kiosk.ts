/**
 * A temp kiosk for `doctor` tests: a config with simulated scanner and keypad, a file printer and the
 * embedded sandbox, and host files of its own (no real credential, sysfs or timesync marker).
 */
import type { Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { runDoctor, type DoctorOptions, type DoctorRun } from '../../agent/doctor/doctor.js';
import type { CheckResult } from '../../agent/doctor/report.js';

export const APP_KEY = '12345678';
export const log = pino({ level: 'silent' });

export type Obj = Record<string, unknown>;

export interface Kiosk {
  dir: string;
  paper: string;
  stateDir: string;
  run(opts?: Partial<DoctorOptions>): Promise<DoctorRun>;
}

/**
 * A kiosk config with simulated scanner and keypad, a file printer and the embedded sandbox, and
 * host files of its own (no real credential, sysfs or timesync marker); `edit` changes the config.
 */
export function kiosk(
  t: Test,
  edit: (c: { gateway: Obj; devices: Obj; [k: string]: unknown }, dir: string) => void = () => undefined,
): Kiosk {
  const dir = t.testdir({
    group: 'dialout:x:20:xpos-agent\nlp:x:7:xpos-agent\ninput:x:105:\n',
    passwd: 'xpos-agent:x:990:990:xpos-agent:/var/lib/xpos-agent:/usr/sbin/nologin\n',
  });
  const paper = join(dir, 'paper.bin');
  const stateDir = join(dir, 'state');
  const store = {
    store_id: '333333',
    store_name: '健身中心',
    cashier_id: '346753',
    cashier_name: '张丽',
    machine_id: 'K01',
  };
  const c = {
    gateway: { url: 'sandbox', app_key: APP_KEY } as Obj,
    store,
    devices: {
      scanner: { type: 'sim' },
      keypad: { type: 'sim' },
      printer: { type: 'file', path: paper },
    } as Obj,
    paths: { state_dir: stateDir },
  };
  edit(c, dir);
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, stringify(c));
  const files = {
    etcGroup: join(dir, 'group'),
    etcPasswd: join(dir, 'passwd'),
    credentialSource: join(dir, 'no-credential'),
    encryptedCredential: join(dir, 'no-encrypted-credential'),
    sysfsGpio: join(dir, 'no-sysfs-gpio'),
    timesyncMarker: join(dir, 'no-timesync'),
  };
  return {
    dir,
    paper,
    stateDir,
    run: (opts = {}) => runDoctor({ configPath, env: {}, ...opts, files: { ...files, ...opts.files } }),
  };
}

export function find(run: DoctorRun, check: string): CheckResult {
  const r = run.results.find((x) => x.check === check);
  if (!r) throw new Error(`no "${check}" line in: ${run.results.map((x) => x.check).join(', ')}`);
  return r;
}
