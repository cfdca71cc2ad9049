import type { UserId } from '../../../core/model.ts';
import { allowedPlantActions } from '../../../core/permissions.ts';
import { grantedPlants } from '../../../core/routes/access.ts';
import { plantAccessApi } from '../../../core/wire/plant-access.ts';
import { type RouteDef, fromEndpoint } from '../../http/registry.ts';
import { relatedPlant } from './plant-scope.ts';

/** The plant and what the caller may do on it (SPEC D10): the web UI's plant tabs follow it. */
export const plantAccessRoutes: RouteDef[] = [
  fromEndpoint(plantAccessApi.show, {
    summary: 'A plant the caller is related to (own organization or cooperation) and the plant actions they may use; no relation: 404',
    tag: 'direct-vpns',
    auth: 'user',
    handler: async ({ ctx, caller, params }) => {
      const { plant, orgName, standing, model } = await relatedPlant(ctx, caller, params.id as string);
      const reaches = grantedPlants(model, caller.userId as UserId).has(plant.id);
      return { id: plant.id, name: plant.name, organization: { id: plant.orgId, name: orgName }, actions: allowedPlantActions(standing), reaches };
    },
  }),
];
