import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { FleetModel } from '../../core/fleet-model.ts';
import { JOB_ROLES, ORG_ROLES } from '../../core/model.ts';
import { cidr } from '../../core/net/ipv4.ts';
import { canonicalGatewayState, applyGatewayDelta } from '../../core/state/gateway-delta.ts';
import { GatewayStateMessage } from '../../core/wire/gateway-delta.ts';
import type { GatewayDesiredState } from '../../core/wire/gateway-state.ts';
import { applyFleetRequest } from '../features/fleet/service.ts';
import type { AppContext } from '../context.ts';
import { openStore, type Store } from '../db/connect.ts';
import { ApiError } from '../http/errors.ts';
import { FleetState } from './fleet-state.ts';
import { loadFleetModel } from './load-model.ts';

/**
 * Issue 6 "fleet apply, second pass": an apply that only moves users, memberships, job
 * roles and (issue 8) subnets of existing plants is mirrored into the in-memory model
 * instead of reloading it. After every
 * apply of a random sequence of fleet files (structure kept or changed, with and without
 * prune), the incremental model equals `loadFleetModel` of the database, the gateways'
 * full document equals that of a FleetState loaded afresh, and the served delta turns the
 * previous document into the new one.
 */

const service = { servicePublicKey: 'svc', serviceTunnelIp: '100.64.0.1', tunnelRange: '100.64.0.0/12', mappedSpace: '100.80.0.0/12' };
const addressing = { tunnelRange: cidr('100.64.0.0/12'), mappedSpace: cidr('100.80.0.0/12'), serviceTunnelIp: 0x64400001, firstUserIp: 0x64400100 };
const USERS = 6;
const ORGS = ['alpha', 'beta', 'gamma'];
const stores: Store[] = [];
after(async () => {
  for (const s of stores) await s.close();
});

const email = (u: number) => `u${u}@example.test`;

type Step = {
  structure: number;
  prune: boolean;
  /** Users u0..u5 always, plus up to two more (a user listed once stays: users are never deleted). */
  extraUsers: number;
  rename: boolean;
  members: Array<{ org: number; user: number; role: number }>;
  jobRoles: Array<{ org: number; user: number; target: number; role: number; coop: boolean }>;
};

/** A fleet file: the structure (plants, subnets, portfolios, cooperations) is a function of `structure`; members and job roles are free. */
function fleetFile(step: Step): unknown {
  const s = step.structure;
  const organizations = ORGS.filter((_, o) => !(s === 2 && o === 2)).map((name) => {
    const o = ORGS.indexOf(name);
    const plantNames = ['p0', 'p1', 'p2'].filter((_, p) => !(s === 1 && p === 2));
    const plants = plantNames.map((p, i) => ({
      name: p,
      // Structure 3 is structure 0 with one more subnet on p0: between them only subnets move (mirrored, not reloaded).
      subnets: [`10.${o}.${i}.0/24`, ...(s === 1 ? [`10.${o}.${i + 10}.0/24`] : []), ...(s === 3 && i === 0 ? [`10.${o}.20.0/24`] : [])],
      devices: [{ name: 'inv', ip: `10.${o}.${i}.5`, kind: 'inverter', ports: [502] }],
    }));
    const portfolios = [{ name: 'f0', plants: s === 2 ? ['p0'] : ['p0', 'p1'] }];
    const partner = ORGS[(o + 1) % ORGS.length] as string;
    const cooperations = s === 2 && o !== 0 ? [] : [{ partner, plants: ['p1'], portfolios: ['f0'], jobRoles: [] as unknown[] }];
    const targets: Array<{ plant?: string; portfolio?: string }> = [...plantNames.map((p) => ({ plant: p })), { portfolio: 'f0' }];
    const seenMember = new Set<number>();
    const members = step.members
      .filter((m) => m.org === o && !seenMember.has(m.user) && seenMember.add(m.user))
      .map((m) => ({ email: email(m.user), role: ORG_ROLES[m.role % ORG_ROLES.length] }));
    const seenJob = new Set<string>();
    const jobRoles: unknown[] = [];
    for (const j of step.jobRoles.filter((x) => x.org === o)) {
      const coop = j.coop && cooperations.length > 0 ? cooperations[0] : undefined;
      const pool = coop ? [{ plant: 'p1' }, { portfolio: 'f0' }] : targets;
      const target = pool[j.target % pool.length] as { plant?: string; portfolio?: string };
      const key = `${coop ? 'c' : 'o'}|${j.user}|${target.plant ?? ''}|${target.portfolio ?? ''}`;
      if (seenJob.has(key)) continue;
      seenJob.add(key);
      const jr = { user: email(j.user), ...target, role: JOB_ROLES[j.role % JOB_ROLES.length] };
      if (coop) coop.jobRoles.push(jr);
      else jobRoles.push(jr);
    }
    return { name, members, plants, portfolios, jobRoles, cooperations };
  });
  return { users: Array.from({ length: USERS + step.extraUsers }, (_, u) => ({ email: email(u), name: step.rename ? `Renamed ${u}` : `User ${u}` })), organizations };
}

/** The model as its public queries see it, in a canonical order. */
function canonicalModel(model: FleetModel): unknown {
  const sorted = <T>(items: Iterable<T>): T[] => [...items].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const users = sorted(model.users.keys());
  const plants = sorted(model.plants.keys());
  const orgs = sorted(model.organizations.keys());
  return {
    users: sorted(model.users.values()),
    organizations: sorted(model.organizations.values()),
    plants: sorted(model.plants.values()),
    subnets: sorted(model.subnets.values()),
    portfolios: sorted([...model.portfolios.values()].map((f) => ({ ...f, plantIds: sorted(f.plantIds) }))),
    cooperations: sorted([...model.cooperations.values()].map((c) => ({ ...c, plantIds: sorted(c.plantIds), portfolioIds: sorted(c.portfolioIds) }))),
    jobRoles: sorted(model.jobRoles.values()),
    profiles: sorted(model.profiles.values()),
    agents: sorted(model.agents.entries()),
    perUser: users.map((u) => ({
      u,
      memberships: sorted(model.membershipsOf(u).entries()),
      jobRoles: sorted(model.jobRolesOf(u).map((j) => j.id)),
      prefs: sorted(model.preferencesOf(u).entries()),
    })),
    perOrg: orgs.map((o) => ({ o, members: sorted(model.membersOf(o)), plants: sorted(model.plantsOf(o)) })),
    perPlant: plants.map((p) => ({ p, holders: sorted(model.holdersOfPlant(p)), portfolios: sorted(model.portfoliosContaining(p)), subnets: sorted(model.subnetsOf(p).map((s) => s.id)) })),
  };
}

async function fullDocument(fleet: FleetState): Promise<GatewayDesiredState> {
  const message = GatewayStateMessage.parse(JSON.parse(await fleet.gatewayStateJson('eu', null, undefined, 'message')));
  assert.equal(message.kind, 'full');
  return (message as { state: GatewayDesiredState }).state;
}

describe('fleet apply mirrored into the model (property)', () => {
  it('incremental model equals loadFleetModel, the gateway document equals a fresh load, and the delta moves the previous document to it', async () => {
    const step = fc.record({
      structure: fc.nat(3),
      prune: fc.boolean(),
      extraUsers: fc.nat(2),
      rename: fc.boolean(),
      members: fc.array(fc.record({ org: fc.nat(2), user: fc.nat(USERS - 1), role: fc.nat(3) }), { maxLength: 10 }),
      jobRoles: fc.array(fc.record({ org: fc.nat(2), user: fc.nat(USERS - 1), target: fc.nat(3), role: fc.nat(3), coop: fc.boolean() }), { maxLength: 14 }),
    });
    // Consecutive files mostly keep the structure, so most applies take the incremental path.
    const steps = fc.array(step, { minLength: 2, maxLength: 12 }).map((list) => list.map((s, i) => (i > 0 && s.members.length % 4 !== 0 ? { ...s, structure: (list[i - 1] as Step).structure } : s)));
    let incremental = 0;
    let subnetsOnly = 0;
    await fc.assert(
      fc.asyncProperty(steps, async (list) => {
        const store = await openStore('sqlite::memory:');
        stores.push(store);
        const fleet = new FleetState(store, () => service);
        await fleet.load();
        const ctx = { store, fleet, addressing, now: () => new Date('2026-11-30T10:00:00Z') } as unknown as AppContext;
        await store.db.insertInto('users').values({ id: 'operator', email: 'op@example.test', name: 'Op', password_hash: null, platform_operator: 1, created_at: 'now' }).execute();
        // Every user gets an active profile, so their routes are in the gateways' document.
        await applyFleetRequest(ctx, 'operator', fleetFile({ structure: 0, prune: false, extraUsers: 0, rename: false, members: [], jobRoles: [] }), { dryRun: false, prune: false, force: false });
        await fleet.write(
          async (trx) => {
            const users = await trx.selectFrom('users').select('id').where('id', '!=', 'operator').execute();
            await trx
              .insertInto('profiles')
              .values(
                users.map((u, i) => ({
                  id: `profile-${i}`,
                  user_id: u.id,
                  kind: 'wireguard',
                  public_key: `key-${i}`,
                  tunnel_ip: `100.64.1.${i + 1}`,
                  tunnel_ip_num: 0x64400101 + i,
                  status: 'active',
                  created_at: 'now',
                  rotated_at: null,
                  revoked_at: null,
                })),
              )
              .execute();
          },
          () => 'reload',
        );
        let previous = await fullDocument(fleet);
        for (const s of list) {
          const before = canonicalModel(await fleet.current());
          let result: { changes: string[] };
          try {
            result = await applyFleetRequest(ctx, 'operator', fleetFile(s), { dryRun: false, prune: s.prune, force: true });
          } catch (e) {
            if (e instanceof ApiError) assert.fail(`the generated file is valid: ${e.message}`);
            throw e;
          }
          const model = await fleet.current();
          const loaded = await loadFleetModel(store.db);
          assert.deepEqual(canonicalModel(model), canonicalModel(loaded), `after ${JSON.stringify(s)}: ${result.changes.join('; ')}`);
          if (result.changes.length > 0 && !result.changes.some((c) => /organization|plant|subnet|portfolio|cooperation/.test(c.split(' for ')[0] as string))) incremental++;
          const heads = result.changes.map((c) => c.split(' for ')[0] as string);
          if (heads.some((h) => /^[+-] subnet /.test(h)) && !heads.some((h) => /organization|^[+-~] plant|portfolio|cooperation/.test(h))) subnetsOnly++;
          if (result.changes.length === 0) assert.deepEqual(canonicalModel(model), before);

          const fresh = new FleetState(store, () => service);
          await fresh.load();
          const next = await fullDocument(fleet);
          assert.deepEqual(canonicalGatewayState(next), canonicalGatewayState(await fullDocument(fresh)));
          const message = GatewayStateMessage.parse(JSON.parse(await fleet.gatewayStateJson('eu', null, previous.revision, 'message')));
          if (message.kind === 'delta') {
            const applied = applyGatewayDelta(previous, message);
            assert.ok(applied.ok);
            if (applied.ok) assert.deepEqual(canonicalGatewayState(applied.state), canonicalGatewayState(next));
          } else assert.equal(next.revision, previous.revision, 'no delta only when nothing was written');
          previous = next;
        }
        await store.close();
        stores.splice(stores.indexOf(store), 1);
      }),
      { numRuns: 40 },
    );
    assert.ok(incremental > 20, `the incremental path was taken (${incremental} applies)`);
    assert.ok(subnetsOnly > 3, `subnet-only applies (mirrored) were generated (${subnetsOnly})`);
  });
});
