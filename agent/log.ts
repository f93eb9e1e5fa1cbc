import { pino, type DestinationStream, type Logger as PinoLogger, type LevelWithSilent } from 'pino';
import { maskCode } from './mask.js';

export type Logger = PinoLogger;
export type LogLevel = LevelWithSilent;

/**
 * Field names that may carry a secret or a full payment code. Redaction is the safety net;
 * the code itself logs only masked values. A wildcard covers one level of nesting, which is
 * every shape the agent logs (`{ param0: { qr_code } }`, `{ params: { sign } }`).
 */
const REDACT_PATHS = [
  'secret',
  'appSecret',
  'app_secret',
  'sign',
  'qr_code',
  'qrCode',
  'code_full',
  '*.secret',
  '*.appSecret',
  '*.app_secret',
  '*.sign',
  '*.qr_code',
  '*.qrCode',
  '*.*.qr_code',
  '*.*.sign',
];

function censor(value: unknown): string {
  return typeof value === 'string' && value.length > 0 ? maskCode(value) : '[redacted]';
}

/**
 * The root logger. One per process, passed down; each module takes `log.child({ module })`.
 * JSON lines to stdout by default so journald keeps them structured.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'xpos-agent' },
      redact: { paths: REDACT_PATHS, censor },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ fd: 1, sync: true }),
  );
}
