import { z } from 'zod';
import { EventInfo } from '../../../core/wire/api.ts';
import { type RouteDef, route } from '../../http/registry.ts';
import { platformApi } from '../../../core/wire/platform.ts';
import { eventLog, eventLogPage } from './service.ts';

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
    handler: ({ ctx, query }) => eventLog(ctx, query),
  }),
  route({
    method: 'get',
    path: platformApi.events.path,
    summary: 'Events newest first, one page at a time: filter by kind (or family), user (actor or subject) and since; `before` = the previous page\u2019s `nextBefore`',
    tag: 'admin',
    auth: 'operator',
    query: platformApi.events.query,
    response: platformApi.events.response,
    handler: ({ ctx, query }) => eventLogPage(ctx, query),
  }),
];
