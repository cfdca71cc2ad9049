import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PasswordReset } from '../../../core/wire/users.ts';
import { openStore } from '../../db/connect.ts';
import { ApiError } from '../../http/errors.ts';
import { resetPassword } from './service.ts';

/**
 * `plantgate admin reset-password` on the server host: the way back in when the last
 * operator's password is lost. Reading the database is the authorisation (its files
 * are 0600, the data directory 0700), so it runs as root or as the server's user.
 */
export async function resetPasswordOnHost(options: { email: string; database?: string; dataDir: string }): Promise<PasswordReset> {
  const url = options.database ?? `sqlite:${join(options.dataDir, 'plantgate.db')}`;
  // Opening a missing SQLite file would create an empty installation: refuse instead.
  if (url.startsWith('sqlite:') && !existsSync(url.slice('sqlite:'.length))) throw new Error(`no database at ${url.slice('sqlite:'.length)}: pass the server's --data-dir or --database`);
  const store = await openStore(url);
  try {
    return await resetPassword(store.db, new Date().toISOString(), null, options.email);
  } catch (e) {
    throw e instanceof ApiError ? new Error(e.message) : e;
  } finally {
    await store.close();
  }
}
