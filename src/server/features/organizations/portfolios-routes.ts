import { orgApi } from '../../../core/wire/org.ts';
import { type RouteDef, fromEndpoint } from '../../http/registry.ts';
import { orgAccess } from './org-access.ts';
import { createPortfolio, listPortfolios, removePortfolio, updatePortfolio } from './portfolios-service.ts';

const tag = 'organizations';

export const portfoliosRoutes: RouteDef[] = [
  fromEndpoint(orgApi.portfolios, {
    summary: 'Portfolios with their plants',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => listPortfolios(await orgAccess(ctx, caller, params.org as string)),
  }),
  fromEndpoint(orgApi.createPortfolio, {
    summary: 'Create a portfolio of plants (job roles on it are inherited by its plants)',
    tag,
    auth: 'user',
    status: 201,
    handler: async ({ ctx, caller, params, body }) => createPortfolio(ctx, await orgAccess(ctx, caller, params.org as string), body.name, body.plants),
  }),
  fromEndpoint(orgApi.updatePortfolio, {
    summary: 'Rename a portfolio and set its plants; routes of its job-role holders move at once',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params, body }) =>
      updatePortfolio(ctx, await orgAccess(ctx, caller, params.org as string), params.portfolio as string, body.name, body.plants),
  }),
  fromEndpoint(orgApi.removePortfolio, {
    summary: 'Remove a portfolio with the job roles on it',
    tag,
    auth: 'user',
    handler: async ({ ctx, caller, params }) => removePortfolio(ctx, await orgAccess(ctx, caller, params.org as string), params.portfolio as string),
  }),
];
