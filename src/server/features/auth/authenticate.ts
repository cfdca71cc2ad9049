import type { AppContext } from '../../context.ts';
import { forbidden, unauthorized } from '../../http/errors.ts';
import type { AuthLevel, Caller } from '../../http/registry.ts';
import { tokenWithUser, touchToken } from './store.ts';
import { secretMatches, splitToken } from './tokens.ts';

const LAST_USED_GRANULARITY_MS = 5 * 60_000;

/** Bearer token → caller. Expired, revoked and unknown tokens are told apart: the caller holds the token already. */
export async function authenticate(ctx: AppContext, header: string | undefined, level: AuthLevel): Promise<Caller> {
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (!token) throw unauthorized('missing bearer token: log in with `plantgate login` or pass a personal API token');
  const parts = splitToken(token);
  if (!parts) throw unauthorized('invalid token');
  const row = await tokenWithUser(ctx.store.db, parts.id);
  if (!row || !secretMatches(parts.secret, row.secret_hash)) throw unauthorized('invalid token');
  if (row.revoked_at) throw unauthorized('token revoked');
  if (row.disabled_at) throw unauthorized('this account is disabled: ask a platform operator');
  const now = ctx.now();
  if (row.expires_at && row.expires_at <= now.toISOString()) throw unauthorized('token expired: log in again');
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > LAST_USED_GRANULARITY_MS) {
    await touchToken(ctx.store.db, row.tokenId, now.toISOString());
  }
  const caller: Caller = { userId: row.userId, email: row.email, name: row.name, platformOperator: row.platform_operator === 1, tokenId: row.tokenId };
  if (level === 'operator' && !caller.platformOperator) throw forbidden('this needs the platform operator role');
  return caller;
}
