import type { FleetModel } from '../../../core/fleet-model.ts';
import type { Plant, PlantId, UserId } from '../../../core/model.ts';
import { type PlantAction, type PlantStanding, mayOnPlant, plantStanding, relatedToPlant } from '../../../core/permissions.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, conflict } from '../../http/errors.ts';
import type { Caller } from '../../http/registry.ts';

/** The plant named in the path, the caller's standing on it, and the model it was judged on. */
export type PlantScope = { plant: Plant; orgName: string; model: FleetModel; standing: PlantStanding; caller: Caller };

/**
 * `:id` (a plant id, or the exact name of a plant the caller is related to) → the plant, for a
 * caller allowed `action` (SPEC D10). Who has no relation to the plant gets the answer a
 * missing plant gets (SPEC S2); a member or job-role holder without the right role a 403.
 */
export async function plantScope(ctx: AppContext, caller: Caller, ref: string, action: PlantAction): Promise<PlantScope> {
  const scope = await relatedPlant(ctx, caller, ref);
  const { plant, orgName, standing } = scope;
  if (!mayOnPlant(standing, action)) {
    const needs =
      action === 'direct-vpn.view'
        ? 'Technical Manager or higher on the plant, or Admin or Moderator of its organization'
        : action === 'plant.discover'
          ? `Admin or Moderator of ${orgName} (discovery sends probes into the plant's network)`
          : action === 'web-target.manage'
            ? `Admin or Moderator of ${orgName}, or the Operator job role on the plant`
            : `Admin or Moderator of ${orgName} (cooperation partners and job roles see direct VPNs read only)`;
    throw new ApiError(403, 'forbidden', `${action} on plant ${plant.name} needs ${needs}`);
  }
  return scope;
}

/** `:id` → the plant, for any caller related to it (whatever they may do there); anyone else the 404 of a missing plant. */
export async function relatedPlant(ctx: AppContext, caller: Caller, ref: string): Promise<PlantScope> {
  const model = await ctx.fleet.current();
  const standingOf = (p: Plant) => plantStanding(model, caller.userId as UserId, caller.platformOperator, p.id);
  let plant = model.plants.get(ref as PlantId);
  if (!plant) {
    const named = [...model.plants.values()].filter((p) => p.name === ref && relatedToPlant(standingOf(p)));
    if (named.length > 1) {
      throw conflict('plant-ambiguous', `plant: ${named.length} plants of yours are named "${ref}": name it by id (${named.map((p) => p.id).join(', ')})`, 'plant');
    }
    plant = named[0];
  }
  const standing = plant ? standingOf(plant) : null;
  if (!plant || !standing || !relatedToPlant(standing)) throw plantNotFound();
  const orgName = model.organizations.get(plant.orgId)?.name ?? plant.orgId;
  return { plant, orgName, model, standing, caller };
}

export function plantNotFound(): ApiError {
  return new ApiError(404, 'not-found', 'plant: no such plant, or you may not see it', { field: 'plant' });
}
