/**
 * Exit codes a script can branch on (issue 7 item 17). Listed in `plantgate --help`;
 * keep EXIT_CODES_HELP in step with the table.
 */
export const EXIT = {
  ok: 0,
  /** Anything else: a server error, an answer the CLI refused, a daemon that failed. */
  error: 1,
  /** A bad flag, argument or input (also when the control plane refuses the input: 400). */
  usage: 2,
  /** Not logged in, credential refused (401), or not allowed (403). */
  auth: 3,
  notFound: 4,
  conflict: 5,
  /** The control plane did not answer: unreachable or --timeout passed. */
  unreachable: 6,
} as const;

export type ErrorCode = 'error' | 'usage' | 'auth' | 'not-found' | 'conflict' | 'unreachable';

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  other error (server error, an answer the CLI refused, a daemon that failed)
  2  usage: bad flag, argument or input (also input the control plane refused)
  3  auth: not logged in, login or token refused, or not allowed
  4  not found
  5  conflict (exists already, in use, …)
  6  control plane unreachable or no answer within --timeout
With --json, an error is printed on standard output as {"error":{"code","message","exitCode",…}}.`;

export function exitCodeOf(code: ErrorCode): number {
  switch (code) {
    case 'usage':
      return EXIT.usage;
    case 'auth':
      return EXIT.auth;
    case 'not-found':
      return EXIT.notFound;
    case 'conflict':
      return EXIT.conflict;
    case 'unreachable':
      return EXIT.unreachable;
    default:
      return EXIT.error;
  }
}

/** HTTP status of a refused request → the CLI's error class. */
export function errorCodeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 413 || status === 422) return 'usage';
  return 'error';
}
