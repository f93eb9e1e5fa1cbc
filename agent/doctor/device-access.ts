/**
 * Whether the service user may open a device node: its owner, group and mode against /etc/group,
 * /etc/passwd and the unit's SupplementaryGroups=, with the udev or usermod fix when it may not.
 */
import type { Stats } from 'node:fs';
import type { DoctorContext } from './context.js';
import { accessFor, groupName, modeString, readGroups, readUsers, userName, type Need } from './host.js';
import { fail, ok, warn, type CheckResult } from './report.js';

export interface NodeSpec {
  /** The report's name for it: "scanner", "keypad", "printer", "display". */
  check: string;
  path: string;
  /** The group the unit and the udev rules give this kind of node. */
  group: 'dialout' | 'lp' | 'input' | 'gpio' | 'tty' | 'spi';
  need: Need;
  /** Extra words for the OK line ("9600 baud"). */
  about?: string;
}

export function accessCheck(ctx: DoctorContext, spec: NodeSpec, st: Stats, real: string): CheckResult {
  const check = `${spec.check} access`;
  const groups = readGroups(ctx.files.etcGroup);
  const users = readUsers(ctx.files.etcPasswd);
  const user = users.find((u) => u.name === ctx.serviceUser);
  const facts = `${modeString(st)} ${userName(users, st.uid)}:${groupName(groups, st.gid)}`;
  const verdict = accessFor(st, spec.need, user, groups);
  const u = ctx.serviceUser;
  switch (verdict.kind) {
    case 'ok':
      return ok(check, `${facts}: ${u} can open it (${verdict.via})`);
    case 'unit-only':
      return warn(
        check,
        `${facts}: ${u} is not in group ${verdict.group} in /etc/group (the service gets it from ` +
          `SupplementaryGroups=; tools run as ${u} do not)`,
        `usermod -aG ${verdict.group} ${u}   (or: systemd-sysusers)`,
      );
    case 'no-user':
      return warn(
        check,
        `${facts}: the service user ${u} does not exist`,
        'install the package, or: systemd-sysusers /usr/lib/sysusers.d/xpos-agent.conf',
      );
    case 'denied':
      return fail(
        check,
        `${facts}: ${u} cannot open it`,
        `install the udev rule 60-xpos-agent.rules (GROUP="${spec.group}", MODE="0660"), ` +
          `or for now: chgrp ${spec.group} ${real} && chmod g+${spec.need} ${real}`,
      );
  }
}
