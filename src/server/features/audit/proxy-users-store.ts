import type { Db } from '../../db/handle.ts';

/** The browser proxy's flows name their proxy session as `proxy:<id>` (src/gateway/proxy/proxy-flows.ts). */
export const PROXY_SESSION_PREFIX = 'proxy:';

/**
 * Who opened each browser-proxy session a batch names (SPEC A1: the proxy's flows come from
 * the gateway's own address, so the user is the session's, not a tunnel address's). One
 * query per batch; closed sessions count too (their requests are reported after the close).
 */
export async function proxySessionUsers(db: Db, sessions: readonly (string | null)[]): Promise<Map<string, { userId: string; email: string }>> {
  const ids = [...new Set(sessions.filter((s): s is string => s?.startsWith(PROXY_SESSION_PREFIX) === true).map((s) => s.slice(PROXY_SESSION_PREFIX.length)))];
  const users = new Map<string, { userId: string; email: string }>();
  if (ids.length === 0) return users;
  const rows = await db
    .selectFrom('proxy_sessions')
    .innerJoin('users', 'users.id', 'proxy_sessions.user_id')
    .select(['proxy_sessions.id as id', 'users.id as userId', 'users.email as email'])
    .where('proxy_sessions.id', 'in', ids)
    .execute();
  for (const row of rows) users.set(`${PROXY_SESSION_PREFIX}${row.id}`, { userId: row.userId, email: row.email });
  return users;
}
