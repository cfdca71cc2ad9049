import { orgApi } from '../../../core/wire/org.ts';
import { type RouteDef, fromEndpoint } from '../../http/registry.ts';
import { listOrgEvents } from './events-service.ts';
import { explainAccess } from './explain-service.ts';
import { orgAccess } from './org-access.ts';

/** Explain access and the organization's events: what its Admins and Moderators read to see why and what happened. */
export const eventsRoutes: RouteDef[] = [
  fromEndpoint(orgApi.explainAccess, {
    summary: 'Why a user does or does not reach a plant of the organization: each check, the decisive rule, the routes now, the profile',
    tag: 'organizations',
    auth: 'user',
    handler: async ({ ctx, caller, params, query }) => explainAccess(await orgAccess(ctx, caller, params.org as string), query.user, query.plant),
  }),
  fromEndpoint(orgApi.events, {
    summary: 'The organization\u2019s events (its changes and the route moves they caused), newest first, paged by `before`',
    tag: 'organizations',
    auth: 'user',
    handler: async ({ ctx, caller, params, query }) => listOrgEvents(ctx, await orgAccess(ctx, caller, params.org as string), query),
  }),
];
