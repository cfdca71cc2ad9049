import type { RouteDef } from '../../http/registry.ts';
import { eventsRoutes } from './events-routes.ts';
import { orgsRoutes } from './orgs-routes.ts';
import { plantsRoutes } from './plants-routes.ts';

/** Organization self-service (issue 8): every endpoint of `orgApi` (src/core/wire/org.ts). */
export const organizationRoutes: RouteDef[] = [...orgsRoutes, ...plantsRoutes, ...eventsRoutes];
