import type { FleetModel } from '../../../core/fleet-model.ts';
import type { Organization, OrgRole, UserId } from '../../../core/model.ts';
import { ORG_PERMISSIONS, type OrgAction, type OrgStanding, mayInOrg } from '../../../core/permissions.ts';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../http/errors.ts';
import type { Caller } from '../../http/registry.ts';

/** The organization named in the path and the caller's standing in it. */
export type OrgAccess = { org: Organization; standing: OrgStanding; caller: Caller; model: FleetModel };

/**
 * `:org` (an id or the exact name) → the organization, for a caller who may at least see
 * it. Anyone else gets the very answer a missing organization gets (SPEC S2: no
 * existence leak), with no part of the name they sent echoed back.
 */
export async function orgAccess(ctx: AppContext, caller: Caller, ref: string): Promise<OrgAccess> {
  const model = await ctx.fleet.current();
  const org = findOrg(model, ref);
  const standing = standingIn(model, caller, org);
  if (!org || !mayInOrg(standing, 'org.view')) throw orgNotFound();
  return { org, standing, caller, model };
}

export function findOrg(model: FleetModel, ref: string): Organization | undefined {
  const byId = model.organizations.get(ref as never);
  if (byId) return byId;
  for (const o of model.organizations.values()) if (o.name === ref) return o;
  return undefined;
}

export function standingIn(model: FleetModel, caller: Caller, org: Organization | undefined): OrgStanding {
  const role: OrgRole | null = org ? (model.membershipRole(caller.userId as UserId, org.id) ?? null) : null;
  return { role, platformOperator: caller.platformOperator };
}

export function orgNotFound(): ApiError {
  return new ApiError(404, 'not-found', 'org: no such organization, or you are not a member of it', { field: 'org' });
}

/** A known but forbidden action: 403 naming the action and the role it needs. */
export function requireAction(access: OrgAccess, action: OrgAction): void {
  if (mayInOrg(access.standing, action)) return;
  const needs = ORG_PERMISSIONS[action].join(' or ');
  throw new ApiError(403, 'forbidden', `${action} in ${access.org.name} needs the org role ${needs}; you are ${access.standing.role ?? 'not a member'}`);
}

export function may(access: OrgAccess, action: OrgAction): boolean {
  return mayInOrg(access.standing, action);
}
