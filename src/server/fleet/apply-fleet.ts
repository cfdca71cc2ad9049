import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { FleetFile, FleetFileJobRole } from '../../core/fleet-file/schema.ts';
import { type Ipv4Prefix, cidr, formatCidr } from '../../core/net/ipv4.ts';
import { MappedSpaceAllocator } from '../../core/net/mapped-prefix.ts';
import { hashPassword } from '../features/auth/passwords.ts';
import type { Database } from '../db/schema.ts';
import { ApiError } from '../http/errors.ts';
import { type RemovedDaemon, daemonsOfRemovedPlants } from './daemons-of-removed-plants.ts';

export type { RemovedDaemon };

export type FleetApplyResult = {
  changes: string[];
  /** What the database holds and the file does not, left in place because the apply does not prune. */
  kept: string[];
  /** Daemons removed with their plant (only with `force`): the caller records an event for each. */
  removedDaemons: RemovedDaemon[];
  /**
   * The apply's effect on the route engine's model when it only touched users, memberships,
   * job roles and subnets of existing plants (devices are not in the model): the caller mirrors these into the model
   * instead of reloading it. Null when anything structural moved (then: reload).
   */
  modelChanges: FleetModelChange[] | null;
};

/** One change the model mirrors (ids as stored). */
export type FleetModelChange =
  | { kind: 'user'; id: string; email: string; name: string }
  | { kind: 'membership'; orgId: string; userId: string; role: string }
  | { kind: 'membership-removed'; orgId: string; userId: string }
  | { kind: 'job-role'; id: string; userId: string; plantId: string | null; portfolioId: string | null; role: string; cooperationId: string | null }
  | { kind: 'job-role-removed'; id: string }
  | { kind: 'subnet'; id: string; plantId: string; cidr: string; mapped: string }
  | { kind: 'subnet-removed'; id: string };

export type FleetApplyOptions = {
  mappedSpace: Ipv4Prefix;
  now: string;
  /** Remove what the file lacks; without it an apply only adds and updates (a partial file is safe). */
  prune: boolean;
  /** Remove plants even while an agent is enrolled on them (the agent is removed too). */
  force: boolean;
  /**
   * 'listed-organizations': the file is the complete part of the organizations it lists
   * (an organization's self-service edit): `prune` removes only within them, never an
   * organization the file does not list, and cooperations with unlisted partners are
   * ended when the owner's entry drops them. Default 'fleet': the file is the fleet.
   */
  scope?: 'fleet' | 'listed-organizations';
};

type Trx = Transaction<Database>;

/**
 * Brings the stored fleet to a validated fleet file, in the caller's transaction: what it
 * adds is created, what differs is updated, and with `prune` what the file lacks is removed
 * (organizations, plants, subnets, devices, portfolios, memberships, job roles; cooperations
 * are ended and kept for history). Users are global and never deleted here.
 * Returns one line per change, in the order they were made, and one per removal skipped.
 */
export async function applyFleetFile(trx: Trx, fleet: FleetFile, options: FleetApplyOptions): Promise<FleetApplyResult> {
  const changes: string[] = [];
  const kept: string[] = [];
  // A scoped file reads the stored state of its own organizations only (every user, organization name and mapped prefix still).
  const current = await readCurrent(trx, options.scope === 'listed-organizations' ? new Set(fleet.organizations.map((o) => o.name)) : null);
  const ops = new Ops();
  const modelChanges: FleetModelChange[] = [];
  // Set by any change the model cannot mirror from modelChanges (organizations, plants, subnets, portfolios, cooperations).
  let structural = false;
  const removedPlants = new Map<string, string>();
  // Without prune a removal is only reported: a file listing one organization must not delete the others.
  const removal = (line: string, remove: () => void): void => {
    if (!options.prune) {
      kept.push(line);
      return;
    }
    remove();
    changes.push(line);
  };

  // ---- users --------------------------------------------------------------
  const userIdByEmail = new Map(current.users.map((u) => [u.email, u.id]));
  const newUsers = fleet.users.filter((u) => !userIdByEmail.has(u.email));
  const hashes = await Promise.all(newUsers.map((u) => (u.password ? hashPassword(u.password) : Promise.resolve(null))));
  newUsers.forEach((u, i) => {
    const id = randomUUID();
    userIdByEmail.set(u.email, id);
    ops.insert('users', { id, email: u.email, name: u.name ?? u.email, password_hash: hashes[i] ?? null, platform_operator: 0, created_at: options.now });
    modelChanges.push({ kind: 'user', id, email: u.email, name: u.name ?? u.email });
    changes.push(`+ user ${u.email}`);
  });
  const currentUserByEmail = new Map(current.users.map((u) => [u.email, u]));
  for (const u of fleet.users) {
    const existing = currentUserByEmail.get(u.email);
    if (existing && u.name !== undefined && u.name !== existing.name) {
      ops.update(trx.updateTable('users').set({ name: u.name }).where('id', '=', existing.id));
      modelChanges.push({ kind: 'user', id: existing.id, email: existing.email, name: u.name });
      changes.push(`~ user ${u.email}: name "${existing.name}" → "${u.name}"`);
    }
  }
  const userId = (email: string) => userIdByEmail.get(email) as string;

  // ---- organizations --------------------------------------------------------
  const wantedOrgs = new Set(fleet.organizations.map((o) => o.name));
  const scoped = options.scope === 'listed-organizations';
  for (const org of current.orgs) {
    if (!wantedOrgs.has(org.name) && !scoped) {
      removal(`- organization ${org.name} (with its plants, portfolios, memberships and cooperations)`, () => {
        ops.delete('organizations', org.id);
        for (const p of current.plants) if (p.org_id === org.id) removedPlants.set(p.id, `${org.name}/${p.name}`);
      });
    }
  }
  const orgIdByName = new Map(current.orgs.filter((o) => wantedOrgs.has(o.name)).map((o) => [o.name, o.id]));
  for (const org of fleet.organizations) {
    if (!orgIdByName.has(org.name)) {
      const id = randomUUID();
      orgIdByName.set(org.name, id);
      ops.insert('organizations', { id, name: org.name, created_at: options.now });
      changes.push(`+ organization ${org.name}`);
    }
  }

  // A partial file may name a stored organization it does not list as a cooperation partner.
  const storedOrgIdByName = new Map(current.orgs.map((o) => [o.name, o.id]));
  const partnerIdOf = (name: string) => (orgIdByName.get(name) ?? storedOrgIdByName.get(name)) as string;

  const releasedMapped: Ipv4Prefix[] = [];
  const newSubnets: Array<{ id: string; plant_id: string; cidr: string; label: string }> = [];

  for (const org of fleet.organizations) {
    const orgId = orgIdByName.get(org.name) as string;
    const label = (what: string) => `${what} (${org.name})`;

    // memberships
    const currentMembers = new Map(current.membershipsOf(orgId).map((m) => [m.user_id, m.role]));
    const wantedMembers = new Map(org.members.map((m) => [userId(m.email), m]));
    for (const [uid, role] of currentMembers) {
      if (!wantedMembers.has(uid)) {
        removal(`- member ${current.emailOf(uid)} (${role}) of ${org.name}`, () => {
          ops.raw(trx.deleteFrom('memberships').where('org_id', '=', orgId).where('user_id', '=', uid));
          modelChanges.push({ kind: 'membership-removed', orgId, userId: uid });
        });
      }
    }
    for (const [uid, m] of wantedMembers) {
      const role = currentMembers.get(uid);
      if (role === undefined) {
        ops.insert('memberships', { org_id: orgId, user_id: uid, role: m.role });
        modelChanges.push({ kind: 'membership', orgId, userId: uid, role: m.role });
        changes.push(`+ member ${m.email} (${m.role}) of ${org.name}`);
      } else if (role !== m.role) {
        ops.update(trx.updateTable('memberships').set({ role: m.role }).where('org_id', '=', orgId).where('user_id', '=', uid));
        modelChanges.push({ kind: 'membership', orgId, userId: uid, role: m.role });
        changes.push(`~ member ${m.email} of ${org.name}: ${role} → ${m.role}`);
      }
    }

    // plants, subnets, devices
    const currentPlants = new Map(current.plantsOfOrg(orgId).map((p) => [p.name, p]));
    const wantedPlants = new Set(org.plants.map((p) => p.name));
    for (const [name, plant] of currentPlants) {
      if (!wantedPlants.has(name)) {
        removal(`- plant ${label(name)}`, () => {
          ops.delete('plants', plant.id);
          removedPlants.set(plant.id, `${org.name}/${name}`);
          for (const s of current.subnetsOf(plant.id)) releasedMapped.push(cidr(s.mapped));
        });
      }
    }
    const plantIdByName = new Map<string, string>();
    for (const plant of org.plants) {
      let plantId = currentPlants.get(plant.name)?.id;
      if (!plantId) {
        plantId = randomUUID();
        ops.insert('plants', { id: plantId, org_id: orgId, name: plant.name, created_at: options.now });
        changes.push(`+ plant ${label(plant.name)}`);
      }
      plantIdByName.set(plant.name, plantId);
      const existingSubnets = new Map(current.subnetsOf(plantId).map((s) => [s.cidr, s]));
      const wantedSubnets = new Set(plant.subnets);
      for (const [text, s] of existingSubnets) {
        if (!wantedSubnets.has(text)) {
          removal(`- subnet ${text} of plant ${label(plant.name)} (was mapped to ${s.mapped})`, () => {
            ops.delete('subnets', s.id);
            modelChanges.push({ kind: 'subnet-removed', id: s.id });
            releasedMapped.push(cidr(s.mapped));
          });
        }
      }
      for (const text of plant.subnets) {
        if (!existingSubnets.has(text)) newSubnets.push({ id: randomUUID(), plant_id: plantId, cidr: text, label: `plant ${label(plant.name)}` });
      }
      const existingDevices = new Map(current.devicesOf(plantId).map((d) => [d.name, d]));
      const wantedDevices = new Set(plant.devices.map((d) => d.name));
      for (const [name, d] of existingDevices) {
        if (!wantedDevices.has(name)) removal(`- device ${name} of plant ${label(plant.name)}`, () => ops.delete('devices', d.id));
      }
      for (const device of plant.devices) {
        const ports = JSON.stringify(device.ports);
        const existing = existingDevices.get(device.name);
        if (!existing) {
          ops.insert('devices', { id: randomUUID(), plant_id: plantId, name: device.name, ip: device.ip, kind: device.kind, ports });
          changes.push(`+ device ${device.name} ${device.ip} (${device.kind}) of plant ${label(plant.name)}`);
        } else if (existing.ip !== device.ip || existing.kind !== device.kind || existing.ports !== ports) {
          ops.update(trx.updateTable('devices').set({ ip: device.ip, kind: device.kind, ports }).where('id', '=', existing.id));
          changes.push(`~ device ${device.name} of plant ${label(plant.name)}: ${existing.ip} ${existing.kind} → ${device.ip} ${device.kind}`);
        }
      }
    }

    // portfolios
    const currentPortfolios = new Map(current.portfoliosOfOrg(orgId).map((f) => [f.name, f]));
    const wantedPortfolios = new Set(org.portfolios.map((f) => f.name));
    for (const [name, f] of currentPortfolios) {
      if (!wantedPortfolios.has(name)) removal(`- portfolio ${label(name)}`, () => ops.delete('portfolios', f.id));
    }
    const portfolioIdByName = new Map<string, string>();
    for (const portfolio of org.portfolios) {
      let portfolioId = currentPortfolios.get(portfolio.name)?.id;
      if (!portfolioId) {
        portfolioId = randomUUID();
        ops.insert('portfolios', { id: portfolioId, org_id: orgId, name: portfolio.name });
        changes.push(`+ portfolio ${label(portfolio.name)}`);
      }
      portfolioIdByName.set(portfolio.name, portfolioId);
      const had = new Set(current.plantsOfPortfolio(portfolioId));
      const want = new Set(portfolio.plants.map((p) => plantIdByName.get(p) as string));
      for (const plantId of had) {
        if (!want.has(plantId) && plantIdByName.has(current.plantName(plantId))) {
          removal(`- plant ${current.plantName(plantId)} from portfolio ${label(portfolio.name)}`, () => {
            structural = true;
            ops.raw(trx.deleteFrom('portfolio_plants').where('portfolio_id', '=', portfolioId).where('plant_id', '=', plantId));
          });
        }
      }
      for (const plant of portfolio.plants) {
        const plantId = plantIdByName.get(plant) as string;
        if (!had.has(plantId)) {
          ops.insert('portfolio_plants', { portfolio_id: portfolioId, plant_id: plantId });
          changes.push(`+ plant ${plant} to portfolio ${label(portfolio.name)}`);
        }
      }
    }

    const target = (jr: FleetFileJobRole) =>
      jr.plant !== undefined
        ? { plant_id: plantIdByName.get(jr.plant) as string, portfolio_id: null }
        : { plant_id: null, portfolio_id: portfolioIdByName.get(jr.portfolio as string) as string };
    const targetText = (jr: FleetFileJobRole) => (jr.plant !== undefined ? `plant ${jr.plant}` : `portfolio ${jr.portfolio}`);

    const syncJobRoles = (wanted: FleetFileJobRole[], cooperationId: string | null, where: string) => {
      const existing = new Map(
        (cooperationId === null ? current.ownJobRolesOf(orgId) : current.coopJobRolesOf(cooperationId)).map((j) => [`${j.user_id}|${j.plant_id ?? ''}|${j.portfolio_id ?? ''}`, j]),
      );
      // Matched entries leave `existing`: what remains afterwards is what the file lacks.
      for (const jr of wanted) {
        const t = target(jr);
        const uid = userId(jr.user);
        const key = `${uid}|${t.plant_id ?? ''}|${t.portfolio_id ?? ''}`;
        const had = existing.get(key);
        if (had) existing.delete(key);
        if (!had) {
          const id = randomUUID();
          ops.insert('job_roles', { id, user_id: uid, plant_id: t.plant_id, portfolio_id: t.portfolio_id, role: jr.role, cooperation_id: cooperationId });
          modelChanges.push({ kind: 'job-role', id, userId: uid, plantId: t.plant_id, portfolioId: t.portfolio_id, role: jr.role, cooperationId });
          changes.push(`+ job role ${jr.role} for ${jr.user} on ${targetText(jr)}${where}`);
        } else if (had.role !== jr.role) {
          ops.update(trx.updateTable('job_roles').set({ role: jr.role }).where('id', '=', had.id));
          modelChanges.push({ kind: 'job-role', id: had.id, userId: had.user_id, plantId: had.plant_id, portfolioId: had.portfolio_id, role: jr.role, cooperationId: had.cooperation_id });
          changes.push(`~ job role of ${jr.user} on ${targetText(jr)}${where}: ${had.role} → ${jr.role}`);
        }
      }
      for (const j of existing.values()) {
        removal(`- job role ${j.role} for ${current.emailOf(j.user_id)} on ${current.targetText(j)}${where}`, () => {
          ops.delete('job_roles', j.id);
          modelChanges.push({ kind: 'job-role-removed', id: j.id });
        });
      }
    };
    syncJobRoles(org.jobRoles, null, ` (${org.name})`);

    // cooperations: identified by (owner, partner); ending one keeps its record
    const activeCoops = new Map(current.coopsOwnedBy(orgId).map((c) => [c.partner_org_id, c]));
    const wantedPartners = new Set(org.cooperations.map((c) => partnerIdOf(c.partner)));
    for (const [partnerId, coop] of activeCoops) {
      if (!wantedPartners.has(partnerId) && (scoped || orgIdByName.has(current.orgName(partnerId)))) {
        removal(`- cooperation ${org.name} → ${current.orgName(partnerId)} (ended)`, () => {
          structural = true;
          ops.update(trx.updateTable('cooperations').set({ ended_at: options.now }).where('id', '=', coop.id));
          ops.raw(trx.deleteFrom('job_roles').where('cooperation_id', '=', coop.id));
        });
      }
    }
    for (const coop of org.cooperations) {
      const partnerId = partnerIdOf(coop.partner);
      let coopId = activeCoops.get(partnerId)?.id;
      const where = ` in cooperation ${org.name} → ${coop.partner}`;
      if (!coopId) {
        coopId = randomUUID();
        ops.insert('cooperations', { id: coopId, owner_org_id: orgId, partner_org_id: partnerId, created_at: options.now, ended_at: null });
        changes.push(`+ cooperation ${org.name} → ${coop.partner}`);
      }
      const hadPlants = new Set(current.coopPlants(coopId));
      const wantPlants = new Set(coop.plants.map((p) => plantIdByName.get(p) as string));
      for (const plantId of hadPlants) {
        if (!wantPlants.has(plantId) && plantIdByName.has(current.plantName(plantId))) {
          removal(`- shared plant ${current.plantName(plantId)}${where}`, () => {
            structural = true;
            ops.raw(trx.deleteFrom('cooperation_plants').where('cooperation_id', '=', coopId).where('plant_id', '=', plantId));
          });
        }
      }
      for (const plantId of wantPlants) {
        if (!hadPlants.has(plantId)) {
          ops.insert('cooperation_plants', { cooperation_id: coopId, plant_id: plantId });
          changes.push(`+ shared plant ${current.plantNameOr(plantId, coop.plants, plantIdByName)}${where}`);
        }
      }
      const hadPortfolios = new Set(current.coopPortfolios(coopId));
      const wantPortfolios = new Set(coop.portfolios.map((p) => portfolioIdByName.get(p) as string));
      for (const portfolioId of hadPortfolios) {
        if (!wantPortfolios.has(portfolioId) && portfolioIdByName.has(current.portfolioName(portfolioId))) {
          removal(`- shared portfolio ${current.portfolioName(portfolioId)}${where}`, () => {
            structural = true;
            ops.raw(trx.deleteFrom('cooperation_portfolios').where('cooperation_id', '=', coopId).where('portfolio_id', '=', portfolioId));
          });
        }
      }
      for (const name of coop.portfolios) {
        const portfolioId = portfolioIdByName.get(name) as string;
        if (!hadPortfolios.has(portfolioId)) {
          ops.insert('cooperation_portfolios', { cooperation_id: coopId, portfolio_id: portfolioId });
          changes.push(`+ shared portfolio ${name}${where}`);
        }
      }
      syncJobRoles(coop.jobRoles, coopId, where);
    }
  }

  // Mapped prefixes: allocated after every release, so a deleted subnet's block can be reused.
  // Built only when something is to be mapped: indexing 10,000 mapped prefixes is most of an unchanged apply's tail.
  const allocator = newSubnets.length === 0 ? null : mappedAllocator(current.subnets, releasedMapped, options.mappedSpace);
  for (const subnet of newSubnets) {
    const prefix = cidr(subnet.cidr);
    const mapped = (allocator as MappedSpaceAllocator).allocate(prefix.length);
    if (!mapped.ok) throw new ApiError(409, 'mapped-space-exhausted', `cannot map ${subnet.cidr} of ${subnet.label}: ${mapped.message}`);
    const mappedText = formatCidr(mapped.prefix);
    ops.insert('subnets', { id: subnet.id, plant_id: subnet.plant_id, cidr: subnet.cidr, mapped: mappedText, created_at: options.now });
    modelChanges.push({ kind: 'subnet', id: subnet.id, plantId: subnet.plant_id, cidr: subnet.cidr, mapped: mappedText });
    changes.push(`+ subnet ${subnet.cidr} of ${subnet.label} → mapped ${mappedText}`);
  }

  const removedDaemons = await daemonsOfRemovedPlants(trx, removedPlants, options.force);
  for (const d of removedDaemons) changes.push(`- ${d.kind} ${d.name} (${d.id}) of plant ${d.plant}, removed with its plant (--force)`);

  await ops.run(trx);
  const mirrorable = !structural && removedDaemons.length === 0 && !ops.touchesStructure();
  return { changes, kept, removedDaemons, modelChanges: mirrorable ? modelChanges : null };
}

function mappedAllocator(subnets: ReadonlyArray<{ mapped: string }>, releasedMapped: Ipv4Prefix[], mappedSpace: Ipv4Prefix): MappedSpaceAllocator {
  const released = new Set(releasedMapped.map(formatCidr));
  return new MappedSpaceAllocator(
    mappedSpace,
    subnets.filter((s) => !released.has(s.mapped)).map((s) => cidr(s.mapped)),
  );
}

// ---- current state, read once ----------------------------------------------

async function readCurrent(trx: Trx, onlyOrgs: ReadonlySet<string> | null) {
  const orgs = await trx.selectFrom('organizations').select(['id', 'name']).execute();
  // An impossible id keeps `in (…)` valid when the file lists only new organizations.
  const ids = onlyOrgs ? ['', ...orgs.filter((o) => onlyOrgs.has(o.name)).map((o) => o.id)] : null;
  const plantIds = ids ? trx.selectFrom('plants').select('id').where('org_id', 'in', ids) : null;
  const portfolioIds = ids ? trx.selectFrom('portfolios').select('id').where('org_id', 'in', ids) : null;
  const coopIds = ids ? trx.selectFrom('cooperations').select('id').where('owner_org_id', 'in', ids).where('ended_at', 'is', null) : null;
  const [users, memberships, plants, subnets, devices, portfolios, portfolioPlants, coops, coopPlantRows, coopPortfolioRows, jobRoles] = await Promise.all([
    trx.selectFrom('users').select(['id', 'email', 'name']).execute(),
    (ids ? trx.selectFrom('memberships').selectAll().where('org_id', 'in', ids) : trx.selectFrom('memberships').selectAll()).execute(),
    (ids ? trx.selectFrom('plants').select(['id', 'org_id', 'name']).where('org_id', 'in', ids) : trx.selectFrom('plants').select(['id', 'org_id', 'name'])).execute(),
    // Every mapped prefix: a new subnet's is allocated against all of them.
    trx.selectFrom('subnets').select(['id', 'plant_id', 'cidr', 'mapped']).execute(),
    (plantIds ? trx.selectFrom('devices').selectAll().where('plant_id', 'in', plantIds) : trx.selectFrom('devices').selectAll()).execute(),
    (ids ? trx.selectFrom('portfolios').selectAll().where('org_id', 'in', ids) : trx.selectFrom('portfolios').selectAll()).execute(),
    (portfolioIds ? trx.selectFrom('portfolio_plants').selectAll().where('portfolio_id', 'in', portfolioIds) : trx.selectFrom('portfolio_plants').selectAll()).execute(),
    (ids
      ? trx.selectFrom('cooperations').selectAll().where('ended_at', 'is', null).where('owner_org_id', 'in', ids)
      : trx.selectFrom('cooperations').selectAll().where('ended_at', 'is', null)
    ).execute(),
    (coopIds ? trx.selectFrom('cooperation_plants').selectAll().where('cooperation_id', 'in', coopIds) : trx.selectFrom('cooperation_plants').selectAll()).execute(),
    (coopIds ? trx.selectFrom('cooperation_portfolios').selectAll().where('cooperation_id', 'in', coopIds) : trx.selectFrom('cooperation_portfolios').selectAll()).execute(),
    (plantIds && portfolioIds
      ? trx
          .selectFrom('job_roles')
          .selectAll()
          .where((eb) => eb.or([eb('plant_id', 'in', plantIds), eb('portfolio_id', 'in', portfolioIds)]))
      : trx.selectFrom('job_roles').selectAll()
    ).execute(),
  ]);
  const emailById = new Map(users.map((u) => [u.id, u.email]));
  const plantById = new Map(plants.map((p) => [p.id, p]));
  const portfolioById = new Map(portfolios.map((f) => [f.id, f]));
  const orgNameById = new Map(orgs.map((o) => [o.id, o.name]));
  const subnetsByPlant = Map.groupBy(subnets, (s) => s.plant_id);
  const devicesByPlant = Map.groupBy(devices, (d) => d.plant_id);
  const plantsByPortfolio = Map.groupBy(portfolioPlants, (r) => r.portfolio_id);
  const coopPlants = Map.groupBy(coopPlantRows, (r) => r.cooperation_id);
  const coopPortfolios = Map.groupBy(coopPortfolioRows, (r) => r.cooperation_id);
  type JobRoleRow = (typeof jobRoles)[number];
  const jobRoleOrg = (j: JobRoleRow) => (j.plant_id ? plantById.get(j.plant_id)?.org_id : portfolioById.get(j.portfolio_id as string)?.org_id);
  // Grouped once: a fleet of 10,000 users has ~100,000 job roles, looked up per organization and per cooperation.
  const ownJobRoles = Map.groupBy(
    jobRoles.filter((j) => j.cooperation_id === null),
    (j) => jobRoleOrg(j) ?? '',
  );
  const coopJobRoles = Map.groupBy(
    jobRoles.filter((j) => j.cooperation_id !== null),
    (j) => j.cooperation_id as string,
  );
  const membershipsByOrg = Map.groupBy(memberships, (m) => m.org_id);
  const plantsByOrg = Map.groupBy(plants, (p) => p.org_id);
  const portfoliosByOrg = Map.groupBy(portfolios, (f) => f.org_id);
  const coopsByOwner = Map.groupBy(coops, (c) => c.owner_org_id);
  return {
    users,
    orgs,
    memberships,
    plants,
    subnets,
    portfolios,
    coops,
    jobRoles,
    emailOf: (id: string) => emailById.get(id) ?? id,
    orgName: (id: string) => orgNameById.get(id) ?? id,
    plantName: (id: string) => plantById.get(id)?.name ?? id,
    plantNameOr: (id: string, names: string[], byName: Map<string, string>) => plantById.get(id)?.name ?? names.find((n) => byName.get(n) === id) ?? id,
    portfolioName: (id: string) => portfolioById.get(id)?.name ?? id,
    subnetsOf: (plantId: string) => subnetsByPlant.get(plantId) ?? [],
    devicesOf: (plantId: string) => devicesByPlant.get(plantId) ?? [],
    plantsOfPortfolio: (portfolioId: string) => (plantsByPortfolio.get(portfolioId) ?? []).map((r) => r.plant_id),
    coopPlants: (coopId: string) => (coopPlants.get(coopId) ?? []).map((r) => r.plant_id),
    coopPortfolios: (coopId: string) => (coopPortfolios.get(coopId) ?? []).map((r) => r.portfolio_id),
    membershipsOf: (orgId: string) => membershipsByOrg.get(orgId) ?? [],
    plantsOfOrg: (orgId: string) => plantsByOrg.get(orgId) ?? [],
    portfoliosOfOrg: (orgId: string) => portfoliosByOrg.get(orgId) ?? [],
    coopsOwnedBy: (orgId: string) => coopsByOwner.get(orgId) ?? [],
    ownJobRolesOf: (orgId: string) => ownJobRoles.get(orgId) ?? [],
    coopJobRolesOf: (coopId: string) => coopJobRoles.get(coopId) ?? [],
    targetText: (j: JobRoleRow) =>
      j.plant_id ? `plant ${plantById.get(j.plant_id)?.name ?? j.plant_id}` : `portfolio ${portfolioById.get(j.portfolio_id as string)?.name ?? j.portfolio_id}`,
  };
}


// ---- batched writes: deletes first, then inserts in dependency order, then updates --

type Deletable = 'organizations' | 'plants' | 'subnets' | 'devices' | 'portfolios' | 'job_roles';
type Insertable = keyof Database;
type Executable = { execute(): Promise<unknown> };

const INSERT_ORDER: Insertable[] = [
  'users',
  'organizations',
  'memberships',
  'plants',
  'subnets',
  'devices',
  'portfolios',
  'portfolio_plants',
  'cooperations',
  'cooperation_plants',
  'cooperation_portfolios',
  'job_roles',
];

class Ops {
  private readonly deletes = new Map<Deletable, string[]>();
  private readonly rawDeletes: Executable[] = [];
  private readonly inserts = new Map<Insertable, Record<string, unknown>[]>();
  private readonly updates: Executable[] = [];

  delete(table: Deletable, id: string): void {
    const list = this.deletes.get(table) ?? [];
    list.push(id);
    this.deletes.set(table, list);
  }
  raw(query: Executable): void {
    this.rawDeletes.push(query);
  }
  insert(table: Insertable, row: Record<string, unknown>): void {
    const list = this.inserts.get(table) ?? [];
    list.push(row);
    this.inserts.set(table, list);
  }
  update(query: Executable): void {
    this.updates.push(query);
  }
  /** Whether any insert or delete is of a table other than users, memberships, devices, job roles and subnets (raw deletes: cooperations and their shares). */
  touchesStructure(): boolean {
    // Subnets of existing plants mirror too (a new plant's subnets come with a plant insert, which does not).
    const mirrored = new Set<string>(['users', 'memberships', 'devices', 'job_roles', 'subnets']);
    for (const [table, rows] of this.inserts) if (rows.length > 0 && !mirrored.has(table)) return true;
    for (const [table, ids] of this.deletes) if (ids.length > 0 && !mirrored.has(table)) return true;
    return false;
  }

  async run(trx: Kysely<Database>): Promise<void> {
    for (const query of this.rawDeletes) await query.execute();
    for (const table of ['job_roles', 'devices', 'subnets', 'portfolios', 'plants', 'organizations'] as Deletable[]) {
      for (const ids of chunks(this.deletes.get(table) ?? [], 500)) {
        await trx.deleteFrom(table).where('id', 'in', ids).execute();
      }
    }
    for (const table of INSERT_ORDER) {
      const rows = this.inserts.get(table) ?? [];
      const width = Object.keys(rows[0] ?? { x: 1 }).length;
      for (const batch of chunks(rows, Math.max(1, Math.floor(2000 / width)))) {
        await trx.insertInto(table).values(batch as never).execute();
      }
    }
    for (const query of this.updates) await query.execute();
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
