import { z } from 'zod';
import { EventInfo } from '../../../core/wire/api.ts';
import { type RouteDef, route } from '../../http/registry.ts';

export const eventRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/admin/events',
    summary: 'Events: profiles issued/rotated/revoked, permission changes that moved routes, fleet applies (SPEC A4)',
    tag: 'admin',
    auth: 'operator',
    query: z.object({
      user: z.string().max(320, 'must be at most 320 characters').optional(),
      kind: z.string().max(100, 'must be at most 100 characters').optional(),
      limit: z.coerce.number().int().min(1, 'must be at least 1').max(10000, 'must be at most 10000').default(200),
    }),
    response: z.array(EventInfo),
    handler: async ({ ctx, query }) => {
      let q = ctx.store.db
        .selectFrom('events')
        .leftJoin('users as actor', 'actor.id', 'events.actor_user_id')
        .leftJoin('users as subject', 'subject.id', 'events.subject_user_id')
        .select(['events.id', 'events.at', 'events.kind', 'events.details', 'actor.email as actor', 'subject.email as subject'])
        .orderBy('events.id', 'desc')
        .limit(query.limit);
      if (query.kind) q = q.where('events.kind', '=', query.kind);
      if (query.user) q = q.where('subject.email', '=', query.user.toLowerCase());
      const rows = await q.execute();
      return rows.map((r) => ({ id: Number(r.id), at: r.at, kind: r.kind, actor: r.actor ?? null, subject: r.subject ?? null, details: JSON.parse(r.details) }));
    },
  }),
];
