/**
 * Why a device cannot be used, in words a field technician can act on. Codes share the agent's
 * 400 range (see agent/errors.ts) so a log line's code alone says "device".
 */
export const DeviceErrorCode = {
  /** Not there: no such file, no gpiochip, sysfs GPIO missing. */
  Unavailable: 400,
  /** Opened but reading or writing failed (unplugged, EIO, timeout). */
  Io: 401,
  /** There, but this user may not open it; `hint` names the group. */
  Permission: 402,
  /** The configuration asks for something the device cannot do. */
  Unsupported: 403,
} as const;
export type DeviceErrorCode = (typeof DeviceErrorCode)[keyof typeof DeviceErrorCode];

export class DeviceError extends Error {
  readonly code: DeviceErrorCode;
  readonly device: string;
  /** The path, pin or address concerned, e.g. "/dev/xpos-scanner" or "GPIO17 (sysfs 529)". */
  readonly where: string | undefined;
  /** What to do about it, e.g. "add the service user to group dialout". */
  readonly hint: string | undefined;

  constructor(
    code: DeviceErrorCode,
    device: string,
    message: string,
    opts: { where?: string; hint?: string; cause?: unknown } = {},
  ) {
    const where = opts.where === undefined ? '' : ` (${opts.where})`;
    const hint = opts.hint === undefined ? '' : `; ${opts.hint}`;
    super(`${device}: ${message}${where}${hint} [E${code}]`, { cause: opts.cause });
    this.name = 'DeviceError';
    this.code = code;
    this.device = device;
    this.where = opts.where;
    this.hint = opts.hint;
  }
}

/** Maps an fs/serial errno to a DeviceError with the fix a technician needs. */
export function deviceErrorFromErrno(device: string, where: string, e: unknown, group: string): DeviceError {
  const err = e instanceof Error ? e : new Error(String(e));
  const errno = (err as NodeJS.ErrnoException).code ?? '';
  const text = `${errno} ${err.message}`;
  if (/EACCES|EPERM|Permission denied/i.test(text)) {
    return new DeviceError(DeviceErrorCode.Permission, device, 'permission denied', {
      where,
      hint: `add the service user to group ${group} (or install the udev rule)`,
      cause: err,
    });
  }
  if (/ENOENT|ENODEV|ENXIO|No such file/i.test(text)) {
    return new DeviceError(DeviceErrorCode.Unavailable, device, 'not found', {
      where,
      hint: 'check the cable and the configured path',
      cause: err,
    });
  }
  return new DeviceError(DeviceErrorCode.Io, device, err.message, { where, cause: err });
}
