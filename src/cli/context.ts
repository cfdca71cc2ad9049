import { escapeUnsafe } from '../core/render/unsafe-characters.ts';
import { type ApiClient, apiClient, DEFAULT_TIMEOUT_MS } from './api-client.ts';
import { readCredentials } from './config.ts';
import { CliError } from './errors.ts';

export { CliError };

/** Where a command writes; main() escapes control characters in both (issue 7 item 10). */
export type Io = {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Request timeout; set from --timeout / PLANTGATE_TIMEOUT before a command runs. */
  timeoutMs?: number;
};

/** The API client for the logged-in user (PLANTGATE_SERVER / PLANTGATE_TOKEN override the stored login). */
export function client(io: Io): ApiClient {
  const credentials = readCredentials(io.env);
  if (!credentials.server) throw new CliError('not logged in: run `plantgate login --server URL --email E` (or set PLANTGATE_SERVER and PLANTGATE_TOKEN)', 'auth');
  if (!credentials.token) throw new CliError('no token: run `plantgate login` or set PLANTGATE_TOKEN', 'auth');
  return serverClient(io, credentials.server, credentials.token);
}

/** A client for a server URL given on the command line (login). */
export function serverClient(io: Io, server: string, token: string | undefined): ApiClient {
  checkServerUrl(io, server);
  return apiClient(server, token, { timeoutMs: io.timeoutMs ?? DEFAULT_TIMEOUT_MS });
}

const warned = new Set<string>();

/** A usable http(s) URL; plain http to another host is allowed but said out loud (issue 7 item 4). */
export function checkServerUrl(io: Io, server: string): void {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CliError(`--server: "${server}" is not a URL (expected https://HOST[:PORT])`, 'usage');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--server: "${server}" must start with https:// or http://`, 'usage');
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && !warned.has(url.host)) {
    warned.add(url.host);
    io.err(`warning: ${url.origin} is plain http to another host: passwords, tokens and configs cross the network unencrypted; use https://`);
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === '[::1]';
}

/**
 * JSON for a terminal: JSON.stringify leaves C1 controls, bidi overrides and line
 * separators raw; they are written as \u escapes (the same JSON value).
 */
export function printJson(io: Io, value: unknown): void {
  io.out(jsonText(value));
}

export function jsonText(value: unknown): string {
  return escapeUnsafe(JSON.stringify(value, null, 2) ?? 'null', '\n');
}
