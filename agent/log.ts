import { pino, type DestinationStream, type Logger as PinoLogger, type LevelWithSilent } from 'pino';
import { maskCode } from './mask.js';

export type Logger = PinoLogger;
export type LogLevel = LevelWithSilent;

/**
 * Field names whose value is a secret or a signature. Replaced whole: even the last four
 * characters of an app secret narrow a brute force, and a signature is proof made with it.
 */
const SECRET_FIELDS = ['secret', 'appSecret', 'app_secret', 'appsecret', 'sign', 'signature'];

/** Field names that may carry a full payment code: masked to the tail a receipt shows, `****1234`. */
const CODE_FIELDS = ['qr_code', 'qrCode', 'code_full'];

const CODE_FIELD_SET = new Set(CODE_FIELDS);

/**
 * Redaction is the safety net; the code itself logs only masked values. Each name is covered at
 * the top level and two levels down, which is every shape the agent logs
 * (`{ param0: { qr_code } }`, `{ params: { sign } }`, `{ request: { params: { sign } } }`).
 */
const REDACT_PATHS = [...SECRET_FIELDS, ...CODE_FIELDS].flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/** pino hands the censor the value and its path; the field's own name decides mask or whole. */
function censor(value: unknown, path: string[]): string {
  const field = path.at(-1);
  const isCode = field !== undefined && CODE_FIELD_SET.has(field);
  return isCode && typeof value === 'string' && value.length > 0 ? maskCode(value) : '[redacted]';
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

/** A logger on stderr, for the operators' tools: their stdout is the command's own output. */
export function createStderrLogger(level: LogLevel): Logger {
  return createLogger(level, pino.destination({ fd: 2, sync: true }));
}
