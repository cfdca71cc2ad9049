import { FleetModel } from '../src/core/fleet-model.ts';
import type {
  Cooperation,
  CooperationId,
  JobRole,
  JobRoleId,
  JobRoleName,
  Membership,
  OrgId,
  OrgRole,
  Organization,
  Plant,
  PlantId,
  Portfolio,
  PortfolioId,
  Profile,
  ProfileId,
  RoutePreference,
  SiteAgent,
  Subnet,
  SubnetId,
  User,
  UserId,
} from '../src/core/model.ts';
import { type Ipv4Prefix, cidr, formatCidr, formatIpv4, parseIpv4 } from '../src/core/net/ipv4.ts';
import { MappedSpaceAllocator } from '../src/core/net/mapped-prefix.ts';
import { type Rng, createRng } from './rng.ts';

/**
 * A deterministic, realistic fleet for benchmarks (B1, B2, later B8): the same seed
 * and options always give the same fleet, record for record.
 *
 * Shape (scale 1): 10,000 users, 5,000 plants with 2 subnets each, 50 organizations
 * of skewed size (a few with hundreds of plants), portfolios per organization, every
 * org role and job role kind, 500 cooperations with (mostly operator) job roles,
 * some route preferences, an active profile for most users and an agent for most plants.
 * A third of the subnets sit on a few common ranges (192.168.1.0/24 …) and so overlap
 * across plants; the rest are unique, /24 to /28.
 */
export type FleetOptions = {
  seed: number;
  /** Multiplies users, plants, organizations and cooperations (1 → 10k/5k/50/500). */
  scale: number;
  users?: number;
  plants?: number;
  organizations?: number;
  cooperations?: number;
  subnetsPerPlant?: number;
  /** Defaults to the smallest of MAPPED_SPACES that holds the fleet (see mappedSpaceFor). */
  mappedSpace?: string;
};

export type GeneratedFleet = {
  options: Required<FleetOptions>;
  tunnelRange: string;
  serviceTunnelIp: string;
  users: User[];
  organizations: Organization[];
  memberships: Membership[];
  plants: Plant[];
  subnets: Subnet[];
  portfolios: Portfolio[];
  cooperations: Cooperation[];
  jobRoles: JobRole[];
  preferences: RoutePreference[];
  profiles: Profile[];
  agents: Array<{ plantId: PlantId; agent: SiteAgent }>;
};

/** The fleet file (YAML/JSON) shape that seeds a server through its API (B8). */
export type FleetFile = {
  users: Array<{ email: string; name: string; password: string }>;
  organizations: Array<{
    name: string;
    members: Array<{ email: string; role: OrgRole }>;
    portfolios: Array<{ name: string; plants: string[] }>;
    plants: Array<{ name: string; subnets: string[]; devices: Array<{ name: string; ip: string; kind: string }> }>;
    jobRoles: FleetFileJobRole[];
    cooperations: Array<{ partner: string; plants: string[]; portfolios: string[]; jobRoles: FleetFileJobRole[] }>;
  }>;
};
export type FleetFileJobRole = ({ user: string; plant: string } | { user: string; portfolio: string }) & { role: JobRoleName };

/** The common ranges a third of all plant subnets use (relative frequency). */
export const COMMON_RANGES: Readonly<Record<string, number>> = {
  '192.168.1.0/24': 40,
  '192.168.0.0/24': 30,
  '10.0.0.0/24': 20,
  '192.168.178.0/24': 10,
};

/**
 * Candidate mapped spaces, smallest first. The product default 100.80.0.0/12 holds
 * 4,096 /24s; a scale-1 fleet needs ~7,000 /24-equivalents, so the benchmark uses
 * 100.96.0.0/11 (8,192), and 10.128.0.0/9 (32,768) when that is not enough. Unique
 * plant subnets are drawn from 10.1–10.127, 172.16/12 and 192.168.2–255, never from these.
 * A scale-10 fleet (100,000 users, 50,000 plants, ~70,000 /24-equivalents) needs a /7:
 * 64.0.0.0/7 (131,072 /24s), then 64.0.0.0/6 for larger experiments.
 */
export const MAPPED_SPACES = ['100.80.0.0/12', '100.96.0.0/11', '10.128.0.0/9', '64.0.0.0/7', '64.0.0.0/6'] as const;

export const TUNNEL_RANGE = '100.64.0.0/12';

const JOB_ROLE_WEIGHTS: Record<JobRoleName, number> = { operator: 35, 'technical-manager': 25, 'asset-manager': 20, viewer: 20 };
const ORG_ROLE_WEIGHTS: Record<OrgRole, number> = { admin: 3, moderator: 5, member: 80, guest: 12 };
const UNIQUE_LENGTH_WEIGHTS: Record<'24' | '25' | '26' | '27' | '28', number> = { 24: 40, 25: 15, 26: 15, 27: 15, 28: 15 };
const DEVICE_KINDS = ['inverter', 'datalogger', 'meter', 'weather-station', 'scada'] as const;

export function defaultOptions(partial: Partial<FleetOptions> = {}): Required<FleetOptions> {
  const scale = partial.scale ?? 1;
  return {
    seed: partial.seed ?? 1,
    scale,
    users: partial.users ?? 10_000 * scale,
    plants: partial.plants ?? 5_000 * scale,
    organizations: partial.organizations ?? 50 * scale,
    cooperations: partial.cooperations ?? 500 * scale,
    subnetsPerPlant: partial.subnetsPerPlant ?? 2,
    mappedSpace: partial.mappedSpace ?? '',
  };
}

export function generateFleet(partial: Partial<FleetOptions> = {}): GeneratedFleet {
  const options = defaultOptions(partial);
  const rng = createRng(options.seed);
  const organizations = makeOrganizations(options);
  const orgWeights = organizations.map(() => Math.exp(0.8 * rng.normal()));
  const plants = makePlants(rng, options, organizations, orgWeights);
  const subnetPrefixes = makeSubnetPrefixes(rng, options, plants);
  const mappedSpace = options.mappedSpace || mappedSpaceFor(subnetPrefixes.map((p) => p.prefix));
  options.mappedSpace = mappedSpace;
  const subnets = allocateMapped(subnetPrefixes, mappedSpace);
  const plantsByOrg = groupBy(plants, (p) => p.orgId);
  const portfolios = makePortfolios(rng, organizations, plantsByOrg);
  const { users, memberships, homeOrg } = makeUsers(rng, options, organizations, orgWeights);
  const ctx = { rng, plantsByOrg, portfoliosByOrg: groupBy(portfolios, (p) => p.orgId), jobRoles: [] as JobRole[], seen: new Set<string>() };
  makeOwnJobRoles(ctx, users, memberships, homeOrg);
  const cooperations = makeCooperations(ctx, options, organizations, memberships);
  const profiles = makeProfiles(rng, users);
  const preferences = makePreferences(rng, profiles, ctx.jobRoles, subnets, portfolios);
  const agents = plants.filter(() => rng.chance(0.9)).map((plant, i) => ({
    plantId: plant.id,
    agent: { publicKey: fakeKey(rng), tunnelIp: (parseIpv4('100.72.0.2') as number) + i },
  }));
  return {
    options,
    tunnelRange: TUNNEL_RANGE,
    serviceTunnelIp: '100.64.0.1',
    users,
    organizations,
    memberships,
    plants,
    subnets,
    portfolios,
    cooperations,
    jobRoles: ctx.jobRoles,
    preferences,
    profiles,
    agents,
  };
}

/** Loads the generated records into a FleetModel through its ordinary mutators. */
export function buildModel(fleet: GeneratedFleet): FleetModel {
  const model = new FleetModel();
  for (const user of fleet.users) model.putUser(user);
  for (const org of fleet.organizations) model.putOrganization(org);
  for (const m of fleet.memberships) model.setMembership(m);
  for (const plant of fleet.plants) model.putPlant(plant);
  for (const subnet of fleet.subnets) model.putSubnet(subnet);
  for (const portfolio of fleet.portfolios) model.putPortfolio(portfolio);
  for (const cooperation of fleet.cooperations) model.putCooperation(cooperation);
  for (const jobRole of fleet.jobRoles) model.putJobRole(jobRole);
  for (const preference of fleet.preferences) model.setPreference(preference);
  for (const profile of fleet.profiles) model.setProfile(profile.userId, profile);
  for (const { plantId, agent } of fleet.agents) model.setAgent(plantId, agent);
  return model;
}

/**
 * The fleet as a fleet file (plain object, ready for YAML or JSON). Cooperations are
 * listed under their owner organization; devices and passwords are generated here
 * from their own seeded stream, so they do not shift the rest of the fleet.
 * Profiles, preferences and inactive cooperations have no place in a fleet file.
 */
export function toFleetFile(fleet: GeneratedFleet): FleetFile {
  const rng = createRng(fleet.options.seed ^ 0x5eed_f11e);
  const users = new Map(fleet.users.map((u) => [u.id, u]));
  const plants = new Map(fleet.plants.map((p) => [p.id, p]));
  const portfolios = new Map(fleet.portfolios.map((p) => [p.id, p]));
  const email = (id: UserId): string => (users.get(id) as User).email;
  const plantName = (id: PlantId): string => (plants.get(id) as Plant).name;
  const portfolioName = (id: PortfolioId): string => (portfolios.get(id) as Portfolio).name;
  const jobRoleEntry = (jr: JobRole): FleetFileJobRole =>
    jr.target.kind === 'plant'
      ? { user: email(jr.userId), plant: plantName(jr.target.plantId), role: jr.role }
      : { user: email(jr.userId), portfolio: portfolioName(jr.target.portfolioId), role: jr.role };
  const subnetsByPlant = groupBy(fleet.subnets, (s) => s.plantId);
  const membersByOrg = groupBy(fleet.memberships, (m) => m.orgId);
  const portfoliosByOrg = groupBy(fleet.portfolios, (p) => p.orgId);
  const plantsByOrg = groupBy(fleet.plants, (p) => p.orgId);
  const coopsByOwner = groupBy(fleet.cooperations.filter((c) => c.active), (c) => c.ownerOrgId);
  const ownJobRolesByOrg = new Map<OrgId, JobRole[]>();
  const coopJobRoles = groupBy(fleet.jobRoles.filter((jr) => jr.cooperationId !== null), (jr) => jr.cooperationId as CooperationId);
  for (const jr of fleet.jobRoles) {
    if (jr.cooperationId !== null) continue;
    const orgId = jr.target.kind === 'plant' ? (plants.get(jr.target.plantId) as Plant).orgId : (portfolios.get(jr.target.portfolioId) as Portfolio).orgId;
    push(ownJobRolesByOrg, orgId, jr);
  }
  const orgNames = new Map(fleet.organizations.map((o) => [o.id, o.name]));
  return {
    users: fleet.users.map((u) => ({ email: u.email, name: u.name, password: password(rng) })),
    organizations: fleet.organizations.map((org) => ({
      name: org.name,
      members: (membersByOrg.get(org.id) ?? []).map((m) => ({ email: email(m.userId), role: m.role })),
      portfolios: (portfoliosByOrg.get(org.id) ?? []).map((p) => ({ name: p.name, plants: p.plantIds.map(plantName) })),
      plants: (plantsByOrg.get(org.id) ?? []).map((plant) => {
        const subnets = subnetsByPlant.get(plant.id) ?? [];
        return { name: plant.name, subnets: subnets.map((s) => formatCidr(s.prefix)), devices: devicesOf(rng, plant, subnets[0]?.prefix) };
      }),
      jobRoles: (ownJobRolesByOrg.get(org.id) ?? []).map(jobRoleEntry),
      cooperations: (coopsByOwner.get(org.id) ?? []).map((c) => ({
        partner: orgNames.get(c.partnerOrgId) as string,
        plants: c.plantIds.map(plantName),
        portfolios: c.portfolioIds.map(portfolioName),
        jobRoles: (coopJobRoles.get(c.id) ?? []).map(jobRoleEntry),
      })),
    })),
  };
}

/**
 * The generator can draw two active cooperations between one owner and one partner;
 * a fleet file allows one per pair. Merge them (plants, portfolios, job roles; the first
 * job role of a user on a target wins) so the file validates. Returns how many were merged.
 */
export function mergeCooperations(file: FleetFile): number {
  let merged = 0;
  for (const org of file.organizations) {
    const byPartner = new Map<string, FleetFile['organizations'][number]['cooperations'][number]>();
    for (const coop of org.cooperations) {
      const first = byPartner.get(coop.partner);
      if (!first) {
        byPartner.set(coop.partner, coop);
        continue;
      }
      merged++;
      first.plants = [...new Set([...first.plants, ...coop.plants])];
      first.portfolios = [...new Set([...first.portfolios, ...coop.portfolios])];
      const key = (jr: FleetFileJobRole) => `${jr.user}|${'plant' in jr ? jr.plant : ''}|${'portfolio' in jr ? jr.portfolio : ''}`;
      const seen = new Set(first.jobRoles.map(key));
      for (const jr of coop.jobRoles) {
        if (seen.has(key(jr))) continue;
        seen.add(key(jr));
        first.jobRoles.push(jr);
      }
    }
    org.cooperations = [...byPartner.values()];
  }
  return merged;
}

/** The smallest candidate mapped space whose size holds every prefix (with 10% slack for fragmentation). */
export function mappedSpaceFor(prefixes: readonly Ipv4Prefix[]): string {
  let needed = 0;
  for (const p of prefixes) needed += 2 ** (32 - p.length);
  for (const space of MAPPED_SPACES) if (2 ** (32 - cidr(space).length) >= needed * 1.1) return space;
  throw new Error(`no candidate mapped space holds ${needed} addresses`);
}

// ---- organizations and plants ------------------------------------------------

function makeOrganizations(options: Required<FleetOptions>): Organization[] {
  const out: Organization[] = [];
  for (let i = 1; i <= options.organizations; i++) {
    const id = `org-${pad(i, 3)}` as OrgId;
    out.push({ id, name: `org-${pad(i, 3)}` });
  }
  return out;
}

/** Every organization gets at least one plant; the rest follow the skewed org weights. */
function makePlants(rng: Rng, options: Required<FleetOptions>, orgs: Organization[], weights: number[]): Plant[] {
  const chooseOrg = weightedIndex(weights);
  const out: Plant[] = [];
  for (let i = 1; i <= options.plants; i++) {
    const org = (i <= orgs.length ? orgs[i - 1] : orgs[chooseOrg(rng.next())]) as Organization;
    const kind = rng.chance(0.7) ? 'solar' : 'wind';
    out.push({ id: `p-${pad(i, 5)}` as PlantId, orgId: org.id, name: `${kind}-${pad(i, 5)}` });
  }
  return out;
}

type PlannedSubnet = { id: SubnetId; plantId: PlantId; prefix: Ipv4Prefix };

/** Exactly a third of all subnets on a common range (never the same one twice on one plant); the rest unique. */
function makeSubnetPrefixes(rng: Rng, options: Required<FleetOptions>, plants: Plant[]): PlannedSubnet[] {
  const total = plants.length * options.subnetsPerPlant;
  const common = rng.shuffle(Array.from({ length: total }, (_, i) => i < Math.floor(total / 3)));
  const slots = uniqueSlots(rng);
  let nextSlot = 0;
  const out: PlannedSubnet[] = [];
  plants.forEach((plant, p) => {
    const used = new Set<string>();
    for (let k = 0; k < options.subnetsPerPlant; k++) {
      let prefix: Ipv4Prefix;
      if (common[p * options.subnetsPerPlant + k] && used.size < Object.keys(COMMON_RANGES).length) {
        let text = rng.weighted(COMMON_RANGES);
        while (used.has(text)) text = rng.weighted(COMMON_RANGES);
        used.add(text);
        prefix = cidr(text);
      } else {
        if (nextSlot === slots.length) slots.push(...extraSlots(rng));
        const start = slots[nextSlot++];
        if (start === undefined) throw new Error('ran out of unique subnet slots');
        prefix = { start, length: Number(rng.weighted(UNIQUE_LENGTH_WEIGHTS)) };
      }
      out.push({ id: `${plant.id}/s${k}` as SubnetId, plantId: plant.id, prefix });
    }
  });
  return out;
}

/** Shuffled /24-aligned slots outside the common ranges and outside every candidate mapped space. */
function uniqueSlots(rng: Rng): number[] {
  const slots: number[] = [];
  const add = (base: string, count: number): void => {
    const start = parseIpv4(base) as number;
    for (let i = 0; i < count; i++) slots.push(start + i * 256);
  };
  add('10.1.0.0', 127 * 256); // 10.1.0.0 – 10.127.255.0
  add('172.16.0.0', 16 * 256); // 172.16/12
  add('192.168.2.0', 254); // 192.168.2–255
  const common = new Set(Object.keys(COMMON_RANGES).map((t) => cidr(t).start));
  return rng.shuffle(slots.filter((s) => !common.has(s)));
}

/**
 * More /24 slots for fleets beyond scale 3 (20.0.0.0/9, outside the common ranges and every
 * candidate mapped space). Drawn only once the first slots run out, so smaller fleets stay
 * exactly as they were generated before.
 */
function extraSlots(rng: Rng): number[] {
  const start = parseIpv4('20.0.0.0') as number;
  return rng.shuffle(Array.from({ length: 128 * 256 }, (_, i) => start + i * 256));
}

function allocateMapped(planned: PlannedSubnet[], mappedSpace: string): Subnet[] {
  const allocator = new MappedSpaceAllocator(cidr(mappedSpace), []);
  // Largest first, as a migration of an existing fleet would: keeps the buddy space tight.
  const order = planned.map((_, i) => i).sort((a, b) => (planned[a] as PlannedSubnet).prefix.length - (planned[b] as PlannedSubnet).prefix.length || a - b);
  const mapped: Ipv4Prefix[] = new Array(planned.length);
  for (const i of order) {
    const result = allocator.allocate((planned[i] as PlannedSubnet).prefix.length);
    if (!result.ok) throw new Error(result.message);
    mapped[i] = result.prefix;
  }
  return planned.map((s, i) => ({ ...s, mapped: mapped[i] as Ipv4Prefix }));
}

/**
 * Per organization: "area" portfolios of 5–30 plants covering every plant, a
 * "region" portfolio of about half the plants for organizations with 60+ plants,
 * and an "all plants" portfolio (the big ones admins and lead operators hold).
 */
function makePortfolios(rng: Rng, orgs: Organization[], plantsByOrg: Map<OrgId, Plant[]>): Portfolio[] {
  const out: Portfolio[] = [];
  for (const org of orgs) {
    const plantIds = (plantsByOrg.get(org.id) ?? []).map((p) => p.id);
    const shuffled = rng.shuffle([...plantIds]);
    let n = 0;
    for (let at = 0; at < shuffled.length; ) {
      const size = rng.int(5, 30);
      out.push({ id: `${org.id}/area-${++n}` as PortfolioId, orgId: org.id, name: `${org.name} area ${n}`, plantIds: shuffled.slice(at, at + size) });
      at += size;
    }
    if (plantIds.length >= 60) {
      const region = rng.shuffle([...plantIds]).slice(0, Math.round(plantIds.length * (0.4 + 0.2 * rng.next())));
      out.push({ id: `${org.id}/region` as PortfolioId, orgId: org.id, name: `${org.name} region`, plantIds: region });
    }
    out.push({ id: `${org.id}/all` as PortfolioId, orgId: org.id, name: `${org.name} all plants`, plantIds });
  }
  return out;
}

// ---- users, memberships, job roles --------------------------------------------

function makeUsers(rng: Rng, options: Required<FleetOptions>, orgs: Organization[], weights: number[]) {
  const chooseOrg = weightedIndex(weights);
  const users: User[] = [];
  const memberships: Membership[] = [];
  const homeOrg: OrgId[] = [];
  for (let i = 1; i <= options.users; i++) {
    const org = (i <= orgs.length ? orgs[i - 1] : orgs[chooseOrg(rng.next())]) as Organization;
    const id = `u-${pad(i, 5)}` as UserId;
    users.push({ id, email: `u${pad(i, 5)}@${org.name}.example.test`, name: `User ${pad(i, 5)}`, platformOperator: false });
    // The first user of each organization is its admin; the rest follow the role mix.
    memberships.push({ orgId: org.id, userId: id, role: i <= orgs.length ? 'admin' : rng.weighted(ORG_ROLE_WEIGHTS) });
    homeOrg.push(org.id);
    // Consultants and service staff: also a member or guest of a second organization.
    if (rng.chance(0.08)) {
      const other = rng.pick(orgs);
      if (other.id !== org.id) memberships.push({ orgId: other.id, userId: id, role: rng.chance(0.5) ? 'guest' : 'member' });
    }
  }
  return { users, memberships, homeOrg };
}

type JobRoleContext = {
  rng: Rng;
  plantsByOrg: Map<OrgId, Plant[]>;
  portfoliosByOrg: Map<OrgId, Portfolio[]>;
  jobRoles: JobRole[];
  seen: Set<string>;
};

/**
 * Most users hold 1–10 job roles on single plants or area portfolios (a handful to a
 * few dozen plants); ~2% (admins, moderators, lead operators) hold operator or
 * technical manager on a region or all-plants portfolio (hundreds in big orgs); ~5% hold none.
 */
function makeOwnJobRoles(ctx: JobRoleContext, users: User[], memberships: Membership[], homeOrg: OrgId[]): void {
  const { rng } = ctx;
  const roleOf = new Map(memberships.map((m) => [`${m.userId}|${m.orgId}`, m.role]));
  users.forEach((user, i) => {
    const orgId = homeOrg[i] as OrgId;
    const orgRole = roleOf.get(`${user.id}|${orgId}`);
    const plants = ctx.plantsByOrg.get(orgId) ?? [];
    const portfolios = ctx.portfoliosByOrg.get(orgId) ?? [];
    if (plants.length === 0) return;
    const big = orgRole === 'admin' || orgRole === 'moderator' ? rng.chance(0.2) : rng.chance(0.005);
    if (big) {
      const wide = portfolios.filter((p) => !p.id.includes('/area-'));
      addJobRole(ctx, user.id, { kind: 'portfolio', portfolioId: rng.pick(wide).id }, rng.chance(0.6) ? 'operator' : 'technical-manager', null);
    }
    if (rng.chance(0.05)) return;
    const areas = portfolios.filter((p) => p.id.includes('/area-'));
    const count = 1 + Math.min(9, Math.floor(-Math.log(1 - rng.next()) * 2));
    for (let k = 0; k < count; k++) {
      const target =
        rng.chance(0.65) || areas.length === 0
          ? ({ kind: 'plant', plantId: rng.pick(plants).id } as const)
          : ({ kind: 'portfolio', portfolioId: rng.pick(areas).id } as const);
      addJobRole(ctx, user.id, target, rng.weighted(JOB_ROLE_WEIGHTS), null);
    }
  });
}

/**
 * Cooperations: an owner shares 1–10 plants and sometimes 1–2 area portfolios with a
 * partner; 1–4 members of the partner get job roles within it, mostly operator
 * (the only one that opens a route). 5% have ended.
 */
function makeCooperations(ctx: JobRoleContext, options: Required<FleetOptions>, orgs: Organization[], memberships: Membership[]): Cooperation[] {
  const { rng } = ctx;
  const membersOf = groupBy(memberships, (m) => m.orgId);
  const out: Cooperation[] = [];
  for (let i = 1; i <= options.cooperations; i++) {
    const owner = rng.pick(orgs);
    let partner = rng.pick(orgs);
    while (partner.id === owner.id) partner = rng.pick(orgs);
    const ownerPlants = ctx.plantsByOrg.get(owner.id) ?? [];
    const areas = (ctx.portfoliosByOrg.get(owner.id) ?? []).filter((p) => p.id.includes('/area-'));
    const plantIds = [...new Set(Array.from({ length: rng.int(1, 10) }, () => rng.pick(ownerPlants).id))];
    const portfolioIds = rng.chance(0.5) && areas.length > 0 ? [...new Set(Array.from({ length: rng.int(1, 2) }, () => rng.pick(areas).id))] : [];
    const cooperation: Cooperation = {
      id: `c-${pad(i, 4)}` as CooperationId,
      ownerOrgId: owner.id,
      partnerOrgId: partner.id,
      plantIds,
      portfolioIds,
      active: !rng.chance(0.05),
    };
    out.push(cooperation);
    const candidates = membersOf.get(partner.id) ?? [];
    for (let k = rng.int(1, 4); k > 0 && candidates.length > 0; k--) {
      const member = rng.pick(candidates);
      const target =
        portfolioIds.length > 0 && rng.chance(0.4)
          ? ({ kind: 'portfolio', portfolioId: rng.pick(portfolioIds) } as const)
          : ({ kind: 'plant', plantId: rng.pick(plantIds) } as const);
      const role: JobRoleName = rng.chance(0.85) ? 'operator' : rng.pick(['technical-manager', 'viewer'] as const);
      addJobRole(ctx, member.userId, target, role, cooperation.id);
    }
  }
  return out;
}

function addJobRole(ctx: JobRoleContext, userId: UserId, target: JobRole['target'], role: JobRoleName, cooperationId: CooperationId | null): void {
  const key = `${userId}|${target.kind === 'plant' ? target.plantId : target.portfolioId}|${cooperationId ?? ''}`;
  if (ctx.seen.has(key)) return;
  ctx.seen.add(key);
  ctx.jobRoles.push({ id: `j-${pad(ctx.jobRoles.length + 1, 6)}` as JobRoleId, userId, target, role, cooperationId });
}

// ---- profiles, preferences ------------------------------------------------------

/** 85% of users have an active profile; tunnel IPs from 100.64.0.2 up (100.64.0.1 is the gateway). */
function makeProfiles(rng: Rng, users: User[]): Profile[] {
  const base = parseIpv4('100.64.0.2') as number;
  const out: Profile[] = [];
  for (const user of users) {
    if (!rng.chance(0.85)) continue;
    out.push({ id: `pr-${user.id.slice(2)}` as ProfileId, userId: user.id, publicKey: fakeKey(rng), tunnelIp: base + out.length });
  }
  return out;
}

/**
 * ~6% of users with a profile have chosen something: a priority for a common-range
 * subnet of a plant they hold a job role on (the reason the feature exists), or a
 * route switched off.
 */
function makePreferences(rng: Rng, profiles: Profile[], jobRoles: JobRole[], subnets: Subnet[], portfolios: Portfolio[]): RoutePreference[] {
  const rolesByUser = groupBy(jobRoles, (jr) => jr.userId);
  const subnetsByPlant = groupBy(subnets, (s) => s.plantId);
  const portfolioPlants = new Map(portfolios.map((p) => [p.id, p.plantIds]));
  const out: RoutePreference[] = [];
  for (const profile of profiles) {
    const roles = rolesByUser.get(profile.userId);
    if (!roles || !rng.chance(0.06)) continue;
    const jr = rng.pick(roles);
    const plantIds = jr.target.kind === 'plant' ? [jr.target.plantId] : (portfolioPlants.get(jr.target.portfolioId) ?? []);
    const candidates = plantIds.flatMap((id) => subnetsByPlant.get(id) ?? []);
    if (candidates.length === 0) continue;
    const subnet = rng.pick(candidates);
    out.push({ userId: profile.userId, subnetId: subnet.id, kind: rng.chance(0.7) ? 'priority' : 'disabled', seq: out.length + 1 });
  }
  return out;
}

// ---- fleet file helpers ----------------------------------------------------------

function devicesOf(rng: Rng, plant: Plant, prefix: Ipv4Prefix | undefined): Array<{ name: string; ip: string; kind: string }> {
  if (!prefix) return [];
  const count = rng.int(2, 4);
  const out: Array<{ name: string; ip: string; kind: string }> = [];
  for (let k = 0; k < count; k++) {
    const kind = rng.pick(DEVICE_KINDS);
    out.push({ name: `${plant.name}-${kind}-${k + 1}`, ip: formatIpv4(prefix.start + 10 + k), kind });
  }
  return out;
}

function password(rng: Rng): string {
  let out = '';
  for (let i = 0; i < 16; i++) out += 'abcdefghijkmnpqrstuvwxyz23456789'[Math.floor(rng.next() * 32)];
  return out;
}

/** 32 pseudo-random bytes in base64, shaped like a WireGuard public key (not a real one). */
function fakeKey(rng: Rng): string {
  const bytes = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) bytes[i] = Math.floor(rng.next() * 256);
  return bytes.toString('base64');
}

// ---- small utilities ---------------------------------------------------------------

function weightedIndex(weights: number[]): (roll: number) => number {
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) {
    total += w;
    cumulative.push(total);
  }
  return (roll) => {
    const target = roll * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) push(out, key(item), item);
  return out;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
