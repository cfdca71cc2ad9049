import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { FleetModel } from '../fleet-model.ts';
import { JOB_ROLES, type JobRoleName, ORG_ROLES, type OrgRole, type UserId } from '../model.ts';
import { formatCidr, overlaps } from '../net/ipv4.ts';
import { FleetFixture } from '../testing/fleet-fixture.ts';
import { effectiveRoutes } from './effective.ts';

/**
 * The route engine against a naive reference that reads SPEC P4/P5 literally:
 * every (user, plant) pair is judged by scanning all records, and conflicts by
 * comparing every pair of routes.
 */
function naiveRoutes(model: FleetModel, userId: UserId): Map<string, { via: string; state: string }> {
  const out = new Map<string, { via: string; state: string }>();
  const granted = new Map<string, string>();
  for (const plant of model.plants.values()) {
    for (const jr of model.jobRoles.values()) {
      if (jr.userId !== userId) continue;
      const targets =
        jr.target.kind === 'plant' ? jr.target.plantId === plant.id : (model.portfolios.get(jr.target.portfolioId)?.plantIds ?? []).includes(plant.id);
      if (!targets) continue;
      if (jr.cooperationId === null) {
        const role = model.membershipRole(userId, plant.orgId);
        if (role && role !== 'guest' && (jr.role === 'operator' || jr.role === 'technical-manager')) granted.set(plant.id, 'own');
      } else {
        const coop = model.cooperations.get(jr.cooperationId);
        if (!coop?.active || jr.role !== 'operator') continue;
        const role = model.membershipRole(userId, coop.partnerOrgId);
        if (!role || role === 'guest') continue;
        const covered = coop.plantIds.includes(plant.id) || coop.portfolioIds.some((p) => (model.portfolios.get(p)?.plantIds ?? []).includes(plant.id));
        if (covered && !granted.has(plant.id)) granted.set(plant.id, 'cooperation');
      }
    }
  }
  const subnets = [...model.subnets.values()].filter((s) => granted.has(s.plantId));
  const prefs = model.preferencesOf(userId);
  const enabled = subnets.filter((s) => prefs.get(s.id)?.kind !== 'disabled');
  const priorities = enabled
    .filter((s) => prefs.get(s.id)?.kind === 'priority' && enabled.some((o) => o !== s && overlaps(o.prefix, s.prefix)))
    .sort((a, b) => (prefs.get(b.id)?.seq ?? 0) - (prefs.get(a.id)?.seq ?? 0));
  const winners: typeof priorities = [];
  for (const p of priorities) if (!winners.some((w) => overlaps(w.prefix, p.prefix))) winners.push(p);
  for (const s of subnets) {
    let state: string;
    if (prefs.get(s.id)?.kind === 'disabled') state = 'disabled';
    else if (!enabled.some((o) => o !== s && overlaps(o.prefix, s.prefix))) state = 'active';
    else if (winners.includes(s)) state = 'priority';
    else if (winners.some((w) => overlaps(w.prefix, s.prefix))) state = 'shadowed';
    else state = 'conflict';
    out.set(`${s.plantId}|${formatCidr(s.prefix)}`, { via: granted.get(s.plantId) as string, state });
  }
  return out;
}

const SUBNET_POOL = ['192.168.1.0/24', '192.168.0.0/16', '192.168.1.128/25', '10.0.0.0/24', '10.0.0.0/16', '172.16.5.0/24'];

const fleetArb = fc.record({
  plants: fc.array(fc.record({ org: fc.integer({ min: 0, max: 1 }), subnets: fc.uniqueArray(fc.constantFrom(...SUBNET_POOL), { maxLength: 3 }) }), {
    minLength: 1,
    maxLength: 6,
  }),
  memberships: fc.array(
    fc.record({ user: fc.integer({ min: 0, max: 3 }), org: fc.integer({ min: 0, max: 2 }), role: fc.constantFrom<OrgRole>(...ORG_ROLES) }),
    {
      maxLength: 8,
    },
  ),
  jobRoles: fc.array(
    fc.record({
      user: fc.integer({ min: 0, max: 3 }),
      plant: fc.nat(),
      viaPortfolio: fc.boolean(),
      role: fc.constantFrom<JobRoleName>(...JOB_ROLES),
      inCooperation: fc.boolean(),
    }),
    { maxLength: 12 },
  ),
  cooperationActive: fc.boolean(),
  cooperationShares: fc.array(fc.nat(), { maxLength: 3 }),
  prefs: fc.array(
    fc.record({ user: fc.integer({ min: 0, max: 3 }), subnet: fc.nat(), kind: fc.constantFrom<'priority' | 'disabled'>('priority', 'disabled') }),
    {
      maxLength: 8,
    },
  ),
});

describe('route engine vs naive reference', () => {
  it('property: identical grants, vias and states over random fleets', () => {
    fc.assert(
      fc.property(fleetArb, (spec) => {
        const f = new FleetFixture();
        const orgs = ['O0', 'O1', 'Partner'];
        for (const o of orgs) f.org(o);
        const plantNames = spec.plants.map((p, i) => f.plant(orgs[p.org] as string, `P${i}`, p.subnets));
        const subnetIds = [...f.model.subnets.keys()];
        f.portfolio(
          'O0',
          'PF0',
          plantNames.filter((_, i) => i % 2 === 0),
        );
        f.portfolio(
          'O1',
          'PF1',
          plantNames.filter((_, i) => i % 2 === 1),
        );
        f.cooperation(
          'coop',
          'O0',
          'Partner',
          { plants: spec.cooperationShares.map((i) => plantNames[i % plantNames.length] as string), portfolios: ['PF0'] },
          spec.cooperationActive,
        );
        for (const m of spec.memberships) f.member(orgs[m.org] as string, `u${m.user}`, m.role);
        for (let u = 0; u < 4; u++) if (!f.model.users.has(`u${u}` as UserId)) f.user(`u${u}`);
        for (const jr of spec.jobRoles) {
          const plant = plantNames[jr.plant % plantNames.length] as string;
          const org = f.model.plants.get(plant as never)?.orgId as string;
          const on = jr.viaPortfolio ? { portfolio: org === 'O0' ? 'PF0' : 'PF1' } : { plant };
          f.jobRole(`u${jr.user}`, on, jr.role, jr.inCooperation ? 'coop' : null);
        }
        for (const p of spec.prefs) {
          if (subnetIds.length === 0) break;
          const subnet = subnetIds[p.subnet % subnetIds.length] as never;
          if (p.kind === 'priority') f.prefer(`u${p.user}`, subnet);
          else f.disable(`u${p.user}`, subnet);
        }
        for (let u = 0; u < 4; u++) {
          const userId = `u${u}` as UserId;
          const engine = new Map(
            effectiveRoutes(f.model, userId).map((r) => [`${r.plantId}|${formatCidr(r.prefix)}`, { via: r.via as string, state: r.state as string }]),
          );
          assert.deepEqual(engine, naiveRoutes(f.model, userId));
        }
      }),
      { numRuns: 400 },
    );
  });
});
