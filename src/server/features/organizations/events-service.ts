import type { AppContext } from '../../context.ts';
import { type OrgAccess, requireAction } from './org-access.ts';
import { orgEvents } from './org-store.ts';

export type EventsQueryInput = { kind?: string | undefined; user?: string | undefined; before?: number | undefined; since?: string | undefined; limit: number };

/** The organization's own events, newest first, one page at a time (`nextBefore` leads to the older ones). */
export async function listOrgEvents(ctx: AppContext, access: OrgAccess, q: EventsQueryInput) {
  requireAction(access, 'events.view');
  const rows = await orgEvents(ctx.store.db, {
    orgId: access.org.id,
    kind: q.kind,
    userEmail: q.user?.toLowerCase(),
    before: q.before,
    since: q.since,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const events = page.map((r) => ({
    id: Number(r.id),
    at: r.at,
    kind: r.kind,
    actor: r.actor ?? null,
    subject: r.subject ?? null,
    details: JSON.parse(r.details) as Record<string, unknown>,
  }));
  return { events, nextBefore: rows.length > q.limit ? (events.at(-1)?.id ?? null) : null };
}
