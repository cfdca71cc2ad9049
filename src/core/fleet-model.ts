import type {
  Cooperation,
  CooperationId,
  JobRole,
  JobRoleId,
  Membership,
  Organization,
  OrgId,
  OrgRole,
  OrgVpn,
  OrgVpnClient,
  OrgVpnClientId,
  OrgVpnId,
  Plant,
  PlantId,
  Portfolio,
  PortfolioId,
  Profile,
  RoutePreference,
  SiteAgent,
  Subnet,
  SubnetId,
  User,
  UserId,
} from './model.ts';

/**
 * The whole fleet in memory, indexed for the two questions the route engine asks
 * often: "what does this user hold?" and "whose routes does this change touch?".
 * Every mutator returns the users whose routes may have moved (the change fan-out),
 * so callers recompute only those.
 */
export class FleetModel {
  readonly users = new Map<UserId, User>();
  readonly organizations = new Map<OrgId, Organization>();
  readonly plants = new Map<PlantId, Plant>();
  readonly portfolios = new Map<PortfolioId, Portfolio>();
  readonly subnets = new Map<SubnetId, Subnet>();
  readonly cooperations = new Map<CooperationId, Cooperation>();
  readonly jobRoles = new Map<JobRoleId, JobRole>();
  /** Active profiles only: a revoked profile has no peer and no routes. */
  readonly profiles = new Map<UserId, Profile>();
  /** Enrolled plant agents: their site-tunnel key and address. */
  readonly agents = new Map<PlantId, SiteAgent>();
  /** Organization VPNs (SPEC O1) and their clients; their routes are computed from the rest (src/core/org-vpn). */
  readonly orgVpns = new Map<OrgVpnId, OrgVpn>();
  readonly orgVpnClients = new Map<OrgVpnClientId, OrgVpnClient>();

  private readonly membershipsByUser = new Map<UserId, Map<OrgId, OrgRole>>();
  private readonly membersByOrg = new Map<OrgId, Set<UserId>>();
  private readonly jobRolesByUser = new Map<UserId, Set<JobRoleId>>();
  private readonly holdersByPlant = new Map<PlantId, Map<UserId, number>>();
  private readonly holdersByPortfolio = new Map<PortfolioId, Map<UserId, number>>();
  private readonly subnetsByPlant = new Map<PlantId, Set<SubnetId>>();
  private readonly plantsByOrg = new Map<OrgId, Set<PlantId>>();
  private readonly portfoliosByPlant = new Map<PlantId, Set<PortfolioId>>();
  private readonly prefsByUser = new Map<UserId, Map<SubnetId, RoutePreference>>();

  // ---- queries -------------------------------------------------------------

  membershipRole(userId: UserId, orgId: OrgId): OrgRole | undefined {
    return this.membershipsByUser.get(userId)?.get(orgId);
  }

  membershipsOf(userId: UserId): ReadonlyMap<OrgId, OrgRole> {
    return this.membershipsByUser.get(userId) ?? EMPTY_MAP;
  }

  membersOf(orgId: OrgId): ReadonlySet<UserId> {
    return this.membersByOrg.get(orgId) ?? EMPTY_SET;
  }

  jobRolesOf(userId: UserId): JobRole[] {
    const ids = this.jobRolesByUser.get(userId);
    if (!ids) return [];
    const out: JobRole[] = [];
    for (const id of ids) out.push(this.jobRoles.get(id) as JobRole);
    return out;
  }

  subnetsOf(plantId: PlantId): Subnet[] {
    const ids = this.subnetsByPlant.get(plantId);
    if (!ids) return [];
    const out: Subnet[] = [];
    for (const id of ids) out.push(this.subnets.get(id) as Subnet);
    return out;
  }

  plantsOf(orgId: OrgId): ReadonlySet<PlantId> {
    return this.plantsByOrg.get(orgId) ?? EMPTY_SET;
  }

  portfoliosContaining(plantId: PlantId): ReadonlySet<PortfolioId> {
    return this.portfoliosByPlant.get(plantId) ?? EMPTY_SET;
  }

  preferencesOf(userId: UserId): ReadonlyMap<SubnetId, RoutePreference> {
    return this.prefsByUser.get(userId) ?? EMPTY_MAP;
  }

  /** Users holding a job role whose target covers the plant (directly or through a portfolio). */
  holdersOfPlant(plantId: PlantId): Set<UserId> {
    const out = new Set<UserId>(this.holdersByPlant.get(plantId)?.keys() ?? []);
    for (const portfolioId of this.portfoliosContaining(plantId)) {
      for (const userId of this.holdersByPortfolio.get(portfolioId)?.keys() ?? []) out.add(userId);
    }
    return out;
  }

  cooperationCovers(cooperation: Cooperation, plantId: PlantId): boolean {
    if (cooperation.plantIds.includes(plantId)) return true;
    const containing = this.portfoliosContaining(plantId);
    return cooperation.portfolioIds.some((id) => containing.has(id));
  }

  // ---- mutations (each returns the users whose routes may have moved) -------

  putUser(user: User): Set<UserId> {
    this.users.set(user.id, user);
    return new Set();
  }

  putOrganization(org: Organization): Set<UserId> {
    this.organizations.set(org.id, org);
    return new Set();
  }

  /** Removes an organization that has no plants, portfolios or members left. */
  removeOrganization(orgId: OrgId): Set<UserId> {
    this.organizations.delete(orgId);
    return new Set();
  }

  setMembership(membership: Membership): Set<UserId> {
    const byOrg = getOrCreate(this.membershipsByUser, membership.userId, () => new Map<OrgId, OrgRole>());
    byOrg.set(membership.orgId, membership.role);
    addTo(this.membersByOrg, membership.orgId, membership.userId);
    return new Set([membership.userId]);
  }

  removeMembership(userId: UserId, orgId: OrgId): Set<UserId> {
    this.membershipsByUser.get(userId)?.delete(orgId);
    this.membersByOrg.get(orgId)?.delete(userId);
    return new Set([userId]);
  }

  putPlant(plant: Plant): Set<UserId> {
    this.plants.set(plant.id, plant);
    addTo(this.plantsByOrg, plant.orgId, plant.id);
    return this.holdersOfPlant(plant.id);
  }

  /** Removes the plant with its subnets; job roles and portfolio entries pointing at it must be removed first. */
  removePlant(plantId: PlantId): Set<UserId> {
    const affected = this.holdersOfPlant(plantId);
    for (const subnetId of [...(this.subnetsByPlant.get(plantId) ?? [])]) this.removeSubnet(subnetId);
    const plant = this.plants.get(plantId);
    if (plant) this.plantsByOrg.get(plant.orgId)?.delete(plantId);
    this.plants.delete(plantId);
    this.subnetsByPlant.delete(plantId);
    return affected;
  }

  putSubnet(subnet: Subnet): Set<UserId> {
    this.subnets.set(subnet.id, subnet);
    addTo(this.subnetsByPlant, subnet.plantId, subnet.id);
    return this.holdersOfPlant(subnet.plantId);
  }

  removeSubnet(subnetId: SubnetId): Set<UserId> {
    const subnet = this.subnets.get(subnetId);
    if (!subnet) return new Set();
    this.subnets.delete(subnetId);
    this.subnetsByPlant.get(subnet.plantId)?.delete(subnetId);
    const affected = this.holdersOfPlant(subnet.plantId);
    for (const [userId, prefs] of this.prefsByUser) if (prefs.delete(subnetId)) affected.add(userId);
    return affected;
  }

  putPortfolio(portfolio: Portfolio): Set<UserId> {
    const before = this.portfolios.get(portfolio.id);
    const affected = new Set<UserId>(this.holdersByPortfolio.get(portfolio.id)?.keys() ?? []);
    // Plants moving in or out of a portfolio change cooperation coverage too.
    const touched = new Set<PlantId>([...(before?.plantIds ?? []), ...portfolio.plantIds]);
    for (const plantId of before?.plantIds ?? []) this.portfoliosByPlant.get(plantId)?.delete(portfolio.id);
    for (const plantId of portfolio.plantIds) addTo(this.portfoliosByPlant, plantId, portfolio.id);
    this.portfolios.set(portfolio.id, portfolio);
    for (const cooperation of this.cooperations.values()) {
      if (!cooperation.portfolioIds.includes(portfolio.id)) continue;
      for (const plantId of touched) for (const userId of this.holdersByPlant.get(plantId)?.keys() ?? []) affected.add(userId);
    }
    return affected;
  }

  removePortfolio(portfolioId: PortfolioId): Set<UserId> {
    const portfolio = this.portfolios.get(portfolioId);
    if (!portfolio) return new Set();
    const affected = this.putPortfolio({ ...portfolio, plantIds: [] });
    this.portfolios.delete(portfolioId);
    this.holdersByPortfolio.delete(portfolioId);
    return affected;
  }

  putCooperation(cooperation: Cooperation): Set<UserId> {
    this.cooperations.set(cooperation.id, cooperation);
    return this.holdersWithin(cooperation.id);
  }

  removeCooperation(cooperationId: CooperationId): Set<UserId> {
    const affected = this.holdersWithin(cooperationId);
    this.cooperations.delete(cooperationId);
    return affected;
  }

  putJobRole(jobRole: JobRole): Set<UserId> {
    const previous = this.jobRoles.get(jobRole.id);
    if (previous) this.removeJobRole(previous.id);
    this.jobRoles.set(jobRole.id, jobRole);
    addTo(this.jobRolesByUser, jobRole.userId, jobRole.id);
    countTarget(this.targetIndex(jobRole), targetKey(jobRole), jobRole.userId, +1);
    return new Set([jobRole.userId]);
  }

  removeJobRole(jobRoleId: JobRoleId): Set<UserId> {
    const jobRole = this.jobRoles.get(jobRoleId);
    if (!jobRole) return new Set();
    this.jobRoles.delete(jobRoleId);
    this.jobRolesByUser.get(jobRole.userId)?.delete(jobRoleId);
    countTarget(this.targetIndex(jobRole), targetKey(jobRole), jobRole.userId, -1);
    return new Set([jobRole.userId]);
  }

  setPreference(preference: RoutePreference): Set<UserId> {
    const prefs = getOrCreate(this.prefsByUser, preference.userId, () => new Map<SubnetId, RoutePreference>());
    prefs.set(preference.subnetId, preference);
    return new Set([preference.userId]);
  }

  clearPreference(userId: UserId, subnetId: SubnetId): Set<UserId> {
    this.prefsByUser.get(userId)?.delete(subnetId);
    return new Set([userId]);
  }

  setAgent(plantId: PlantId, agent: SiteAgent | null): Set<UserId> {
    if (agent) this.agents.set(plantId, agent);
    else this.agents.delete(plantId);
    return new Set();
  }

  setProfile(userId: UserId, profile: Profile | null): Set<UserId> {
    if (profile) this.profiles.set(userId, profile);
    else this.profiles.delete(userId);
    return new Set([userId]);
  }

  /** Organization VPNs change no user's routes: their clients are recomputed on every write (src/core/state/gateway-state.ts). */
  putOrgVpn(vpn: OrgVpn): Set<UserId> {
    this.orgVpns.set(vpn.id, vpn);
    return new Set();
  }

  /** Removes the VPN with its clients. */
  removeOrgVpn(vpnId: OrgVpnId): Set<UserId> {
    this.orgVpns.delete(vpnId);
    for (const [id, client] of this.orgVpnClients) if (client.vpnId === vpnId) this.orgVpnClients.delete(id);
    return new Set();
  }

  putOrgVpnClient(client: OrgVpnClient): Set<UserId> {
    this.orgVpnClients.set(client.id, client);
    return new Set();
  }

  removeOrgVpnClient(clientId: OrgVpnClientId): Set<UserId> {
    this.orgVpnClients.delete(clientId);
    return new Set();
  }

  private holdersWithin(cooperationId: CooperationId): Set<UserId> {
    const out = new Set<UserId>();
    for (const jobRole of this.jobRoles.values()) if (jobRole.cooperationId === cooperationId) out.add(jobRole.userId);
    return out;
  }

  private targetIndex(jobRole: JobRole): Map<string, Map<UserId, number>> {
    return (jobRole.target.kind === 'plant' ? this.holdersByPlant : this.holdersByPortfolio) as Map<string, Map<UserId, number>>;
  }
}

const EMPTY_MAP: ReadonlyMap<never, never> = new Map<never, never>();
const EMPTY_SET: ReadonlySet<never> = new Set();

function targetKey(jobRole: JobRole): string {
  return jobRole.target.kind === 'plant' ? jobRole.target.plantId : jobRole.target.portfolioId;
}

function getOrCreate<K, V>(index: Map<K, V>, key: K, create: () => V): V {
  let value = index.get(key);
  if (value === undefined) {
    value = create();
    index.set(key, value);
  }
  return value;
}

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  getOrCreate(index, key, () => new Set<V>()).add(value);
}

function countTarget(index: Map<string, Map<UserId, number>>, key: string, userId: UserId, delta: number): void {
  const counts = getOrCreate(index, key, () => new Map<UserId, number>());
  const next = (counts.get(userId) ?? 0) + delta;
  if (next > 0) counts.set(userId, next);
  else counts.delete(userId);
}
