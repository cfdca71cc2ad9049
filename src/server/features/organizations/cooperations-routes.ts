import { orgApi } from '../../../core/wire/org.ts';
import { type RouteDef, fromEndpoint } from '../../http/registry.ts';
import {
  endCooperation,
  grantCooperationJobRole,
  listCooperations,
  offerCooperation,
  removeCooperationJobRole,
  setCooperationShares,
} from './cooperations-service.ts';
import { orgAccess } from './org-access.ts';

const tag = 'organizations';

export const cooperationsRoutes: RouteDef[] = [
  fromEndpoint(orgApi.cooperations, {
    summary: 'Cooperations the organization owns or is the partner of (partners see only what is shared); ended=true includes ended ones',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, query }) => listCooperations(ctx, await orgAccess(ctx, caller, params.org as string), query.ended === 'true'),
  }),
  fromEndpoint(orgApi.offerCooperation, {
    summary: 'Share plants and portfolios with another organization (Admin)',
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body }) =>
      offerCooperation(ctx, await orgAccess(ctx, caller, params.org as string), body.partner, body.plants, body.portfolios),
  }),
  fromEndpoint(orgApi.setCooperationShares, {
    summary: 'Set what a cooperation shares; partner job roles on what is no longer shared go',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, body }) =>
      setCooperationShares(ctx, await orgAccess(ctx, caller, params.org as string), params.id as string, body.plants, body.portfolios),
  }),
  fromEndpoint(orgApi.endCooperation, {
    summary: 'End a cooperation: the partner\u2019s routes through it go at once; its record stays',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => endCooperation(ctx, await orgAccess(ctx, caller, params.org as string), params.id as string),
  }),
  fromEndpoint(orgApi.grantCooperationJobRole, {
    summary: 'As the partner\u2019s Admin: grant an own member a job role on a shared plant or portfolio',
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body }) => grantCooperationJobRole(ctx, await orgAccess(ctx, caller, params.org as string), params.id as string, body),
  }),
  fromEndpoint(orgApi.removeCooperationJobRole, {
    summary: 'Remove a job role granted within a cooperation (the partner\u2019s Admin, or the owner\u2019s Admin)',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) =>
      removeCooperationJobRole(ctx, await orgAccess(ctx, caller, params.org as string), params.id as string, params.jobRole as string),
  }),
];
