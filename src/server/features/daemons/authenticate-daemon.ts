import { secretMatches, splitToken } from '../auth/tokens.ts';
import type { AppContext } from '../../context.ts';
import { forbidden, unauthorized } from '../../http/errors.ts';
import { type DaemonRow, daemonByCredential } from './store.ts';

export type { DaemonRow };

/** `Bearer pgd_…` → the daemon; a user token never passes here, and a daemon may only act as itself. */
export async function authenticateDaemon(ctx: AppContext, header: string | undefined, kind: 'gateway' | 'agent', id: string | undefined): Promise<DaemonRow> {
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (!token) throw unauthorized('missing daemon credential');
  const parts = splitToken(token, 'pgd');
  if (!parts) throw unauthorized(token.startsWith('pgt_') ? 'user tokens cannot act as a gateway or agent' : 'invalid daemon credential');
  // Kept in memory until the next revision: every write to `daemons` (enrol, register,
  // remove, a region or plant going) bumps it, here or on another replica, so idle
  // long-polls re-authenticate without a query and a removed daemon is refused at once.
  const row = await ctx.fleet.memo(`daemon:${parts.id}`, () => daemonByCredential(ctx.store.db, parts.id));
  if (!row || !secretMatches(parts.secret, row.credential_hash)) throw unauthorized('invalid daemon credential (was it removed?)');
  if (row.kind !== kind) throw forbidden(`this credential belongs to a ${row.kind}, not a ${kind}`);
  if (id !== undefined && row.id !== id) throw forbidden(`this credential belongs to ${row.kind} ${row.id}, not ${id}`);
  return row;
}
