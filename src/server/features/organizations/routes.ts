import type { RouteDef } from '../../http/registry.ts';
import { cooperationsRoutes } from './cooperations-routes.ts';
import { eventsRoutes } from './explain-events-routes.ts';
import { jobRolesRoutes } from './job-roles-routes.ts';
import { orgsRoutes } from './orgs-routes.ts';
import { plantsRoutes } from './plants-routes.ts';
import { portfoliosRoutes } from './portfolios-routes.ts';

/** Organization self-service (issue 8): every endpoint of `orgApi` (src/core/wire/org.ts). */
export const organizationRoutes: RouteDef[] = [...orgsRoutes, ...plantsRoutes, ...portfoliosRoutes, ...jobRolesRoutes, ...cooperationsRoutes, ...eventsRoutes];
