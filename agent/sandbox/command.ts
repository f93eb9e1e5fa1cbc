/**
 * `xpos-agent sandbox`: checks its flags (usage errors exit 64, one line with the hint, as in
 * agent/cli/usage.ts), starts the embedded gateway and runs until SIGINT or SIGTERM.
 */
import { usageLine } from '../cli/usage.js';
import { EXIT_USAGE } from '../exit-codes.js';
import { createLogger } from '../log.js';
import { runSandbox } from './cli.js';
import { isPersonalityName, unknownPersonalityMessage } from './personality.js';

export interface SandboxFlags {
  port: string | undefined;
  appKey: string | undefined;
  secretFile: string | undefined;
  personality: string | undefined;
}

export async function sandboxCommand(flags: SandboxFlags): Promise<number> {
  const port = flags.port === undefined ? 0 : /^\d+$/.test(flags.port) ? Number(flags.port) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(
      usageLine(`sandbox: --port: ${JSON.stringify(flags.port ?? '')} — expected a port number, 0..65535`),
    );
    return EXIT_USAGE;
  }
  const personality = flags.personality ?? 'today';
  if (!isPersonalityName(personality)) {
    process.stderr.write(usageLine(`sandbox: --personality: ${unknownPersonalityMessage(personality)}`));
    return EXIT_USAGE;
  }
  const gateway = await runSandbox(
    {
      port,
      ...(flags.appKey !== undefined && { appKey: flags.appKey }),
      ...(flags.secretFile !== undefined && { secretFile: flags.secretFile }),
      personality,
    },
    createLogger('info'),
    process.stdout,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await gateway.close();
  return 0;
}
