/**
 * `xpos-agent sandbox`: the embedded gateway alone, for trying a kiosk or a client against it.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPrivateFile } from '../../config/secret.js';
import type { Logger } from '../log.js';
import { DEMO_CODES } from './behaviour.js';
import type { PersonalityName } from './personality.js';
import { SandboxGateway } from './server.js';
import { DEMO_APP_KEY } from '../../config/demo.js';

/**
 * Demo credentials, used when no app key or secret file is given. They are published here on
 * purpose and are accepted by the sandbox only; the production gateway has never heard of them.
 */
export { DEMO_APP_KEY };
export const DEMO_SECRET = 'sandbox-demo-secret';

/**
 * Where a person finds the demo secret, which is never printed (test/sandbox/cli.test.ts): the
 * README beside package.json above this module, under "Demo codes". That is the install's
 * (APPDIR/README.md, e.g. /opt/xpos-agent/README.md, the unit's Documentation=) or the clone's,
 * whether this runs from the bundle (dist/agent/chunks/), tsc's output or the source.
 */
export function demoSecretWhere(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const readme = join(dir, 'README.md');
    if (existsSync(readme) && existsSync(join(dir, 'package.json'))) return readme;
    if (dirname(dir) === dir) return "the agent's README.md";
  }
}

export interface SandboxArgs {
  port: number;
  appKey?: string;
  secretFile?: string;
  /** Default `today`; params are set over the control route (`PUT /_sandbox/personality`). */
  personality?: PersonalityName;
}

export async function runSandbox(
  args: SandboxArgs,
  log: Logger,
  out: NodeJS.WritableStream,
): Promise<SandboxGateway> {
  const appKey = args.appKey ?? DEMO_APP_KEY;
  const secret =
    args.secretFile === undefined ? DEMO_SECRET : readPrivateFile(args.secretFile, '--secret-file');
  const gateway = await SandboxGateway.start({
    port: args.port,
    appKey,
    secret,
    log: log.child({ module: 'sandbox' }),
    ...(args.personality !== undefined && { personality: args.personality }),
  });

  const lines = [
    `sandbox gateway: ${gateway.url}`,
    `app_key: ${appKey}${args.appKey === undefined ? ' (demo, sandbox only)' : ''}`,
    args.secretFile === undefined
      ? `secret: the demo secret (sandbox only), written in ${demoSecretWhere()} under "Demo codes"`
      : `secret: from ${args.secretFile}`,
    `personality: ${JSON.stringify(gateway.personality.current)}`,
    `control: ${gateway.origin}/_sandbox/faults, ${gateway.origin}/_sandbox/charges, ` +
      `${gateway.origin}/_sandbox/personality (loopback only)`,
    'demo codes (first match wins):',
    ...DEMO_CODES.map((r) => `  ${r.when.padEnd(34)} e.g. ${r.example.padEnd(20)} → ${r.result}`),
  ];
  out.write(`${lines.join('\n')}\n`);
  return gateway;
}
