import { effectiveEnd } from '../../../core/sessions/derive.ts';
import type { SessionPage, SessionsQuery } from '../../../core/wire/sessions.ts';
import type { AppContext } from '../../context.ts';
import { type SessionRow, sessionsOfOrgClient, sessionsOfUser } from './store.ts';

const DEFAULT_LIMIT = 50;

/**
 * The caller's own sessions, newest first (SPEC P7). Reports reach the table when the status
 * buffer flushes (every 15 s), so a session shows up to that much later. An open session
 * whose gateway stopped reporting shows its derived end (last handshake + 3 minutes).
 */
export async function ownSessions(ctx: AppContext, userId: string, query: SessionsQuery): Promise<SessionPage> {
  return sessionPage(ctx, query, (limit, after) => sessionsOfUser(ctx.store.db, userId, limit, after));
}

/** An organization VPN client's sessions (0022a), the same page; the caller has checked the organization access. */
export async function orgClientSessions(ctx: AppContext, clientId: string, query: SessionsQuery): Promise<SessionPage> {
  return sessionPage(ctx, query, (limit, after) => sessionsOfOrgClient(ctx.store.db, clientId, limit, after));
}

type PageRow = Omit<SessionRow, 'user_id'>;

async function sessionPage(ctx: AppContext, query: SessionsQuery, read: (limit: number, after?: { startedAt: number; id: string }) => Promise<PageRow[]>): Promise<SessionPage> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = query.cursor ? parseCursor(query.cursor) : undefined;
  const rows = await read(limit + 1, after);
  const page = rows.slice(0, limit);
  const now = Math.floor(ctx.now().getTime() / 1000);
  const last = page.at(-1);
  return {
    sessions: page.map((row) => {
      const end = effectiveEnd({ endedAt: row.ended_at, lastHandshake: row.last_handshake_at }, now);
      return {
        start: iso(row.started_at),
        end: end === null ? null : iso(end),
        sourceAddress: row.source_address,
        country: row.country,
        bytesIn: row.bytes_in,
        bytesOut: row.bytes_out,
        region: row.region,
        gateway: row.gateway,
      };
    }),
    next: rows.length > limit && last ? `${last.started_at}.${last.id}` : null,
  };
}

function parseCursor(cursor: string): { startedAt: number; id: string } {
  const dot = cursor.indexOf('.');
  return { startedAt: Number(cursor.slice(0, dot)), id: cursor.slice(dot + 1) };
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
