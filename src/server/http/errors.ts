import type { ZodError } from 'zod';

export type FieldProblem = { field: string; message: string };

/** An expected failure with its HTTP status; `field` names what was wrong (S4). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly problems: FieldProblem[] | undefined;
  /** Extra response headers (e.g. `Retry-After` on a 429). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, options: { field?: string; problems?: FieldProblem[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.problems = options.problems;
    this.headers = options.headers ?? {};
  }

  toJSON() {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field ? { field: this.field } : {}),
        ...(this.problems ? { problems: this.problems } : {}),
      },
    };
  }
}

export const badRequest = (field: string, message: string) => new ApiError(400, 'invalid', `${field}: ${message}`, { field });
export const notFound = (field: string, message: string) => new ApiError(404, 'not-found', message, { field });
export const conflict = (code: string, message: string, field?: string) => new ApiError(409, code, message, field ? { field } : {});
export const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const tooLarge = (limit: number) =>
  new ApiError(413, 'too-large', `(body): the request body is larger than the ${formatBytes(limit)} this endpoint accepts`, { field: '(body)' });
export const tooManyAttempts = (message: string, retryAfterSeconds: number, field?: string) =>
  new ApiError(429, 'too-many-attempts', `${message}; try again in ${retryAfterSeconds} s`, { ...(field ? { field } : {}), headers: { 'retry-after': String(retryAfterSeconds) } });

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** zod issues → one error that lists every field and its problem. */
export function fromZodError(error: ZodError, prefix = ''): ApiError {
  // An unknown key is named as the field itself (`notes`, `listen.hots`), not as the object holding it.
  const problems = error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: formatPath(prefix, [...issue.path, key]), message: 'is not a known field' }))
      : [{ field: formatPath(prefix, issue.path), message: issue.message }],
  );
  const first = problems[0] as FieldProblem;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new ApiError(400, 'invalid', `${first.field}: ${first.message}${more}`, { field: first.field, problems });
}

/** ['organizations', 0, 'plants', 2] → organizations[0].plants[2] */
export function formatPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(body)';
}
