/**
 * `xpos-agent config check`: the file and the app secret judged exactly as `run` judges them
 * (loadConfig, then secretVerdict: mode, owner, emptiness, the systemd credential when
 * $CREDENTIALS_DIRECTORY is set), so a file that passes here is never refused at start.
 */
import { loadConfig } from '../../config/load.js';
import { demoNote, isDemo } from '../../config/demo.js';
import { CREDENTIAL_NAME, secretVerdict } from '../../config/secret.js';
import { EXIT_CONFIG } from '../exit-codes.js';

export function configCheck(configPath: string, env: NodeJS.ProcessEnv = process.env): number {
  const config = loadConfig(configPath);
  const notes: string[] = [];
  const demo = demoNote(config);
  if (demo !== undefined) notes.push(demo);
  if (!isDemo(config)) {
    const verdict = secretVerdict(config.gateway.secret_file, env);
    const viaSystemd = env['CREDENTIALS_DIRECTORY'] === undefined && config.gateway.secret_file === undefined;
    if (verdict.ok) {
      notes.push(`secret: ${verdict.loaded.source} ${verdict.loaded.path} is readable and private`);
    } else if (viaSystemd && verdict.error.problem === 'missing') {
      // Outside the service: the unit's LoadCredential= supplies it at run, and only root may read it.
      notes.push(
        `secret: from the systemd credential "${CREDENTIAL_NAME}" at run (no gateway.secret_file); ` +
          'only the service can read it: check it with `xpos-agent doctor` as the service user',
      );
    } else {
      process.stderr.write(`config error: ${configPath}: the app secret\n  ${verdict.error.message}\n`);
      return EXIT_CONFIG;
    }
  }
  process.stdout.write(`${configPath}: OK\n${notes.map((n) => `${n}\n`).join('')}`);
  return 0;
}
