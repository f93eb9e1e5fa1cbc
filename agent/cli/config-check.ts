/**
 * `xpos-agent config check`: the file and the app secret judged exactly as `run` judges them
 * (loadConfig, then secretVerdict: mode, owner, emptiness, the systemd credential when
 * $CREDENTIALS_DIRECTORY is set), so a file that passes here is never refused at start.
 */
import { loadConfig } from '../../config/load.js';
import { DEMO_APP_KEY, demoNote, isDemo } from '../../config/demo.js';
import { CREDENTIAL_NAME, secretVerdict } from '../../config/secret.js';
import { EXIT_CONFIG } from '../exit-codes.js';

/**
 * Values copied unchanged from config/xpos-agent.example.yaml that a real kiosk must replace. The
 * file is valid with them, so they are warnings, not errors: a shared machine_id makes two kiosks'
 * order ids collide, and the example's app_key is the sandbox's, which no real gateway accepts.
 */
function placeholderWarnings(config: ReturnType<typeof loadConfig>): string[] {
  if (isDemo(config)) return [];
  const found: string[] = [];
  if (config.gateway.app_key === DEMO_APP_KEY) {
    found.push(
      `warning: gateway.app_key is the example's '${DEMO_APP_KEY}' (the sandbox's key): ` +
        'set the app key the platform issued for this store',
    );
  }
  if (config.store.machine_id === 'K01') {
    found.push(
      "warning: store.machine_id is the example's K01: give each kiosk its own " +
        '(it is part of every order id; two kiosks with one id make colliding orders)',
    );
  }
  return found;
}

export function configCheck(configPath: string, env: NodeJS.ProcessEnv = process.env): number {
  const config = loadConfig(configPath);
  const notes: string[] = [];
  const demo = demoNote(config);
  if (demo !== undefined) notes.push(demo);
  const warnings = placeholderWarnings(config);
  notes.push(...warnings);
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
      // The placeholders are worth fixing in the same edit, so they are told here too.
      process.stderr.write(
        `config error: ${configPath}: the app secret\n  ${verdict.error.message}\n` +
          warnings.map((w) => `${w}\n`).join(''),
      );
      return EXIT_CONFIG;
    }
  }
  process.stdout.write(`${configPath}: OK\n${notes.map((n) => `${n}\n`).join('')}`);
  return 0;
}
