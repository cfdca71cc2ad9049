import type { FleetModel } from '../../../core/fleet-model.ts';
import type { JobRole, JobRoleId, JobRoleName, OrgId, PlantId } from '../../../core/model.ts';
import type { FleetFileJobRole } from '../../../core/fleet-file/schema.ts';
import type { JobRoleView } from '../../../core/wire/org.ts';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../http/errors.ts';
import { memberOf } from './members-service.ts';
import { type OrgAccess, requireAction } from './org-access.ts';
import { type OrgChange, editOrganizations, orgEntry } from './org-edit.ts';
import { plantOf } from './plants-service.ts';
import { portfolioOf } from './portfolios-service.ts';

export type JobRoleInput = { user: string; plant?: string | undefined; portfolio?: string | undefined; role: JobRoleName };

/** Job roles on the organization's plants and portfolios: its own, and those its partners granted within cooperations. */
export function listJobRoles(access: OrgAccess): JobRoleView[] {
  requireAction(access, 'job-roles.view');
  const out: JobRoleView[] = [];
  for (const jr of access.model.jobRoles.values()) if (targetOrg(access.model, jr) === access.org.id) out.push(jobRoleView(access.model, jr));
  return sortViews(out);
}

/** Grants a member a job role on a plant or portfolio of the organization; an existing role of theirs on that target is replaced. */
export async function grantJobRole(ctx: AppContext, access: OrgAccess, input: JobRoleInput): Promise<OrgChange> {
  requireAction(access, 'job-roles.manage');
  const user = memberOf(access, input.user);
  const target = input.plant !== undefined ? { plant: plantOf(access, input.plant).name } : { portfolio: portfolioOf(access, input.portfolio as string).name };
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: input.plant !== undefined ? 'plant' : 'portfolio',
    event: { kind: 'org.job-role-granted', subjectUserId: user.id, details: { user: user.email, ...target, role: input.role } },
    edit: (orgs) => {
      const entry = orgEntry(orgs, access.org.id);
      entry.jobRoles = [...entry.jobRoles.filter((j) => !sameTarget(j, user.email, target)), { user: user.email, ...target, role: input.role }];
    },
  });
}

export async function removeJobRole(ctx: AppContext, access: OrgAccess, id: string): Promise<OrgChange> {
  requireAction(access, 'job-roles.manage');
  const jr = access.model.jobRoles.get(id as JobRoleId);
  if (!jr || jr.cooperationId !== null || targetOrg(access.model, jr) !== access.org.id) {
    throw new ApiError(404, 'not-found', `id: no job role ${id} in ${access.org.name}`, { field: 'id' });
  }
  const view = jobRoleView(access.model, jr);
  const target = jr.target.kind === 'plant' ? { plant: view.target.name } : { portfolio: view.target.name };
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'id',
    event: { kind: 'org.job-role-removed', subjectUserId: jr.userId, details: { user: view.user.email, ...target, role: jr.role } },
    edit: (orgs) => {
      const entry = orgEntry(orgs, access.org.id);
      entry.jobRoles = entry.jobRoles.filter((j) => !sameTarget(j, view.user.email, target));
    },
  });
}

// ---- shared with the cooperation side ---------------------------------------------------

export function jobRoleView(model: FleetModel, jr: JobRole): JobRoleView {
  const user = model.users.get(jr.userId);
  const target =
    jr.target.kind === 'plant'
      ? { kind: 'plant' as const, id: jr.target.plantId as string, name: model.plants.get(jr.target.plantId)?.name ?? jr.target.plantId }
      : { kind: 'portfolio' as const, id: jr.target.portfolioId as string, name: model.portfolios.get(jr.target.portfolioId)?.name ?? jr.target.portfolioId };
  return {
    id: jr.id,
    user: { id: jr.userId, email: user?.email ?? jr.userId, name: user?.name ?? '' },
    target,
    role: jr.role,
    cooperationId: jr.cooperationId,
  };
}

export function sortViews(views: JobRoleView[]): JobRoleView[] {
  return views.sort((a, b) => a.user.email.localeCompare(b.user.email) || a.target.name.localeCompare(b.target.name));
}

export function sameTarget(j: FleetFileJobRole, email: string, target: { plant?: string; portfolio?: string }): boolean {
  return j.user === email && j.plant === target.plant && j.portfolio === target.portfolio;
}

/** The organization owning a job role's plant or portfolio. */
function targetOrg(model: FleetModel, jr: JobRole): OrgId | undefined {
  return jr.target.kind === 'plant' ? model.plants.get(jr.target.plantId as PlantId)?.orgId : model.portfolios.get(jr.target.portfolioId)?.orgId;
}
