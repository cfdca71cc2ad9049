import type { FleetModel } from '../../../core/fleet-model.ts';
import type { Organization, OrgId, OrgRole, UserId } from '../../../core/model.ts';
import type { OrgSummary } from '../../../core/wire/org.ts';
import type { AppContext } from '../../context.ts';
import type { Caller } from '../../http/registry.ts';
import type { OrgAccess } from './org-access.ts';

/** `GET /orgs`: the caller's organizations; a platform operator sees every one (myRole null where not a member). */
export async function listOrganizations(ctx: AppContext, caller: Caller): Promise<OrgSummary[]> {
  const model = await ctx.fleet.current();
  const mine = model.membershipsOf(caller.userId as UserId);
  const orgs = caller.platformOperator ? [...model.organizations.values()] : [...mine.keys()].map((id) => model.organizations.get(id) as Organization);
  const counts = countsByOrg(model);
  return orgs
    .filter((o) => o !== undefined)
    .map((o) => summaryOf(model, o, mine.get(o.id) ?? null, counts))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function organizationSummary(access: OrgAccess): OrgSummary {
  return summaryOf(access.model, access.org, access.standing.role, countsByOrg(access.model, access.org.id));
}

type Counts = { portfolios: number; owned: number; partnered: number };

function summaryOf(model: FleetModel, org: Organization, myRole: OrgRole | null, counts: Map<OrgId, Counts>): OrgSummary {
  const c = counts.get(org.id) ?? { portfolios: 0, owned: 0, partnered: 0 };
  return {
    id: org.id,
    name: org.name,
    myRole,
    members: model.membersOf(org.id).size,
    plants: model.plantsOf(org.id).size,
    portfolios: c.portfolios,
    cooperationsOwned: c.owned,
    cooperationsAsPartner: c.partnered,
  };
}

/** Portfolios and active cooperations per organization, in one pass over each (`only`: just that one). */
function countsByOrg(model: FleetModel, only?: OrgId): Map<OrgId, Counts> {
  const out = new Map<OrgId, Counts>();
  const of = (id: OrgId) => {
    const c = out.get(id) ?? { portfolios: 0, owned: 0, partnered: 0 };
    out.set(id, c);
    return c;
  };
  for (const f of model.portfolios.values()) if (only === undefined || f.orgId === only) of(f.orgId).portfolios++;
  for (const coop of model.cooperations.values()) {
    if (!coop.active) continue;
    if (only === undefined || coop.ownerOrgId === only) of(coop.ownerOrgId).owned++;
    if (only === undefined || coop.partnerOrgId === only) of(coop.partnerOrgId).partnered++;
  }
  return out;
}
