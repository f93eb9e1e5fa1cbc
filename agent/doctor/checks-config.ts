/**
 * The config file and the app secret. The secret is never printed: only its length and the first
 * 8 hex digits of its SHA-256, enough to tell two kiosks' secrets apart or spot a stale copy.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import { ConfigError, formatProblem, loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { CREDENTIAL_NAME, SecretError, loadSecret, readPrivateFile } from '../../config/secret.js';
import { asError } from '../errors.js';
import { EXAMPLE_CONFIG, type DoctorContext } from './context.js';
import { fail, ok, warn, type CheckResult } from './report.js';

export type ConfigCheck =
  { valid: true; config: Config; result: CheckResult } | { valid: false; result: CheckResult };

export function checkConfig(path: string): ConfigCheck {
  try {
    const config = loadConfig(path);
    const g = config.gateway.url === 'sandbox' ? 'embedded sandbox' : new URL(config.gateway.url).host;
    return {
      valid: true,
      config,
      result: ok('config', `${path} valid (machine ${config.store.machine_id}, gateway ${g})`),
    };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return {
      valid: false,
      result: {
        ...fail(
          'config',
          `${e.file}: ${e.problems.length} problem(s)`,
          `edit ${e.file}; every key is explained in ${EXAMPLE_CONFIG}`,
          { problems: e.problems },
        ),
        lines: e.problems.map((p) => formatProblem(p).trim()),
      },
    };
  }
}

/** Length and a short hash: identifies the secret without revealing it. */
export function fingerprint(secret: string): string {
  const hash = createHash('sha256').update(secret).digest('hex').slice(0, 8);
  return `${secret.length} chars, sha256 ${hash}…`;
}

export interface SecretCheck {
  results: CheckResult[];
  /** The secret to sign the gateway test call with, when one could be read. */
  secret?: string;
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

/**
 * The file systemd copies into the credential directory. Checked from outside the service (the
 * technician's shell has no $CREDENTIALS_DIRECTORY): root-owned and private, like any key file.
 */
function credentialSource(path: string): SecretCheck | undefined {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  const check = 'secret credential';
  const where = `${path} (LoadCredential=${CREDENTIAL_NAME})`;
  const chmod = `chown root:root ${path} && chmod 600 ${path}`;
  let content: string | undefined;
  let unread = '';
  try {
    content = readFileSync(path, 'utf8').trim();
  } catch (e) {
    unread = ` — content not checked (${(e as NodeJS.ErrnoException).code ?? 'unreadable'}: run as root)`;
  }
  const facts = `${where} ${octal(st.mode)} uid ${st.uid}`;
  if (content === '') {
    return { results: [fail(check, `${facts}: empty`, `write the app secret into ${path}`)] };
  }
  const known = content === undefined ? unread : `, ${fingerprint(content)}`;
  const withSecret = (r: CheckResult): SecretCheck => ({
    results: [r],
    ...(content !== undefined && { secret: content }),
  });
  if ((st.mode & 0o077) !== 0) {
    return withSecret(warn(check, `${facts}${known}: group/world can read it`, chmod));
  }
  if (st.uid !== 0) return withSecret(warn(check, `${facts}${known}: not owned by root`, chmod));
  return withSecret(ok(check, `${facts}${known}`));
}

function fromFile(path: string, key: string): SecretCheck {
  try {
    const secret = readPrivateFile(path, key);
    return { results: [ok('secret', `${key} ${path}: ${fingerprint(secret)}`)], secret };
  } catch (e) {
    if (!(e instanceof SecretError)) throw e;
    if (e.problem === 'unsafe') {
      // The daemon refuses this file; the gateway test may still show whether the secret is right.
      let secret: string | undefined;
      try {
        secret = readFileSync(path, 'utf8').trim() || undefined;
      } catch {
        secret = undefined;
      }
      return {
        results: [
          fail(
            'secret',
            e.message.replace(/ \(chmod.*\)$/, '') + ': the agent refuses to start with it',
            `chmod 600 ${path} (owned by the service user, or use the systemd credential instead)`,
          ),
        ],
        ...(secret !== undefined && { secret }),
      };
    }
    const fix =
      e.problem === 'empty'
        ? `write the app secret into ${path}`
        : `create ${path} holding the app secret, mode 600, owned by the service user`;
    return { results: [fail('secret', e.message, fix)] };
  }
}

export function checkSecret(ctx: DoctorContext): SecretCheck {
  const { gateway } = ctx.config;
  if (gateway.url === 'sandbox') {
    return { results: [ok('secret', 'not used: the embedded sandbox signs with its demo secret')] };
  }
  const credDir = ctx.env['CREDENTIALS_DIRECTORY'];
  if (credDir !== undefined && credDir !== '') {
    // Inside the service (or systemd-run -p LoadCredential=…): exactly what the daemon will read.
    try {
      const s = loadSecret(gateway.secret_file, ctx.env);
      return { results: [ok('secret', `${s.source} ${s.path}: ${fingerprint(s.secret)}`)], secret: s.secret };
    } catch (e) {
      if (e instanceof SecretError && e.path !== undefined) return fromFile(e.path, e.key);
      return {
        results: [fail('secret', asError(e).message, 'provide the credential or gateway.secret_file')],
      };
    }
  }
  const cred = credentialSource(ctx.files.credentialSource);
  if (gateway.secret_file !== undefined) {
    const file = fromFile(gateway.secret_file, 'gateway.secret_file');
    if (!cred) return file;
    // Under systemd the credential wins; the file is what `sim` or a hand start would use.
    const secret = cred.secret ?? file.secret;
    return { results: [...file.results, ...cred.results], ...(secret !== undefined && { secret }) };
  }
  if (cred) return cred;
  if (existsSync(ctx.files.encryptedCredential)) {
    // Only systemd (or root with systemd-creds) can decrypt it; the service's own run checks the rest.
    return {
      results: [
        ok(
          'secret',
          `encrypted credential ${ctx.files.encryptedCredential} present (LoadCredentialEncrypted=); content not checked here`,
        ),
      ],
    };
  }
  return {
    results: [
      fail(
        'secret',
        `no app secret: no $CREDENTIALS_DIRECTORY/${CREDENTIAL_NAME}, no gateway.secret_file, no ${ctx.files.credentialSource}`,
        `install -m 600 -o root -g root /dev/null ${ctx.files.credentialSource}, then write the secret into it ` +
          '(the unit loads it with LoadCredential=)',
      ),
    ],
  };
}
