import type { z } from 'zod';
import type { EventInfo } from '../../../core/wire/api.ts';
import type { AppContext } from '../../context.ts';
import type { EventPage } from '../../../core/wire/org.ts';
import { type EventPageFilter, eventPage, listEvents } from './store.ts';

/** The event log for operators (SPEC A4); `user` filters by the subject's email, any case. */
export async function eventLog(ctx: AppContext, query: { user?: string | undefined; kind?: string | undefined; limit: number }): Promise<z.infer<typeof EventInfo>[]> {
  const rows = await listEvents(ctx.store.db, { kind: query.kind, subjectEmail: query.user ? query.user.toLowerCase() : undefined, limit: query.limit });
  return rows.map((r) => ({ id: Number(r.id), at: r.at, kind: r.kind, actor: r.actor ?? null, subject: r.subject ?? null, details: JSON.parse(r.details) }));
}

/** One page of the event log for the platform pages (issue 8): kind family, actor or subject, since, cursor. */
export function eventLogPage(ctx: AppContext, filter: EventPageFilter): Promise<z.infer<typeof EventPage>> {
  return eventPage(ctx.store.db, filter);
}
