/**
 * `xpos-agent run`: the daemon systemd starts. Loads the config, refuses a demo config without
 * --demo (78) and --demo with a real gateway (64), then hands over to agent/daemon.ts.
 */
import { ConfigError, loadConfig } from '../../config/load.js';
import { demoFlagMisuse, demoRefusal } from '../../config/demo.js';
import { runDaemon } from '../daemon.js';
import { EXIT_USAGE } from '../exit-codes.js';
import { createLogger } from '../log.js';
import { usageLine } from './usage.js';

export async function runCommand(configPath: string, demo: boolean): Promise<number> {
  const config = loadConfig(configPath);
  const misuse = demo ? demoFlagMisuse(config) : undefined;
  if (misuse !== undefined) {
    process.stderr.write(usageLine(`run: ${misuse}`));
    return EXIT_USAGE;
  }
  const refusal = demoRefusal(config, demo);
  if (refusal) throw new ConfigError(configPath, [refusal]);
  const code = await runDaemon(config, createLogger(config.log.level));
  // Everything is closed and recorded; exit now rather than wait for reads the kernel may hold
  // open on a quiet input device (an evdev read ends only at the next key press).
  return process.exit(code);
}
