import { createHash, createHmac } from 'node:crypto';

export const SIGN_METHODS = ['md5', 'hmac', 'hmac-sha256'] as const;
export type SignMethod = (typeof SIGN_METHODS)[number];

/**
 * TOP drops null, empty and whitespace-only values from both the signature and the request
 * (Java TaobaoHashMap / StringUtils.areNotEmpty). We do the same, so that what is signed is
 * exactly what is sent.
 */
export function isSendable(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/** The string TOP signs: sorted keys, each key followed by its raw value, no separators. */
export function signBase(params: Readonly<Record<string, string | undefined>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && isSendable(params[k]))
    .sort()
    .map((k) => k + (params[k] ?? ''))
    .join('');
}

/** Uppercase hex signature over `params` (which must include `sign_method` when it is sent). */
export function sign(
  params: Readonly<Record<string, string | undefined>>,
  secret: string | Buffer,
  method: SignMethod,
): string {
  const base = Buffer.from(signBase(params), 'utf8');
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  let digest: string;
  switch (method) {
    case 'md5':
      digest = createHash('md5')
        .update(Buffer.concat([key, base, key]))
        .digest('hex');
      break;
    case 'hmac':
      digest = createHmac('md5', key).update(base).digest('hex');
      break;
    case 'hmac-sha256':
      digest = createHmac('sha256', key).update(base).digest('hex');
      break;
  }
  return digest.toUpperCase();
}
