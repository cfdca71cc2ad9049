import type { User, UserId } from '../../../core/model.ts';
import { explainPlantAccess } from '../../../core/routes/explain-plant.ts';
import type { AccessExplanation } from '../../../core/wire/org.ts';
import { ApiError } from '../../http/errors.ts';
import { routeViews } from '../vpn/routes-view.ts';
import { userByRef } from './members-service.ts';
import { type OrgAccess, requireAction } from './org-access.ts';
import { plantOf } from './plants-service.ts';

/**
 * "Why does Bob reach / not reach Park A", for the plant organization's Admins and
 * Moderators: the route engine's own judgement step by step, the routes the plant gives
 * the user now, and whether they hold an active profile. Only users related to the
 * organization (members, members of its partners, holders of a job role on its plants)
 * can be asked about; anyone else is answered like an unknown user.
 */
export function explainAccess(access: OrgAccess, userRef: string, plantRef: string): AccessExplanation {
  requireAction(access, 'access.explain');
  const plant = plantOf(access, plantRef);
  const user = userByRef(access, userRef);
  if (!user || !relatedTo(access, user)) throw new ApiError(404, 'not-found', `user: no user ${userRef} related to ${access.org.name}`, { field: 'user' });
  const model = access.model;
  const e = explainPlantAccess(model, user.id, plant.id);
  const routes = routeViews(model, user.id)
    .filter((r) => r.plantId === plant.id)
    .map((r) => ({ subnet: r.subnet, mapped: r.mapped, state: r.state }));
  return {
    user: { id: user.id, email: user.email, name: user.name },
    plant: { id: plant.id, name: plant.name, organization: { id: access.org.id, name: access.org.name } },
    reaches: e.reaches,
    via: e.via,
    decisive: e.decisive,
    steps: e.steps,
    routes,
    hasActiveProfile: model.profiles.has(user.id as UserId),
  };
}

function relatedTo(access: OrgAccess, user: User): boolean {
  const model = access.model;
  const orgs = model.membershipsOf(user.id);
  if (orgs.has(access.org.id)) return true;
  for (const c of model.cooperations.values()) if (c.active && c.ownerOrgId === access.org.id && orgs.has(c.partnerOrgId)) return true;
  for (const jr of model.jobRolesOf(user.id)) {
    const orgId = jr.target.kind === 'plant' ? model.plants.get(jr.target.plantId)?.orgId : model.portfolios.get(jr.target.portfolioId)?.orgId;
    if (orgId === access.org.id) return true;
  }
  return false;
}
