import type { Kysely } from 'kysely';
import { FleetModel } from '../../core/fleet-model.ts';
import type {
  CooperationId,
  JobRole,
  JobRoleId,
  JobRoleName,
  OrgId,
  OrgRole,
  OrgVpnClientId,
  OrgVpnId,
  PlantId,
  PortfolioId,
  ProfileId,
  SubnetId,
  UserId,
} from '../../core/model.ts';
import { cidr } from '../../core/net/ipv4.ts';
import type { Database } from '../db/schema.ts';

/** Reads the whole fleet into the in-memory model the route engine works on. */
export async function loadFleetModel(db: Kysely<Database>): Promise<FleetModel> {
  const model = new FleetModel();
  const [users, orgs, memberships, plants, subnets, portfolios, portfolioPlants, coops, coopPlants, coopPortfolios, jobRoles, prefs, profiles] =
    await Promise.all([
      db.selectFrom('users').select(['id', 'email', 'name', 'platform_operator']).execute(),
      db.selectFrom('organizations').select(['id', 'name']).execute(),
      db.selectFrom('memberships').selectAll().execute(),
      db.selectFrom('plants').select(['id', 'org_id', 'name']).execute(),
      db.selectFrom('subnets').select(['id', 'plant_id', 'cidr', 'mapped']).execute(),
      db.selectFrom('portfolios').selectAll().execute(),
      db.selectFrom('portfolio_plants').selectAll().execute(),
      db.selectFrom('cooperations').selectAll().execute(),
      db.selectFrom('cooperation_plants').selectAll().execute(),
      db.selectFrom('cooperation_portfolios').selectAll().execute(),
      db.selectFrom('job_roles').selectAll().execute(),
      db.selectFrom('route_prefs').selectAll().execute(),
      db.selectFrom('profiles').select(['id', 'user_id', 'public_key', 'tunnel_ip_num']).where('status', '=', 'active').execute(),
    ]);
  const agents = await db
    .selectFrom('daemons')
    .select(['plant_id', 'public_key', 'tunnel_ip_num'])
    .where('kind', '=', 'agent')
    .where('public_key', 'is not', null)
    .execute();
  for (const u of users) model.putUser({ id: u.id as UserId, email: u.email, name: u.name, platformOperator: u.platform_operator === 1 });
  for (const o of orgs) model.putOrganization({ id: o.id as OrgId, name: o.name });
  for (const m of memberships) model.setMembership({ orgId: m.org_id as OrgId, userId: m.user_id as UserId, role: m.role as OrgRole });
  for (const p of plants) model.putPlant({ id: p.id as PlantId, orgId: p.org_id as OrgId, name: p.name });
  for (const s of subnets) {
    model.putSubnet({ id: s.id as SubnetId, plantId: s.plant_id as PlantId, prefix: cidr(s.cidr), mapped: cidr(s.mapped) });
  }
  const plantsOfPortfolio = groupBy(portfolioPlants, (r) => r.portfolio_id, (r) => r.plant_id as PlantId);
  for (const f of portfolios) {
    model.putPortfolio({ id: f.id as PortfolioId, orgId: f.org_id as OrgId, name: f.name, plantIds: plantsOfPortfolio.get(f.id) ?? [] });
  }
  const coopPlantIds = groupBy(coopPlants, (r) => r.cooperation_id, (r) => r.plant_id as PlantId);
  const coopPortfolioIds = groupBy(coopPortfolios, (r) => r.cooperation_id, (r) => r.portfolio_id as PortfolioId);
  for (const c of coops) {
    model.putCooperation({
      id: c.id as CooperationId,
      ownerOrgId: c.owner_org_id as OrgId,
      partnerOrgId: c.partner_org_id as OrgId,
      plantIds: coopPlantIds.get(c.id) ?? [],
      portfolioIds: coopPortfolioIds.get(c.id) ?? [],
      active: c.ended_at === null,
    });
  }
  for (const j of jobRoles) {
    model.putJobRole(jobRoleOf({ id: j.id, userId: j.user_id, plantId: j.plant_id, portfolioId: j.portfolio_id, role: j.role, cooperationId: j.cooperation_id }));
  }
  for (const p of prefs) {
    const resume = p.resume_priority_seq == null ? {} : { resumePrioritySeq: Number(p.resume_priority_seq) };
    model.setPreference({ userId: p.user_id as UserId, subnetId: p.subnet_id as SubnetId, kind: p.kind, seq: Number(p.seq), ...resume });
  }
  for (const p of profiles) {
    model.setProfile(p.user_id as UserId, { id: p.id as ProfileId, userId: p.user_id as UserId, publicKey: p.public_key, tunnelIp: Number(p.tunnel_ip_num) });
  }
  const [vpns, vpnPlants, vpnClients] = await Promise.all([
    db.selectFrom('org_vpns').innerJoin('regions', 'regions.id', 'org_vpns.region_id').select(['org_vpns.id', 'org_vpns.org_id', 'org_vpns.name', 'regions.name as region']).execute(),
    db.selectFrom('org_vpn_plants').selectAll().execute(),
    db.selectFrom('org_vpn_clients').select(['id', 'vpn_id', 'name', 'kind', 'public_key', 'tunnel_ip_num', 'networks']).where('removed_at', 'is', null).execute(),
  ]);
  const plantsOfVpn = groupBy(vpnPlants, (r) => r.vpn_id, (r) => r.plant_id as PlantId);
  for (const v of vpns) model.putOrgVpn({ id: v.id as OrgVpnId, orgId: v.org_id as OrgId, name: v.name, region: v.region, plantIds: plantsOfVpn.get(v.id) ?? [] });
  for (const c of vpnClients) {
    model.putOrgVpnClient({
      id: c.id as OrgVpnClientId,
      vpnId: c.vpn_id as OrgVpnId,
      name: c.name,
      kind: c.kind,
      publicKey: c.public_key,
      tunnelIp: Number(c.tunnel_ip_num),
      networks: (JSON.parse(c.networks) as string[]).map(cidr),
    });
  }
  for (const a of agents) model.setAgent(a.plant_id as PlantId, { publicKey: a.public_key as string, tunnelIp: Number(a.tunnel_ip_num) });
  return model;
}

function groupBy<R, V>(rows: R[], key: (r: R) => string, value: (r: R) => V): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(value(row));
    else out.set(k, [value(row)]);
  }
  return out;
}

/** A stored job role (a row, or a fleet apply's change) as the model holds it. */
export function jobRoleOf(r: { id: string; userId: string; plantId: string | null; portfolioId: string | null; role: string; cooperationId: string | null }): JobRole {
  return {
    id: r.id as JobRoleId,
    userId: r.userId as UserId,
    target: r.plantId ? { kind: 'plant', plantId: r.plantId as PlantId } : { kind: 'portfolio', portfolioId: r.portfolioId as PortfolioId },
    role: r.role as JobRoleName,
    cooperationId: (r.cooperationId as CooperationId | null) ?? null,
  };
}
