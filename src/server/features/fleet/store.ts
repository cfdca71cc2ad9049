import type { Kysely } from 'kysely';
import type { FleetFile, FleetFileJobRole } from '../../../core/fleet-file/schema.ts';
import type { Database } from '../../db/schema.ts';

type JobRoleRow = Database['job_roles'];

/**
 * `plantgate admin fleet export`: the stored fleet as a fleet file that applies as
 * "no changes". Users are those the fleet names (members and job-role holders), without
 * passwords; ended cooperations are history and have no place in a file.
 *
 * With `only` (organization ids), just those organizations and the users they name: the
 * part of the fleet an organization's self-service edits (read through the caller's
 * transaction, so the edit starts from what is stored, not from a cached model).
 */
export async function exportFleetFile(db: Kysely<Database>, only?: ReadonlySet<string>): Promise<FleetFile> {
  const [users, orgs, memberships, plants, subnets, devices, portfolios, portfolioPlants, coops, coopPlants, coopPortfolios, jobRoles] = await (only
    ? readOrganizations(db, [...only])
    : Promise.all([
        db.selectFrom('users').select(['id', 'email', 'name']).execute(),
        db.selectFrom('organizations').select(['id', 'name']).orderBy('name').execute(),
        db.selectFrom('memberships').selectAll().execute(),
        db.selectFrom('plants').select(['id', 'org_id', 'name']).orderBy('name').execute(),
        db.selectFrom('subnets').select(['plant_id', 'cidr']).orderBy('created_at').orderBy('cidr').execute(),
        db.selectFrom('devices').selectAll().orderBy('name').execute(),
        db.selectFrom('portfolios').selectAll().orderBy('name').execute(),
        db.selectFrom('portfolio_plants').selectAll().execute(),
        db.selectFrom('cooperations').selectAll().where('ended_at', 'is', null).orderBy('created_at').execute(),
        db.selectFrom('cooperation_plants').selectAll().execute(),
        db.selectFrom('cooperation_portfolios').selectAll().execute(),
        db.selectFrom('job_roles').selectAll().execute(),
      ]));
  const userById = new Map(users.map((u) => [u.id, u]));
  const email = (id: string) => userById.get(id)?.email ?? id;
  const plantById = new Map(plants.map((p) => [p.id, p]));
  const portfolioById = new Map(portfolios.map((f) => [f.id, f]));
  const orgName = new Map(orgs.map((o) => [o.id, o.name]));
  const byEmail = (a: { email: string }, b: { email: string }) => a.email.localeCompare(b.email);
  const jobRoleEntry = (j: JobRoleRow): FleetFileJobRole =>
    j.plant_id
      ? { user: email(j.user_id), plant: plantById.get(j.plant_id)?.name ?? j.plant_id, role: j.role as FleetFileJobRole['role'] }
      : {
          user: email(j.user_id),
          portfolio: portfolioById.get(j.portfolio_id as string)?.name ?? String(j.portfolio_id),
          role: j.role as FleetFileJobRole['role'],
        };
  const jobRoleOrg = (j: JobRoleRow) => (j.plant_id ? plantById.get(j.plant_id)?.org_id : portfolioById.get(j.portfolio_id as string)?.org_id);
  const sortJobRoles = (list: FleetFileJobRole[]) =>
    list.sort((a, b) => a.user.localeCompare(b.user) || (a.plant ?? `~${a.portfolio}`).localeCompare(b.plant ?? `~${b.portfolio}`));

  const membersOf = Map.groupBy(memberships, (m) => m.org_id);
  const plantsOf = Map.groupBy(plants, (p) => p.org_id);
  const subnetsOf = Map.groupBy(subnets, (r) => r.plant_id);
  const devicesOf = Map.groupBy(devices, (r) => r.plant_id);
  const portfoliosOf = Map.groupBy(portfolios, (f) => f.org_id);
  const portfolioPlantsOf = Map.groupBy(portfolioPlants, (r) => r.portfolio_id);
  const coopsOf = Map.groupBy(coops, (c) => c.owner_org_id);
  const coopPlantsOf = Map.groupBy(coopPlants, (r) => r.cooperation_id);
  const coopPortfoliosOf = Map.groupBy(coopPortfolios, (r) => r.cooperation_id);
  const ownJobRolesOf = Map.groupBy(
    jobRoles.filter((j) => j.cooperation_id === null),
    (j) => jobRoleOrg(j) ?? '',
  );
  const coopJobRolesOf = Map.groupBy(
    jobRoles.filter((j) => j.cooperation_id !== null),
    (j) => j.cooperation_id as string,
  );
  const listed = only ? orgs.filter((o) => only.has(o.id)) : orgs;
  const named = new Set<string>(only ? [] : [...memberships.map((m) => m.user_id), ...jobRoles.map((j) => j.user_id)]);
  for (const org of only ? listed : []) {
    for (const m of membersOf.get(org.id) ?? []) named.add(m.user_id);
    for (const j of ownJobRolesOf.get(org.id) ?? []) named.add(j.user_id);
    for (const c of coopsOf.get(org.id) ?? []) for (const j of coopJobRolesOf.get(c.id) ?? []) named.add(j.user_id);
  }
  return {
    users: users
      .filter((u) => named.has(u.id))
      .map((u) => ({ email: u.email, name: u.name }))
      .sort(byEmail),
    organizations: listed.map((org) => ({
      name: org.name,
      members: (membersOf.get(org.id) ?? [])
        .map((m) => ({ email: email(m.user_id), role: m.role as FleetFile['organizations'][number]['members'][number]['role'] }))
        .sort(byEmail),
      portfolios: (portfoliosOf.get(org.id) ?? []).map((f) => ({
        name: f.name,
        plants: (portfolioPlantsOf.get(f.id) ?? []).map((r) => plantById.get(r.plant_id)?.name ?? r.plant_id).sort(),
      })),
      plants: (plantsOf.get(org.id) ?? []).map((p) => ({
        name: p.name,
        subnets: (subnetsOf.get(p.id) ?? []).map((s) => s.cidr),
        devices: (devicesOf.get(p.id) ?? []).map((d) => ({ name: d.name, ip: d.ip, kind: d.kind, ports: JSON.parse(d.ports) as number[] })),
      })),
      jobRoles: sortJobRoles((ownJobRolesOf.get(org.id) ?? []).map(jobRoleEntry)),
      cooperations: (coopsOf.get(org.id) ?? []).map((c) => ({
        partner: orgName.get(c.partner_org_id) ?? c.partner_org_id,
        plants: (coopPlantsOf.get(c.id) ?? []).map((r) => plantById.get(r.plant_id)?.name ?? r.plant_id).sort(),
        portfolios: (coopPortfoliosOf.get(c.id) ?? []).map((r) => portfolioById.get(r.portfolio_id)?.name ?? r.portfolio_id).sort(),
        jobRoles: sortJobRoles((coopJobRolesOf.get(c.id) ?? []).map(jobRoleEntry)),
      })),
    })),
  };
}

/**
 * The rows `exportFleetFile` needs for some organizations only (an organization's edit at
 * fleet scale reads its own part, not 100,000 job roles of others). Every organization's
 * name is read: cooperations name their partners.
 */
function readOrganizations(db: Kysely<Database>, ids: string[]) {
  const plantIds = db.selectFrom('plants').select('id').where('org_id', 'in', ids);
  const portfolioIds = db.selectFrom('portfolios').select('id').where('org_id', 'in', ids);
  const coopIds = db.selectFrom('cooperations').select('id').where('owner_org_id', 'in', ids).where('ended_at', 'is', null);
  // Job roles on the organizations' plants and portfolios: their own and those granted within their cooperations.
  const jobRoles = db
    .selectFrom('job_roles')
    .selectAll()
    .where((eb) => eb.or([eb('plant_id', 'in', plantIds), eb('portfolio_id', 'in', portfolioIds)]));
  const memberIds = db.selectFrom('memberships').select('user_id').where('org_id', 'in', ids);
  const holderIds = jobRoles.clearSelect().select('user_id');
  return Promise.all([
    db
      .selectFrom('users')
      .select(['id', 'email', 'name'])
      .where((eb) => eb.or([eb('id', 'in', memberIds), eb('id', 'in', holderIds)]))
      .execute(),
    db.selectFrom('organizations').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('memberships').selectAll().where('org_id', 'in', ids).execute(),
    db.selectFrom('plants').select(['id', 'org_id', 'name']).where('org_id', 'in', ids).orderBy('name').execute(),
    db.selectFrom('subnets').select(['plant_id', 'cidr']).where('plant_id', 'in', plantIds).orderBy('created_at').orderBy('cidr').execute(),
    db.selectFrom('devices').selectAll().where('plant_id', 'in', plantIds).orderBy('name').execute(),
    db.selectFrom('portfolios').selectAll().where('org_id', 'in', ids).orderBy('name').execute(),
    db.selectFrom('portfolio_plants').selectAll().where('portfolio_id', 'in', portfolioIds).execute(),
    db.selectFrom('cooperations').selectAll().where('owner_org_id', 'in', ids).where('ended_at', 'is', null).orderBy('created_at').execute(),
    db.selectFrom('cooperation_plants').selectAll().where('cooperation_id', 'in', coopIds).execute(),
    db.selectFrom('cooperation_portfolios').selectAll().where('cooperation_id', 'in', coopIds).execute(),
    jobRoles.execute(),
  ]);
}

export async function knownUserEmails(db: Kysely<Database>): Promise<Set<string>> {
  return new Set((await db.selectFrom('users').select('email').execute()).map((u) => u.email));
}

export async function knownOrganizationNames(db: Kysely<Database>): Promise<Set<string>> {
  return new Set((await db.selectFrom('organizations').select('name').execute()).map((o) => o.name));
}
