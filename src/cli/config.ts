import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './errors.ts';

/** Where `plantgate login` keeps its token: PLANTGATE_CONFIG_DIR, else ~/.config/plantgate. */
export type Credentials = { server: string; token: string };

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PLANTGATE_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'plantgate');
}

export function readCredentials(env: NodeJS.ProcessEnv = process.env): Partial<Credentials> {
  const file = join(configDir(env), 'credentials.json');
  let stored: Partial<Credentials> = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Credentials>;
    } catch (e) {
      throw new CliError(`${file} is unreadable (${(e as Error).message}): run plantgate login again`, 'auth');
    }
  }
  return { server: env.PLANTGATE_SERVER ?? stored.server, token: env.PLANTGATE_TOKEN ?? stored.token };
}

export function writeCredentials(credentials: Credentials, env: NodeJS.ProcessEnv = process.env): string {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'credentials.json');
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export function forgetCredentials(env: NodeJS.ProcessEnv = process.env): void {
  rmSync(join(configDir(env), 'credentials.json'), { force: true });
}
