import type { Cooperation, CooperationId, Plant, PlantId, Portfolio } from '../../../core/model.ts';
import { formatCidr } from '../../../core/net/ipv4.ts';
import type { CooperationView } from '../../../core/wire/org.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, badRequest, conflict } from '../../http/errors.ts';
import { type JobRoleInput, jobRoleView, sameTarget, sortViews } from './job-roles-service.ts';
import { memberOf } from './members-service.ts';
import { type OrgAccess, may, requireAction } from './org-access.ts';
import { type OrgChange, type OrgFleetEntry, editOrganizations, orgEntry } from './org-edit.ts';
import { cooperationDates } from './org-store.ts';
import { sortedSubnets } from './plants-service.ts';
import { portfolioOf, resolvePlants } from './portfolios-service.ts';

/**
 * Cooperations of `:org` on both sides. The owner's Admins and Moderators see what they
 * share and the job roles the partner assigned; the partner's see only what is shared
 * (plants with their subnets and mapped prefixes) — never the owner's other plants,
 * members, devices or events (SPEC S2).
 */
export async function listCooperations(ctx: AppContext, access: OrgAccess, includeEnded: boolean): Promise<CooperationView[]> {
  const owner = may(access, 'cooperations.view');
  const partner = may(access, 'cooperation.view-shared');
  if (!owner && !partner) requireAction(access, 'cooperations.view');
  const coops = [...access.model.cooperations.values()].filter(
    (c) => (includeEnded || c.active) && ((owner && c.ownerOrgId === access.org.id) || (partner && c.partnerOrgId === access.org.id)),
  );
  const dates = await cooperationDates(ctx.store.db, coops.map((c) => c.id));
  return coops
    .map((c) => cooperationView(access, c, dates.get(c.id)))
    .sort((a, b) => (a.endedAt === null ? 0 : 1) - (b.endedAt === null ? 0 : 1) || a.createdAt.localeCompare(b.createdAt));
}

export async function offerCooperation(ctx: AppContext, access: OrgAccess, partnerName: string, plantRefs: string[], portfolioRefs: string[]): Promise<OrgChange> {
  requireAction(access, 'cooperations.manage');
  const partner = [...access.model.organizations.values()].find((o) => o.name === partnerName);
  if (!partner) throw badRequest('partner', `no organization "${partnerName}"`);
  if (partner.id === access.org.id) throw badRequest('partner', `${access.org.name} cannot cooperate with itself`);
  const existing = [...access.model.cooperations.values()].find((c) => c.active && c.ownerOrgId === access.org.id && c.partnerOrgId === partner.id);
  if (existing) throw conflict('cooperation-exists', `partner: ${access.org.name} has an active cooperation with ${partner.name} (${existing.id}): change its shares instead`, 'partner');
  const shares = resolveShares(access, plantRefs, portfolioRefs);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'plants',
    event: { kind: 'org.cooperation-offered', details: { owner: access.org.name, partner: partner.name, ...shares }, alsoFor: [partner.id] },
    edit: (orgs) => {
      const entry = orgEntry(orgs, access.org.id);
      if (entry.cooperations.some((c) => c.partner === partner.name)) throw conflict('cooperation-exists', `partner: ${access.org.name} has an active cooperation with ${partner.name}`, 'partner');
      entry.cooperations.push({ partner: partner.name, ...shares, jobRoles: [] });
    },
  });
}

/** Sets what a cooperation shares; job roles the partner assigned on what is no longer shared go with it. */
export async function setCooperationShares(ctx: AppContext, access: OrgAccess, id: string, plantRefs: string[], portfolioRefs: string[]): Promise<OrgChange> {
  requireAction(access, 'cooperations.manage');
  const coop = ownedCooperation(access, id);
  const partnerName = orgName(access, coop.partnerOrgId);
  const shares = resolveShares(access, plantRefs, portfolioRefs);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'plants',
    event: { kind: 'org.cooperation-changed', details: { owner: access.org.name, partner: partnerName, cooperation: coop.id, ...shares }, alsoFor: [coop.partnerOrgId] },
    edit: (orgs) => {
      const entry = orgEntry(orgs, access.org.id);
      const c = coopEntry(entry, partnerName);
      c.plants = shares.plants;
      c.portfolios = shares.portfolios;
      const viaPortfolios = new Set(entry.portfolios.filter((f) => shares.portfolios.includes(f.name)).flatMap((f) => f.plants));
      c.jobRoles = c.jobRoles.filter((j) => (j.plant !== undefined ? shares.plants.includes(j.plant) || viaPortfolios.has(j.plant) : shares.portfolios.includes(j.portfolio as string)));
    },
  });
}

export async function endCooperation(ctx: AppContext, access: OrgAccess, id: string): Promise<OrgChange> {
  requireAction(access, 'cooperations.manage');
  const coop = ownedCooperation(access, id);
  const partnerName = orgName(access, coop.partnerOrgId);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'id',
    event: { kind: 'org.cooperation-ended', details: { owner: access.org.name, partner: partnerName, cooperation: coop.id }, alsoFor: [coop.partnerOrgId] },
    edit: (orgs) => {
      const entry = orgEntry(orgs, access.org.id);
      entry.cooperations = entry.cooperations.filter((c) => c.partner !== partnerName);
    },
  });
}

/**
 * The partner's Admin grants one of its own members a job role on a plant or portfolio the
 * cooperation shares. The job role lives in the owner's part of the fleet (its cooperation
 * entry), so that part is what the edit changes.
 */
export async function grantCooperationJobRole(ctx: AppContext, access: OrgAccess, id: string, input: JobRoleInput): Promise<OrgChange> {
  const coop = partneredCooperation(access, id);
  requireAction(access, 'cooperation.assign-job-roles');
  const user = memberOf(access, input.user);
  const target = input.plant !== undefined ? { plant: sharedPlant(access, coop, input.plant).name } : { portfolio: sharedPortfolio(access, coop, input.portfolio as string).name };
  const partnerName = access.org.name;
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [coop.ownerOrgId],
    field: input.plant !== undefined ? 'plant' : 'portfolio',
    event: { kind: 'org.job-role-granted', subjectUserId: user.id, details: { user: user.email, ...target, role: input.role, cooperation: coop.id, partner: partnerName }, alsoFor: [access.org.id] },
    edit: (orgs) => {
      const c = coopEntry(orgEntry(orgs, coop.ownerOrgId), partnerName);
      c.jobRoles = [...c.jobRoles.filter((j) => !sameTarget(j, user.email, target)), { user: user.email, ...target, role: input.role }];
    },
  });
}

/** Removing a cooperation job role: the partner's Admin, or the owner's Admin (who manages the cooperation). */
export async function removeCooperationJobRole(ctx: AppContext, access: OrgAccess, id: string, jobRoleId: string): Promise<OrgChange> {
  const coop = access.model.cooperations.get(id as CooperationId);
  const side = coop?.active ? (coop.partnerOrgId === access.org.id ? 'partner' : coop.ownerOrgId === access.org.id ? 'owner' : null) : null;
  if (!coop || side === null) throw cooperationNotFound(access, id);
  requireAction(access, side === 'partner' ? 'cooperation.assign-job-roles' : 'cooperations.manage');
  const jr = access.model.jobRoles.get(jobRoleId as never);
  if (!jr || jr.cooperationId !== coop.id) throw new ApiError(404, 'not-found', `jobRole: no job role ${jobRoleId} in this cooperation`, { field: 'jobRole' });
  const view = jobRoleView(access.model, jr);
  const target = jr.target.kind === 'plant' ? { plant: view.target.name } : { portfolio: view.target.name };
  const partnerName = orgName(access, coop.partnerOrgId);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [coop.ownerOrgId],
    field: 'jobRole',
    event: {
      kind: 'org.job-role-removed',
      subjectUserId: jr.userId,
      details: { user: view.user.email, ...target, role: jr.role, cooperation: coop.id, partner: partnerName },
      alsoFor: [coop.partnerOrgId],
    },
    edit: (orgs) => {
      const c = coopEntry(orgEntry(orgs, coop.ownerOrgId), partnerName);
      c.jobRoles = c.jobRoles.filter((j) => !sameTarget(j, view.user.email, target));
    },
  });
}

// ---- helpers ---------------------------------------------------------------------------

function cooperationView(access: OrgAccess, c: Cooperation, dates: { created_at: string; ended_at: string | null } | undefined): CooperationView {
  const model = access.model;
  const named = (p: Plant | Portfolio | undefined, id: string) => ({ id, name: p?.name ?? id });
  return {
    id: c.id,
    owner: { id: c.ownerOrgId, name: orgName(access, c.ownerOrgId) },
    partner: { id: c.partnerOrgId, name: orgName(access, c.partnerOrgId) },
    side: c.ownerOrgId === access.org.id ? 'owner' : 'partner',
    plants: c.plantIds
      .map((id) => ({
        ...named(model.plants.get(id), id),
        subnets: sortedSubnets(model, id).map((s) => ({ cidr: formatCidr(s.prefix), mapped: formatCidr(s.mapped) })),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    portfolios: c.portfolioIds
      .map((id) => {
        const f = model.portfolios.get(id);
        return { ...named(f, id), plants: (f?.plantIds ?? []).map((p) => named(model.plants.get(p), p)) };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
    createdAt: dates?.created_at ?? '',
    endedAt: dates?.ended_at ?? null,
    jobRoles: sortViews([...model.jobRoles.values()].filter((j) => j.cooperationId === c.id).map((j) => jobRoleView(model, j))),
  };
}

function resolveShares(access: OrgAccess, plantRefs: string[], portfolioRefs: string[]): { plants: string[]; portfolios: string[] } {
  const portfolios = portfolioRefs.map((ref, i) => portfolioOfField(access, ref, `portfolios[${i}]`));
  return { plants: resolvePlants(access, plantRefs), portfolios: [...new Set(portfolios)] };
}

function portfolioOfField(access: OrgAccess, ref: string, field: string): string {
  try {
    return portfolioOf(access, ref, field).name;
  } catch {
    throw badRequest(field, `no portfolio "${ref}" in ${access.org.name}`);
  }
}

function ownedCooperation(access: OrgAccess, id: string): Cooperation {
  const coop = access.model.cooperations.get(id as CooperationId);
  if (!coop?.active || coop.ownerOrgId !== access.org.id) throw cooperationNotFound(access, id);
  return coop;
}

function partneredCooperation(access: OrgAccess, id: string): Cooperation {
  const coop = access.model.cooperations.get(id as CooperationId);
  if (!coop?.active || coop.partnerOrgId !== access.org.id) throw cooperationNotFound(access, id);
  return coop;
}

function cooperationNotFound(access: OrgAccess, id: string): ApiError {
  return new ApiError(404, 'not-found', `id: no active cooperation ${id} of ${access.org.name}`, { field: 'id' });
}

/** A plant the cooperation shares (directly or through a portfolio); anything else of the owner is not found, whether it exists or not. */
function sharedPlant(access: OrgAccess, coop: Cooperation, ref: string): Plant {
  const model = access.model;
  for (const id of model.plantsOf(coop.ownerOrgId)) {
    const p = model.plants.get(id as PlantId) as Plant;
    if ((p.id === ref || p.name === ref) && model.cooperationCovers(coop, p.id)) return p;
  }
  throw new ApiError(404, 'not-found', `plant: the cooperation shares no plant "${ref}"`, { field: 'plant' });
}

function sharedPortfolio(access: OrgAccess, coop: Cooperation, ref: string): Portfolio {
  for (const id of coop.portfolioIds) {
    const f = access.model.portfolios.get(id);
    if (f && (f.id === ref || f.name === ref)) return f;
  }
  throw new ApiError(404, 'not-found', `portfolio: the cooperation shares no portfolio "${ref}"`, { field: 'portfolio' });
}

function coopEntry(entry: OrgFleetEntry, partnerName: string): OrgFleetEntry['cooperations'][number] {
  const c = entry.cooperations.find((x) => x.partner === partnerName);
  if (!c) throw new ApiError(404, 'not-found', `id: the cooperation with ${partnerName} ended meanwhile`, { field: 'id' });
  return c;
}

function orgName(access: OrgAccess, id: string): string {
  return access.model.organizations.get(id as never)?.name ?? id;
}
