import { type LinkableSession, sessionOfFlow } from '../../../core/audit/session-link.ts';
import type { StoredFlow } from '../../../core/audit/flow.ts';
import { effectiveEnd } from '../../../core/sessions/derive.ts';
import type { AuditSession } from '../../../core/wire/audit.ts';
import type { AppContext } from '../../context.ts';
import { sessionsOfUsersBetween } from '../sessions/store.ts';

/**
 * Links a page of flow records to the P7 sessions they belong to (issue 10: `records[].session`
 * identifies the session; src/core/audit/session-link.ts says how) and returns those sessions
 * for the operator's per-session view. One query on the fleet store per page.
 */
export async function linkSessions<T extends StoredFlow>(ctx: AppContext, flows: readonly T[]): Promise<{ flows: T[]; sessions: AuditSession[] }> {
  const open = flows.filter((f) => f.session === null && f.userId !== null);
  let rows: Awaited<ReturnType<typeof sessionsOfUsersBetween>> = [];
  if (open.length > 0) {
    const users = [...new Set(open.map((f) => f.userId as string))];
    const from = Math.min(...open.map((f) => Date.parse(f.firstSeen))) / 1000;
    const to = Math.max(...open.map((f) => Date.parse(f.lastSeen))) / 1000;
    rows = await sessionsOfUsersBetween(ctx.store.db, users, Math.floor(from) - 60, Math.ceil(to) + 60);
  }
  const linkable: LinkableSession[] = rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    gatewayId: r.daemon_id,
    startedAt: Number(r.started_at),
    endedAt: r.ended_at === null ? null : Number(r.ended_at),
    lastHandshakeAt: Number(r.last_handshake_at),
  }));
  const linked = flows.map((f) => ({ ...f, session: sessionOfFlow(f, linkable) }));
  const used = new Set(linked.map((f) => f.session));
  const emailOf = new Map(flows.map((f) => [f.userId, f.userEmail]));
  const now = Math.floor(ctx.now().getTime() / 1000);
  const sessions = rows
    .filter((r) => used.has(r.id))
    .map((r) => {
      const end = effectiveEnd({ endedAt: r.ended_at === null ? null : Number(r.ended_at), lastHandshake: Number(r.last_handshake_at) }, now);
      return {
        id: r.id,
        user: emailOf.get(r.user_id) ?? null,
        start: new Date(Number(r.started_at) * 1000).toISOString(),
        end: end === null ? null : new Date(end * 1000).toISOString(),
        sourceAddress: r.source_address,
        country: r.country,
        region: r.region,
        gateway: r.gateway,
        bytesIn: Number(r.bytes_in),
        bytesOut: Number(r.bytes_out),
      };
    })
    .sort((a, b) => a.start.localeCompare(b.start));
  return { flows: linked, sessions };
}
