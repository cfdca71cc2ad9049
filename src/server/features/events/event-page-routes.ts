import { platformApi } from '../../../core/wire/platform.ts';
import { type RouteDef, route } from '../../http/registry.ts';
import { eventPage } from './event-page-store.ts';

/** The operators' paged event log (issue 8, platform pages); `GET /admin/events` keeps its list answer for the CLI. */
export const eventPageRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: platformApi.events.path,
    summary: 'Events newest first, one page at a time: filter by kind (or family), user (actor or subject) and since; `before` = the previous page\u2019s `nextBefore`',
    tag: 'admin',
    auth: 'operator',
    query: platformApi.events.query,
    response: platformApi.events.response,
    handler: ({ ctx, query }) => eventPage(ctx.store.db, query),
  }),
];
