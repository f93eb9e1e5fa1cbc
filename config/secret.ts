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
  const owner = ownerProblem(path, key);
  if (owner !== undefined) throw owner;
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    throw new SecretError(
      key,
      'unsafe',
      `${key}: ${path} has mode ${octal} — expected no group/world access (chmod 600 ${path})`,
      path,
    );
  }
  let secret: string;
  try {
    secret = readFileSync(path, 'utf8').trim();
  } catch (e) {
    // Root's 0600 file read by the service user, or a directory: still the secret's problem, 78.
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new SecretError(
      key,
      'missing',
      `${key}: ${path} cannot be read (${code}) — expected a file holding the app secret`,
      path,
    );
  }
  if (secret === '')
    throw new SecretError(key, 'empty', `${key}: ${path} is empty — expected the app secret`, path);
  return secret;
}

/**
 * A private file belongs to the user reading it (the service user) or to root: one owned by
 * someone else is readable by whoever that is, whatever its mode says about group and world.
 * Root (an operator's `config check`) cannot tell which user the daemon will be, so it judges
 * the mode alone.
 */
function ownerProblem(path: string, key: string): SecretError | undefined {
  const euid = process.geteuid?.();
  if (euid === undefined || euid === 0) return undefined;
  const { uid } = statSync(path);
  if (uid === euid || uid === 0) return undefined;
  return new SecretError(
    key,
    'unsafe',
    `${key}: ${path} is owned by uid ${uid} — expected the user running the agent (uid ${euid}) or root (chown ${euid} ${path})`,
    path,
  );
}

/** What `run` would get: the secret, or the SecretError it would stop on. */
export type SecretVerdict = { ok: true; loaded: LoadedSecret } | { ok: false; error: SecretError };

/**
 * The one secret check, for `run` (through loadSecret) and `config check` alike: credential first
 * (what the systemd unit provides), then the configured file; mode, owner and emptiness judged the
 * same way for both.
 */
export function secretVerdict(
  secretFile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SecretVerdict {
  try {
    return { ok: true, loaded: readSecret(secretFile, env) };
  } catch (e) {
    if (e instanceof SecretError) return { ok: false, error: e };
    throw e;
  }
}

/** Credential first (what the systemd unit provides), then the configured file. Throws SecretError. */
export function loadSecret(
  secretFile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): LoadedSecret {
  const verdict = secretVerdict(secretFile, env);
  if (!verdict.ok) throw verdict.error;
  return verdict.loaded;
}

function readSecret(secretFile: string | undefined, env: NodeJS.ProcessEnv): LoadedSecret {
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
