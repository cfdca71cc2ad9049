import pino, { type Logger as PinoLogger } from 'pino';

/**
 * One log format for the control plane and the daemons: pino JSON lines on stdout (what
 * journald and a log shipper want) — `{"level":"info","time":"<ISO 8601>","msg":"…",…}`.
 * Every field whose name says it holds a secret is replaced, at any depth pino's redact
 * paths reach and, for the daemons' flat fields, by name. Secrets never reach a log call
 * on purpose; the redaction is the second line of defence.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const SECRET_FIELD = /private|secret|credential|token|password|authorization|cookie/i;

/** pino paths redacted in every line (the server logs objects; the daemons flat fields). */
export const REDACT_PATHS = [
  'password', '*.password', 'token', '*.token', 'privateKey', '*.privateKey', 'secret', '*.secret',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization', 'req.headers.cookie',
];

/** The pino logger both the server and the daemons write with. */
export function createPinoLogger(
  write: (line: string) => void,
  options: { base?: LogFields; level?: string; now?: () => number } = {},
): PinoLogger {
  const now = options.now ?? Date.now;
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? {},
      messageKey: 'msg',
      timestamp: () => `,"time":"${new Date(now()).toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) },
  );
}

/** The daemons' Logger over pino. */
export function jsonLineLogger(write: (line: string) => void, base: LogFields = {}, now: () => number = Date.now): Logger {
  const logger = createPinoLogger(write, { base: redact(base), now });
  // msg first, then the fields (the order these lines always had; JSON readers do not care,
  // people and grep patterns reading `"msg":"applied".*"reason":…` do)
  const line = (message: string, fields: LogFields = {}) => {
    const out: LogFields = { msg: message, ...redact(fields) };
    out.msg = message; // a field named msg does not replace the message (and keeps its place)
    return out;
  };
  return {
    info: (message, fields) => logger.info(line(message, fields)),
    warn: (message, fields) => logger.warn(line(message, fields)),
    error: (message, fields) => logger.error(line(message, fields)),
  };
}

export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) out[key] = SECRET_FIELD.test(key) ? '[redacted]' : value;
  return out;
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(): Logger & { lines: Array<{ level: string; message: string; fields: LogFields }> } {
  const lines: Array<{ level: string; message: string; fields: LogFields }> = [];
  const push = (level: string) => (message: string, fields: LogFields = {}) => {
    lines.push({ level, message, fields });
  };
  return { lines, info: push('info'), warn: push('warn'), error: push('error') };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
