import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, type Io } from './context.ts';

/**
 * Where a daemon's enrolment token comes from (issue 7 item 3). A token on the command
 * line is readable by every local user in /proc/PID/cmdline while the daemon retries,
 * so `--token-file FILE` or `PLANTGATE_ENROL_TOKEN` are the documented ways; `--token`
 * still works and says why it should not be used.
 */
export const TOKEN_FILE_HELP = 'file holding the enrolment token from `plantgate admin … enrol` (first start only; keep it mode 0600)';
export const TOKEN_HELP = 'the enrolment token itself: visible to other local users in the process list; prefer --token-file or env PLANTGATE_ENROL_TOKEN';

export function enrolToken(command: Command, opts: { token?: string; tokenFile?: string }, io: Io): string | undefined {
  const fromFlag = command.getOptionValueSource('token') === 'cli' ? opts.token : undefined;
  if (fromFlag !== undefined && opts.tokenFile !== undefined) throw new CliError('--token and --token-file: give only one', 'usage');
  if (opts.tokenFile !== undefined) return readTokenFile(opts.tokenFile, io);
  if (fromFlag !== undefined) {
    io.err('warning: --token puts the enrolment token on the command line, where other local users can read it (/proc/PID/cmdline); use --token-file FILE or PLANTGATE_ENROL_TOKEN');
    return fromFlag;
  }
  const fromEnv = io.env.PLANTGATE_ENROL_TOKEN;
  return fromEnv ? fromEnv.trim() : undefined;
}

function readTokenFile(file: string, io: Io): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`--token-file: cannot read ${file}: ${(e as Error).message}`, 'usage');
  }
  const token = text.trim();
  if (!/^pge_[A-Za-z0-9_-]+$/.test(token)) throw new CliError(`--token-file: ${file} does not hold one enrolment token (pge_…)`, 'usage');
  if ((statSync(file).mode & 0o077) !== 0) io.err(`warning: --token-file: ${file} is readable by other users; chmod 600 it`);
  return token;
}

/** What `admin gateway|agent enrol` prints: the token goes into a 0600 file, never onto the daemon's command line. */
export function enrolInstructions(kind: 'gateway' | 'agent', token: string, server: string): string {
  const file = `/etc/plantgate/${kind}-enrol.token`;
  return [
    `Start the ${kind} as root without putting the token on its command line (other local users can read those):`,
    `  install -d -m 700 /etc/plantgate && (umask 077 && printf '%s\\n' '${token}' > ${file})`,
    `  plantgate ${kind} --server ${server} --token-file ${file}${kind === 'agent' ? ' --lan-interface IF' : ' --site-endpoint HOST:PORT'}`,
    `or give it in the environment: PLANTGATE_ENROL_TOKEN=<token> (e.g. a systemd EnvironmentFile= of mode 0600).`,
  ].join('\n');
}
