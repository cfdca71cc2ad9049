import type { Plant, Portfolio, PortfolioId } from '../../../core/model.ts';
import type { PortfolioView } from '../../../core/wire/org.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, badRequest, conflict } from '../../http/errors.ts';
import { type OrgAccess, requireAction } from './org-access.ts';
import { type OrgChange, editOrganizations, orgEntry } from './org-edit.ts';
import { renamePortfolio } from './org-store.ts';

export function listPortfolios(access: OrgAccess): PortfolioView[] {
  requireAction(access, 'plants.view');
  return portfoliosOfOrg(access)
    .map((f) => ({
      id: f.id,
      name: f.name,
      plants: f.plantIds.map((id) => ({ id, name: access.model.plants.get(id)?.name ?? id })).sort((a, b) => a.name.localeCompare(b.name)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function createPortfolio(ctx: AppContext, access: OrgAccess, name: string, plantRefs: string[]): Promise<OrgChange> {
  requireAction(access, 'portfolios.manage');
  refuseDuplicate(access, name, null);
  const plants = resolvePlants(access, plantRefs);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'plants',
    event: { kind: 'org.portfolio-created', details: { portfolio: name, plants } },
    edit: (orgs) => {
      const entry = orgEntry(orgs, access.org.id);
      if (entry.portfolios.some((f) => f.name === name)) throw duplicate(access, name);
      entry.portfolios.push({ name, plants });
    },
  });
}

/** Renames (in place: job roles and shares stay) and sets the plant list. */
export async function updatePortfolio(ctx: AppContext, access: OrgAccess, ref: string, name: string, plantRefs: string[]): Promise<OrgChange> {
  requireAction(access, 'portfolios.manage');
  const portfolio = portfolioOf(access, ref);
  refuseDuplicate(access, name, portfolio.id);
  const plants = resolvePlants(access, plantRefs);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'plants',
    event: { kind: 'org.portfolio-updated', details: { portfolio: portfolio.name, name, plants } },
    prepare: async (trx) => {
      if (name === portfolio.name) return [];
      await renamePortfolio(trx, portfolio.id, name);
      return [`~ portfolio ${portfolio.name} (${access.org.name}): renamed to ${name}`];
    },
    edit: (orgs) => {
      const f = orgEntry(orgs, access.org.id).portfolios.find((x) => x.name === name);
      if (f) f.plants = plants;
    },
  });
}

export async function removePortfolio(ctx: AppContext, access: OrgAccess, ref: string): Promise<OrgChange> {
  requireAction(access, 'portfolios.manage');
  const portfolio = portfolioOf(access, ref);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'portfolio',
    event: { kind: 'org.portfolio-removed', details: { portfolio: portfolio.name } },
    edit: (orgs) => {
      const entry = orgEntry(orgs, access.org.id);
      entry.portfolios = entry.portfolios.filter((f) => f.name !== portfolio.name);
      entry.jobRoles = entry.jobRoles.filter((j) => j.portfolio !== portfolio.name);
      for (const c of entry.cooperations) {
        c.portfolios = c.portfolios.filter((p) => p !== portfolio.name);
        c.jobRoles = c.jobRoles.filter((j) => j.portfolio !== portfolio.name);
      }
    },
  });
}

// ---- helpers ---------------------------------------------------------------------------

export function portfoliosOfOrg(access: OrgAccess): Portfolio[] {
  return [...access.model.portfolios.values()].filter((f) => f.orgId === access.org.id);
}

/** `:portfolio` (an id or the exact name) among the organization's portfolios. */
export function portfolioOf(access: OrgAccess, ref: string, field = 'portfolio'): Portfolio {
  const byId = access.model.portfolios.get(ref as PortfolioId);
  if (byId?.orgId === access.org.id) return byId;
  const byName = portfoliosOfOrg(access).find((f) => f.name === ref);
  if (byName) return byName;
  throw new ApiError(404, 'not-found', `${field}: no portfolio "${ref}" in ${access.org.name}`, { field });
}

/** Plant references of a request body (ids or names) → names; an unknown one is bad input naming its index. */
export function resolvePlants(access: OrgAccess, refs: string[], field = 'plants'): string[] {
  const names = new Set<string>();
  refs.forEach((ref, i) => {
    const plant = findPlant(access, ref);
    if (!plant) throw badRequest(`${field}[${i}]`, `no plant "${ref}" in ${access.org.name}`);
    names.add(plant.name);
  });
  return [...names];
}

function findPlant(access: OrgAccess, ref: string): Plant | undefined {
  const byId = access.model.plants.get(ref as never);
  if (byId?.orgId === access.org.id) return byId;
  for (const id of access.model.plantsOf(access.org.id)) {
    const p = access.model.plants.get(id);
    if (p?.name === ref) return p;
  }
  return undefined;
}

function refuseDuplicate(access: OrgAccess, name: string, self: PortfolioId | null): void {
  if (portfoliosOfOrg(access).some((f) => f.name === name && f.id !== self)) throw duplicate(access, name);
}

function duplicate(access: OrgAccess, name: string): ApiError {
  return conflict('portfolio-exists', `name: ${access.org.name} has a portfolio "${name}" already`, 'name');
}
