import type { FleetModel } from '../fleet-model.ts';
import {
  type CooperationId,
  JOB_ROLES,
  type JobRoleId,
  ORG_ROLES,
  type OrgId,
  type PlantId,
  type PortfolioId,
  type ProfileId,
  type SubnetId,
  type UserId,
} from '../model.ts';
import { cidr } from '../net/ipv4.ts';
import { MappedSpaceAllocator } from '../net/mapped-prefix.ts';

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'] as UserId[];
const ORGS = ['O', 'P'] as OrgId[];
const IPS = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => 0x64410000 + n);
const SUBNETS = ['192.168.1.0/24', '192.168.2.0/24', '10.1.0.0/16', '172.16.0.0/24'];

export type RandomFleetOp = { kind: number; a: number; b: number; c: number };

/**
 * Random fleet changes for property tests: `setup` fills a model, `step` applies one
 * change (profile issue/rotate/revoke/hand-over, job role grant/remove, membership,
 * cooperation end/restart, subnet and plant add/delete, preferences, agents) and returns
 * what moved, as a FleetState write's `apply` would. Deterministic: the same ops on a
 * fresh instance give the same model.
 */
export class RandomFleet {
  private allocator = new MappedSpaceAllocator(cidr('100.80.0.0/12'), []);
  private seq = 0;
  private plants: PlantId[] = [];
  step(m: FleetModel, op: RandomFleetOp): Iterable<UserId> | { users: Iterable<UserId>; plants: PlantId[] } {
    const user = USERS[op.a % USERS.length] as UserId;
    const plant = this.plants.length ? (this.plants[op.b % this.plants.length] as PlantId) : undefined;
    switch (op.kind) {
      case 0: {
        // issue (or re-issue) a profile with a free tunnel IP
        const free = IPS.filter((ip) => ![...m.profiles.values()].some((p) => p.tunnelIp === ip && p.userId !== user));
        const ip = free[op.c % free.length] as number;
        return m.setProfile(user, { id: `p${++this.seq}` as ProfileId, userId: user, publicKey: `key${this.seq}`, tunnelIp: ip });
      }
      case 1: {
        const p = m.profiles.get(user);
        return p ? m.setProfile(user, { ...p, publicKey: `key${++this.seq}` }) : [];
      }
      case 2:
        return m.setProfile(user, null);
      case 3: {
        // hand a tunnel IP from one user to another within one revision
        const from = m.profiles.get(user);
        const to = USERS[(op.a + 1 + (op.c % 5)) % USERS.length] as UserId;
        if (!from || m.profiles.has(to)) return [];
        const affected = new Set([
          ...m.setProfile(user, null),
          ...m.setProfile(to, { id: `p${++this.seq}` as ProfileId, userId: to, publicKey: `key${this.seq}`, tunnelIp: from.tunnelIp }),
        ]);
        return affected;
      }
      case 4: {
        if (!plant) return [];
        const portfolio = op.c % 3 === 0 && m.portfolios.size > 0 ? ([...m.portfolios.keys()][op.b % m.portfolios.size] as PortfolioId) : null;
        const coop = op.c % 4 === 1 && m.cooperations.size > 0 ? ([...m.cooperations.keys()][0] as CooperationId) : null;
        return m.putJobRole({
          id: `jr${++this.seq}` as JobRoleId,
          userId: user,
          target: portfolio ? { kind: 'portfolio', portfolioId: portfolio } : { kind: 'plant', plantId: plant },
          role: JOB_ROLES[Math.floor(op.c / 4) % JOB_ROLES.length] as (typeof JOB_ROLES)[number],
          cooperationId: coop,
        });
      }
      case 5: {
        const roles = m.jobRolesOf(user);
        const jr = roles[op.c % Math.max(1, roles.length)];
        return jr ? m.removeJobRole(jr.id) : [];
      }
      case 6:
        return m.setMembership({ orgId: ORGS[op.b % 2] as OrgId, userId: user, role: ORG_ROLES[op.c % ORG_ROLES.length] as (typeof ORG_ROLES)[number] });
      case 7:
        return m.removeMembership(user, ORGS[op.b % 2] as OrgId);
      case 8: {
        const coop = m.cooperations.get('c1' as CooperationId);
        if (!coop) return [];
        return m.putCooperation({ ...coop, active: !coop.active });
      }
      case 9: {
        if (!plant) return [];
        const prefix = cidr(SUBNETS[op.c % SUBNETS.length] as string);
        if (m.subnetsOf(plant).some((s) => s.prefix.start === prefix.start)) return [];
        const mapped = this.allocator.allocate(prefix.length);
        if (!mapped.ok) return [];
        return { users: m.putSubnet({ id: `s${++this.seq}` as SubnetId, plantId: plant, prefix, mapped: mapped.prefix }), plants: [plant] };
      }
      case 10: {
        if (!plant) return [];
        const subnet = m.subnetsOf(plant)[op.c % Math.max(1, m.subnetsOf(plant).length)];
        if (!subnet) return [];
        this.allocator.release(subnet.mapped);
        return { users: m.removeSubnet(subnet.id), plants: [plant] };
      }
      case 11: {
        const id = `plant${++this.seq}` as PlantId;
        this.plants.push(id);
        return { users: m.putPlant({ id, orgId: ORGS[op.b % 2] as OrgId, name: id }), plants: [id] };
      }
      case 12: {
        if (!plant || this.plants.length < 2) return [];
        const users = new Set<UserId>();
        for (const jr of [...m.jobRoles.values()])
          if (jr.target.kind === 'plant' && jr.target.plantId === plant) for (const u of m.removeJobRole(jr.id)) users.add(u);
        for (const f of [...m.portfolios.values()])
          if (f.plantIds.includes(plant)) for (const u of m.putPortfolio({ ...f, plantIds: f.plantIds.filter((p) => p !== plant) })) users.add(u);
        for (const s of m.subnetsOf(plant)) this.allocator.release(s.mapped);
        for (const u of m.removePlant(plant)) users.add(u);
        this.plants = this.plants.filter((p) => p !== plant);
        return { users, plants: [plant] };
      }
      case 13: {
        const subnets = [...m.subnets.values()];
        const subnet = subnets[op.b % Math.max(1, subnets.length)];
        if (!subnet) return [];
        if (op.c % 3 === 2) return m.clearPreference(user, subnet.id);
        return m.setPreference({ userId: user, subnetId: subnet.id, kind: op.c % 3 === 0 ? 'priority' : 'disabled', seq: ++this.seq });
      }
      case 15: {
        // a plant moves into or out of a portfolio (which a cooperation shares)
        const portfolio = m.portfolios.get('F' as PortfolioId);
        if (!plant || !portfolio) return [];
        const plantIds = portfolio.plantIds.includes(plant) ? portfolio.plantIds.filter((p) => p !== plant) : [...portfolio.plantIds, plant];
        return { users: m.putPortfolio({ ...portfolio, plantIds }), plants: [] };
      }
      case 16: {
        // the cooperation shares one plant more or less
        const coop = m.cooperations.get('c1' as CooperationId);
        if (!plant || !coop) return [];
        const plantIds = coop.plantIds.includes(plant) ? coop.plantIds.filter((p) => p !== plant) : [...coop.plantIds, plant];
        return m.putCooperation({ ...coop, plantIds });
      }
      default: {
        if (!plant) return [];
        return { users: m.setAgent(plant, op.c % 2 ? { publicKey: `agent${++this.seq}`, tunnelIp: 0x64400100 + (op.c % 50) } : null), plants: [plant] };
      }
    }
  }

  setup(m: FleetModel): { users: UserId[]; plants: PlantId[] } {
    for (const u of USERS) m.putUser({ id: u, email: `${u}@example.test`, name: u, platformOperator: false });
    for (const o of ORGS) m.putOrganization({ id: o, name: o });
    for (const [i, name] of ['A', 'B', 'C', 'D'].entries()) {
      const id = name as PlantId;
      this.plants.push(id);
      m.putPlant({ id, orgId: (i < 3 ? 'O' : 'P') as OrgId, name });
      const prefix = cidr(i < 2 ? '192.168.1.0/24' : `10.${i}.0.0/24`);
      const mapped = this.allocator.allocate(prefix.length);
      if (mapped.ok) m.putSubnet({ id: `${name}|s` as SubnetId, plantId: id, prefix, mapped: mapped.prefix });
    }
    m.putPortfolio({ id: 'F' as PortfolioId, orgId: 'O' as OrgId, name: 'F', plantIds: ['A', 'C'] as PlantId[] });
    m.putCooperation({
      id: 'c1' as CooperationId,
      ownerOrgId: 'O' as OrgId,
      partnerOrgId: 'P' as OrgId,
      plantIds: ['B'] as PlantId[],
      portfolioIds: ['F'] as PortfolioId[],
      active: true,
    });
    for (const [i, u] of USERS.entries()) {
      m.setMembership({ orgId: ORGS[i % 2] as OrgId, userId: u, role: i === 0 ? 'admin' : 'member' });
      // Odd users belong to the partner P only: their routes to O's plants come through cooperation c1.
      if (i % 2 === 0) m.setMembership({ orgId: 'O' as OrgId, userId: u, role: 'member' });
      else {
        for (const p of ['A', 'B', 'C']) {
          m.putJobRole({
            id: `jr-${u}-c1-${p}` as JobRoleId,
            userId: u,
            target: { kind: 'plant', plantId: p as PlantId },
            role: 'operator',
            cooperationId: 'c1' as CooperationId,
          });
        }
      }
      for (const [j, p] of ['A', 'B', 'C', 'D'].entries()) {
        if ((i + j) % 3 === 2) continue;
        m.putJobRole({
          id: `jr-${u}-${p}` as JobRoleId,
          userId: u,
          target: { kind: 'plant', plantId: p as PlantId },
          role: j % 2 ? 'operator' : 'technical-manager',
          cooperationId: null,
        });
      }
      if (i < 4) m.setProfile(u, { id: `p-${u}` as ProfileId, userId: u, publicKey: `key-${u}`, tunnelIp: IPS[i] as number });
    }
    return { users: USERS, plants: [...this.plants] };
  }
}
