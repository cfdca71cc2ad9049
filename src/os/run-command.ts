import { execFile } from 'node:child_process';

/**
 * The one way plantgate's data-plane adapters run a program: `execFile` with an argument
 * array (never a shell string), a timeout, and stdin for anything secret or large.
 * Errors carry the program, its arguments and stderr, never stdin (it may hold a key).
 */

export type CommandOptions = {
  /** Written to the program's stdin, then closed. */
  stdin?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
};

export type CommandOutput = { stdout: string; stderr: string };

export type RunCommand = (file: string, args: string[], options?: CommandOptions) => Promise<CommandOutput>;

export class CommandError extends Error {
  readonly file: string;
  readonly args: string[];
  readonly exitCode: number | string | null;
  readonly stderr: string;

  constructor(file: string, args: string[], exitCode: number | string | null, stderr: string) {
    super(`${file} ${args.join(' ')} failed (${exitCode ?? 'no exit code'}): ${stderr.trim()}`);
    this.name = 'CommandError';
    this.file = file;
    this.args = args;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

export const runCommand: RunCommand = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        timeout: options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        // nft -j of a 100k-element table is several MB.
        maxBuffer: 256 * 1024 * 1024,
        env: options.env ?? process.env,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as { code?: number | string }).code ?? (error.killed ? 'timeout' : null);
          reject(new CommandError(file, args, code, String(stderr)));
        } else {
          resolve({ stdout: String(stdout), stderr: String(stderr) });
        }
      },
    );
    // A program that exits without reading stdin makes the write fail with EPIPE; the
    // exit status above is what counts, so that error is swallowed here.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.stdin ?? '');
  });

/** Prefixes a command with `ip netns exec NS` when a namespace is given. */
export function inNetns(netns: string | undefined, file: string, args: string[]): [string, string[]] {
  return netns ? ['ip', ['netns', 'exec', netns, file, ...args]] : [file, args];
}
