import { orgApi } from '../../../core/wire/org.ts';
import { type RouteDef, fromEndpoint } from '../../http/registry.ts';
import { grantJobRole, listJobRoles, removeJobRole } from './job-roles-service.ts';
import { orgAccess } from './org-access.ts';

const tag = 'organizations';

export const jobRolesRoutes: RouteDef[] = [
  fromEndpoint(orgApi.jobRoles, {
    summary: 'Job roles on the organization\u2019s plants and portfolios (own, and those granted within cooperations)',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => listJobRoles(await orgAccess(ctx, caller, params.org as string)),
  }),
  fromEndpoint(orgApi.grantJobRole, {
    summary: 'Grant a member a job role on a plant or portfolio (replaces theirs on that target); routes move at once',
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body }) => grantJobRole(ctx, await orgAccess(ctx, caller, params.org as string), body),
  }),
  fromEndpoint(orgApi.removeJobRole, {
    summary: 'Remove a job role; the routes it opened go at once',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => removeJobRole(ctx, await orgAccess(ctx, caller, params.org as string), params.id as string),
  }),
];
