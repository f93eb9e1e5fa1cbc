/**
 * One error type for the whole agent. Callers branch on `code`, never on message text.
 * Codes are grouped by area in ranges of 100, as zwave-js does, so a log line's code
 * alone tells which part of the kiosk failed.
 */
export const ErrorCode = {
  // 100: configuration and secrets (exit 78, EX_CONFIG)
  ConfigInvalid: 100,
  ConfigUnreadable: 101,
  SecretMissing: 102,
  SecretUnsafe: 103,
  // 200: payment protocol (TOP client)
  GatewayUrlRefused: 200,
  RequestInvalid: 201,
  // 300: payment lifecycle
  SaleRejected: 300,
  /** The ledger file is not a database or fails its integrity check; it is never deleted. */
  LedgerCorrupt: 310,
  /** The ledger was written by a newer agent (schema version above what this code knows). */
  LedgerTooNew: 311,
  /** The ledger cannot record a change (disk full, read-only, cannot open, I/O error). */
  LedgerUnwritable: 312,
  /** The ledger refused a change as invalid: a duplicate id, an unknown sale, a value of the wrong type. */
  LedgerRejected: 313,
  // 400: devices
  DeviceUnavailable: 400,
  DeviceIo: 401,
  // 500: sandbox gateway
  SandboxConflict: 500,
  // 900: internal
  Internal: 900,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class AgentError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, context?: Record<string, unknown>, options?: ErrorOptions) {
    super(`${message} [E${code}]`, options);
    this.name = 'AgentError';
    this.code = code;
    this.context = context;
  }
}

export function isAgentError(e: unknown, code?: ErrorCode): e is AgentError {
  return e instanceof AgentError && (code === undefined || e.code === code);
}

/** Narrow an unknown thrown value to an Error, so catch blocks never lose the original. */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
