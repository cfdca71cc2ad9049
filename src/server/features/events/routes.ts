import { z } from 'zod';
import { EventInfo } from '../../../core/wire/api.ts';
import { type RouteDef, route } from '../../http/registry.ts';
import { eventLog } from './service.ts';

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
];
