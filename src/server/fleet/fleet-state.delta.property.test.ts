import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { FleetModel } from '../../core/fleet-model.ts';
import { JOB_ROLES, type JobRoleId, ORG_ROLES, type OrgId, type PlantId, type PortfolioId, type ProfileId, type SubnetId, type UserId, type CooperationId } from '../../core/model.ts';
import { cidr } from '../../core/net/ipv4.ts';
import { MappedSpaceAllocator } from '../../core/net/mapped-prefix.ts';
import { applyGatewayDelta, canonicalGatewayState } from '../../core/state/gateway-delta.ts';
import { GatewayStateMessage } from '../../core/wire/gateway-delta.ts';
import type { GatewayDesiredState } from '../../core/wire/gateway-state.ts';
import { openStore, type Store } from '../db/connect.ts';
import { type Affected, FleetState } from './fleet-state.ts';

/**
 * Issue 6 "Delta sync": on the real FleetModel and FleetState, after every random fleet
 * change the delta served for `after=<previous>` applied to the previous full document
 * gives exactly the new full document — and so does the merged delta from any earlier
 * kept revision.
 */

const service = { servicePublicKey: 'svc', serviceTunnelIp: '100.64.0.1', tunnelRange: '100.64.0.0/12', mappedSpace: '100.80.0.0/12' };
const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'] as UserId[];
const ORGS = ['O', 'P'] as OrgId[];
const IPS = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => 0x64410000 + n);
const SUBNETS = ['192.168.1.0/24', '192.168.2.0/24', '10.1.0.0/16', '172.16.0.0/24'];

type Op = { kind: number; a: number; b: number; c: number };

const stores: Store[] = [];
after(async () => {
  for (const s of stores) await s.close();
});

/** Drives the fleet; every method is one write through FleetState and returns what moved. */
class World {
  readonly fleet: FleetState;
  private allocator = new MappedSpaceAllocator(cidr('100.80.0.0/12'), []);
  private seq = 0;
  private plants: PlantId[] = [];
  constructor(fleet: FleetState) {
    this.fleet = fleet;
  }

  step(m: FleetModel, op: Op): Affected {
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
        const affected = new Set([...m.setProfile(user, null), ...m.setProfile(to, { id: `p${++this.seq}` as ProfileId, userId: to, publicKey: `key${this.seq}`, tunnelIp: from.tunnelIp })]);
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
          role: JOB_ROLES[op.c % JOB_ROLES.length] as (typeof JOB_ROLES)[number],
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
        for (const jr of [...m.jobRoles.values()]) if (jr.target.kind === 'plant' && jr.target.plantId === plant) for (const u of m.removeJobRole(jr.id)) users.add(u);
        for (const f of [...m.portfolios.values()]) if (f.plantIds.includes(plant)) for (const u of m.putPortfolio({ ...f, plantIds: f.plantIds.filter((p) => p !== plant) })) users.add(u);
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
      default: {
        if (!plant) return [];
        return { users: m.setAgent(plant, op.c % 2 ? { publicKey: `agent${++this.seq}`, tunnelIp: 0x64400100 + (op.c % 50) } : null), plants: [plant] };
      }
    }
  }

  async setup(): Promise<void> {
    await this.fleet.write(
      async () => undefined,
      (m) => {
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
        m.putCooperation({ id: 'c1' as CooperationId, ownerOrgId: 'O' as OrgId, partnerOrgId: 'P' as OrgId, plantIds: ['B'] as PlantId[], portfolioIds: ['F'] as PortfolioId[], active: true });
        for (const [i, u] of USERS.entries()) {
          m.setMembership({ orgId: ORGS[i % 2] as OrgId, userId: u, role: i === 0 ? 'admin' : 'member' });
          m.setMembership({ orgId: 'O' as OrgId, userId: u, role: 'member' });
          for (const [j, p] of ['A', 'B', 'C', 'D'].entries()) {
            if ((i + j) % 3 === 2) continue;
            m.putJobRole({ id: `jr-${u}-${p}` as JobRoleId, userId: u, target: { kind: 'plant', plantId: p as PlantId }, role: j % 2 ? 'operator' : 'technical-manager', cooperationId: null });
          }
          if (i < 4) m.setProfile(u, { id: `p-${u}` as ProfileId, userId: u, publicKey: `key-${u}`, tunnelIp: IPS[i] as number });
        }
        return { users: USERS, plants: this.plants };
      },
    );
  }
}

async function fullDocument(fleet: FleetState): Promise<GatewayDesiredState> {
  const message = GatewayStateMessage.parse(JSON.parse(await fleet.gatewayStateJson('eu', null, undefined, 'message')));
  assert.equal(message.kind, 'full');
  return (message as { state: GatewayDesiredState }).state;
}

async function newFleet(): Promise<FleetState> {
  const store = await openStore('sqlite::memory:');
  stores.push(store);
  const fleet = new FleetState(store, () => service);
  await fleet.load();
  return fleet;
}

describe('FleetState deltas (property, real FleetModel)', () => {
  it('delta sync: after=previous applied to the previous document gives the next document; merged deltas from older revisions too', async () => {
    const op = fc.record({ kind: fc.integer({ min: 0, max: 14 }), a: fc.nat(50), b: fc.nat(50), c: fc.nat(50) });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40, size: 'max' }), async (ops) => {
        const fleet = await newFleet();
        const world = new World(fleet);
        await world.setup();
        const history: GatewayDesiredState[] = [await fullDocument(fleet)];
        for (const o of ops) {
          await fleet.write(async () => undefined, (m) => world.step(m, o));
          const next = await fullDocument(fleet);
          for (const from of history.slice(-6)) {
            const message = GatewayStateMessage.parse(JSON.parse(await fleet.gatewayStateJson('eu', null, from.revision, 'message')));
            assert.equal(message.kind, 'delta', `after=${from.revision} is within the kept history`);
            if (message.kind !== 'delta') return;
            const applied = applyGatewayDelta(from, message);
            assert.ok(applied.ok);
            if (applied.ok) assert.deepEqual(canonicalGatewayState(applied.state), canonicalGatewayState(next), `after=${from.revision} → ${next.revision}, op ${JSON.stringify(o)}`);
          }
          history.push(next);
        }
      }),
      { numRuns: 60 },
    );
  });
});
