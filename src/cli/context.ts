import { type ApiClient, apiClient } from './api-client.ts';
import { readCredentials } from './config.ts';

export type Io = { out: (text: string) => void; err: (text: string) => void; env: NodeJS.ProcessEnv };

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The API client for the logged-in user (PLANTGATE_SERVER / PLANTGATE_TOKEN override the stored login). */
export function client(io: Io): ApiClient {
  const credentials = readCredentials(io.env);
  if (!credentials.server) throw new CliError('not logged in: run `plantgate login --server URL --email E --password P` (or set PLANTGATE_SERVER and PLANTGATE_TOKEN)');
  if (!credentials.token) throw new CliError('no token: run `plantgate login` or set PLANTGATE_TOKEN');
  return apiClient(credentials.server, credentials.token);
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
