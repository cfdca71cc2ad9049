/**
 * The daemons' log: one JSON object per line on stdout (what journald and a log shipper
 * want), with every field whose name says it holds a secret replaced. Secrets never
 * reach a log call on purpose; the redaction is the second line of defence.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const SECRET_FIELD = /private|secret|credential|token|password/i;

export function jsonLineLogger(write: (line: string) => void, base: LogFields = {}, now: () => number = Date.now): Logger {
  const emit = (level: string, message: string, fields: LogFields = {}) => {
    write(JSON.stringify({ time: new Date(now()).toISOString(), level, msg: message, ...redact(base), ...redact(fields) }));
  };
  return {
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
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
