/**
 * The app secret never lives in the YAML. systemd hands it over as a credential
 * (`LoadCredential=app-secret:…` → `$CREDENTIALS_DIRECTORY/app-secret`, a ramfs file only the
 * service can read); without systemd, `gateway.secret_file` names a file that must be private.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type SecretSource = 'credential' | 'file';

export interface LoadedSecret {
  secret: string;
  source: SecretSource;
  path: string;
}

export type SecretProblem = 'missing' | 'unsafe' | 'empty';

export class SecretError extends Error {
  readonly key: string;
  readonly problem: SecretProblem;
  readonly path: string | undefined;
  constructor(key: string, problem: SecretProblem, message: string, path?: string) {
    super(message);
    this.name = 'SecretError';
    this.key = key;
    this.problem = problem;
    this.path = path;
  }
}

export const CREDENTIAL_NAME = 'app-secret';

/** Read a secret from a file only its owner can read; `key` names the setting in errors. */
export function readPrivateFile(path: string, key: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new SecretError(
      key,
      'missing',
      `${key}: ${path} cannot be read (${code}) — expected a file holding the app secret`,
      path,
    );
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    throw new SecretError(
      key,
      'unsafe',
      `${key}: ${path} has mode ${octal} — expected no group/world access (chmod 600 ${path})`,
      path,
    );
  }
  const secret = readFileSync(path, 'utf8').trim();
  if (secret === '')
    throw new SecretError(key, 'empty', `${key}: ${path} is empty — expected the app secret`, path);
  return secret;
}

/** Credential first (what the systemd unit provides), then the configured file. */
export function loadSecret(
  secretFile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): LoadedSecret {
  const credDir = env['CREDENTIALS_DIRECTORY'];
  if (credDir !== undefined && credDir !== '') {
    const path = join(credDir, CREDENTIAL_NAME);
    // systemd already makes the credential private; a missing one falls through to the file.
    try {
      statSync(path);
      return {
        secret: readPrivateFile(path, `$CREDENTIALS_DIRECTORY/${CREDENTIAL_NAME}`),
        source: 'credential',
        path,
      };
    } catch (e) {
      if (e instanceof SecretError) throw e;
    }
  }
  if (secretFile === undefined) {
    throw new SecretError(
      'gateway.secret_file',
      'missing',
      `gateway.secret_file: (missing) — expected the path of a 0600 file holding the app secret, or a systemd credential "${CREDENTIAL_NAME}"`,
    );
  }
  return { secret: readPrivateFile(secretFile, 'gateway.secret_file'), source: 'file', path: secretFile };
}
