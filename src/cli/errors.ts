import { type ErrorCode, exitCodeOf } from './exit-codes.ts';

/** An expected failure of a command: its message and the exit code class (exit-codes.ts). */
export class CliError extends Error {
  readonly exitCode: number;
  readonly code: ErrorCode;
  /** A number keeps the old calls (`new CliError(msg, 2)`) working; prefer the code. */
  constructor(message: string, code: ErrorCode | number = 'error') {
    super(message);
    this.code = typeof code === 'number' ? codeOfExit(code) : code;
    this.exitCode = typeof code === 'number' ? code : exitCodeOf(code);
  }
}

function codeOfExit(exitCode: number): ErrorCode {
  const codes: ErrorCode[] = ['usage', 'auth', 'not-found', 'conflict', 'unreachable'];
  return codes.find((c) => exitCodeOf(c) === exitCode) ?? 'error';
}
