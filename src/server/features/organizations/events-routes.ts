import { orgApi } from '../../../core/wire/org.ts';
import { type RouteDef, fromEndpoint } from '../../http/registry.ts';
import { listOrgEvents } from './events-service.ts';
import { orgAccess } from './org-access.ts';

export const eventsRoutes: RouteDef[] = [
  fromEndpoint(orgApi.events, {
    summary: 'The organization\u2019s events (its changes and the route moves they caused), newest first, paged by `before`',
    tag: 'organizations',
    auth: 'user',
    handler: async ({ ctx, caller, params, query }) => listOrgEvents(ctx, await orgAccess(ctx, caller, params.org as string), query),
  }),
];
