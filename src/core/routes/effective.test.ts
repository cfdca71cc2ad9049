import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobRoleName, OrgRole, UserId } from '../model.ts';
import { formatCidr } from '../net/ipv4.ts';
import { FleetFixture } from '../testing/fleet-fixture.ts';
import { explainAccess } from './access.ts';
import { conflictPartners, type EffectiveRoute, effectiveRoutes } from './effective.ts';

/** SolarCo owns Park A (portfolio North); WindServ cooperates on Park A. */
function baseFleet(): FleetFixture {
  const f = new FleetFixture();
  f.org('SolarCo');
  f.org('WindServ');
  f.plant('SolarCo', 'Park A', ['192.168.1.0/24']);
  f.plant('SolarCo', 'Park B', ['10.10.0.0/24']);
  f.portfolio('SolarCo', 'North', ['Park A']);
  f.cooperation('coop', 'SolarCo', 'WindServ', { plants: ['Park A'] });
  return f;
}

function plantsReached(f: FleetFixture, user: string): string[] {
  return [...new Set(effectiveRoutes(f.model, user as UserId).map((r) => r.plantId as string))].sort();
}

describe('P4: routes from permissions', () => {
  type Row = { name: string; orgRole?: OrgRole; jobRole?: JobRoleName; on?: 'plant' | 'portfolio'; expect: string[] };
  const ownRows: Row[] = [
    { name: 'P4: admin + operator gets the plant', orgRole: 'admin', jobRole: 'operator', on: 'plant', expect: ['Park A'] },
    { name: 'P4: moderator + technical manager gets the plant', orgRole: 'moderator', jobRole: 'technical-manager', on: 'plant', expect: ['Park A'] },
    { name: 'P4: member + operator gets the plant', orgRole: 'member', jobRole: 'operator', on: 'plant', expect: ['Park A'] },
    { name: 'P4: job role via portfolio is inherited', orgRole: 'member', jobRole: 'operator', on: 'portfolio', expect: ['Park A'] },
    { name: 'P4: guest gets no route even as operator', orgRole: 'guest', jobRole: 'operator', on: 'plant', expect: [] },
    { name: 'P4: asset manager gets no route', orgRole: 'admin', jobRole: 'asset-manager', on: 'plant', expect: [] },
    { name: 'P4: viewer gets no route', orgRole: 'member', jobRole: 'viewer', on: 'plant', expect: [] },
    { name: 'P4: plain member without job role gets no route', orgRole: 'member', expect: [] },
    { name: 'P4: org admin without job role gets no route', orgRole: 'admin', expect: [] },
    { name: 'P4: external user with a stray job role gets no route', jobRole: 'operator', on: 'plant', expect: [] },
  ];
  for (const row of ownRows) {
    it(row.name, () => {
      const f = baseFleet();
      f.user('u');
      if (row.orgRole) f.member('SolarCo', 'u', row.orgRole);
      if (row.jobRole) f.jobRole('u', row.on === 'portfolio' ? { portfolio: 'North' } : { plant: 'Park A' }, row.jobRole);
      assert.deepEqual(plantsReached(f, 'u'), row.expect);
    });
  }

  type CoopRow = { name: string; partnerRole?: OrgRole; jobRole: JobRoleName; plant?: string; active?: boolean; expect: string[] };
  const coopRows: CoopRow[] = [
    { name: 'P4: cooperation operator gets the shared plant', partnerRole: 'member', jobRole: 'operator', expect: ['Park A'] },
    { name: 'P4: cooperation requires operator (technical manager denied)', partnerRole: 'admin', jobRole: 'technical-manager', expect: [] },
    { name: 'P4: cooperation viewer denied', partnerRole: 'member', jobRole: 'viewer', expect: [] },
    { name: 'P4: ended cooperation opens nothing', partnerRole: 'member', jobRole: 'operator', active: false, expect: [] },
    { name: 'P4: cooperation covers only the shared plant', partnerRole: 'member', jobRole: 'operator', plant: 'Park B', expect: [] },
    { name: 'P4: guest of the partner organization gets no route', partnerRole: 'guest', jobRole: 'operator', expect: [] },
    { name: 'P4: user outside the partner organization gets no route', jobRole: 'operator', expect: [] },
  ];
  for (const row of coopRows) {
    it(row.name, () => {
      const f = baseFleet();
      if (row.active === false) f.cooperation('coop', 'SolarCo', 'WindServ', { plants: ['Park A'] }, false);
      f.user('c');
      if (row.partnerRole) f.member('WindServ', 'c', row.partnerRole);
      f.jobRole('c', { plant: row.plant ?? 'Park A' }, row.jobRole, 'coop');
      assert.deepEqual(plantsReached(f, 'c'), row.expect);
    });
  }

  it('P4: cooperation sharing a portfolio covers plants added to it later', () => {
    const f = baseFleet();
    f.cooperation('coop2', 'SolarCo', 'WindServ', { portfolios: ['North'] });
    f.member('WindServ', 'c', 'member');
    f.jobRole('c', { plant: 'Park B' }, 'operator', 'coop2');
    assert.deepEqual(plantsReached(f, 'c'), []);
    const affected = f.model.putPortfolio({ id: 'North' as never, orgId: 'SolarCo' as never, name: 'North', plantIds: ['Park A', 'Park B'] as never });
    assert.ok(affected.has('c' as UserId), 'the portfolio change names the cooperation user as affected');
    assert.deepEqual(plantsReached(f, 'c'), ['Park B']);
  });

  it('P4: a plant open both ways counts as own', () => {
    const f = baseFleet();
    f.member('SolarCo', 'x', 'member');
    f.member('WindServ', 'x', 'member');
    f.jobRole('x', { plant: 'Park A' }, 'operator', 'coop');
    f.jobRole('x', { plant: 'Park A' }, 'operator');
    assert.deepEqual(
      effectiveRoutes(f.model, 'x' as UserId).map((r) => r.via),
      ['own'],
    );
  });

  it('P4: removing the user from the organization removes the route, and the change names the user', () => {
    const f = baseFleet();
    f.member('SolarCo', 'u', 'member');
    f.jobRole('u', { plant: 'Park A' }, 'operator');
    assert.deepEqual(plantsReached(f, 'u'), ['Park A']);
    assert.ok(f.model.removeMembership('u' as UserId, 'SolarCo' as never).has('u' as UserId));
    assert.deepEqual(plantsReached(f, 'u'), []);
  });

  it('P4: deleting a plant or adding a subnet names every holder as affected', () => {
    const f = baseFleet();
    f.member('SolarCo', 'u', 'member');
    f.jobRole('u', { portfolio: 'North' }, 'operator');
    const added = f.model.putSubnet({ id: 's2' as never, plantId: 'Park A' as never, prefix: { start: 1, length: 32 }, mapped: { start: 2, length: 32 } });
    assert.ok(added.has('u' as UserId));
    assert.equal(effectiveRoutes(f.model, 'u' as UserId).length, 2);
    assert.ok(f.model.removePlant('Park A' as never).has('u' as UserId));
    assert.deepEqual(plantsReached(f, 'u'), []);
  });

  it('explains every related plant with its deciding rule', () => {
    const f = baseFleet();
    f.member('SolarCo', 'g', 'guest');
    f.jobRole('g', { plant: 'Park A' }, 'operator');
    f.member('WindServ', 'g', 'member');
    const why = new Map(explainAccess(f.model, 'g' as UserId).map((e) => [e.plantId as string, e.rule]));
    assert.equal(why.get('Park A'), 'denied: guest');
    assert.equal(why.get('Park B'), 'denied: guest');
  });
});

function states(routes: EffectiveRoute[]): Record<string, string> {
  return Object.fromEntries(routes.map((r) => [`${r.plantId}:${formatCidr(r.prefix)}`, `${r.state}${r.native ? '+native' : ''}`]));
}

describe('P5/P6: overlapping subnets, priorities, disabled routes', () => {
  function twoPlants() {
    const f = new FleetFixture();
    f.org('O');
    f.member('O', 'u', 'member');
    const a = f.subnet(f.plant('O', 'A', []), '192.168.1.0/24');
    const b = f.subnet(f.plant('O', 'B', []), '192.168.1.0/24');
    const c = f.subnet(f.plant('O', 'C', []), '172.16.0.0/24');
    for (const p of ['A', 'B', 'C']) f.jobRole('u', { plant: p }, 'operator');
    return { f, a, b, c };
  }

  it('P5: identical subnets conflict; native is off for both; a lone subnet is active', () => {
    const { f } = twoPlants();
    assert.deepEqual(states(effectiveRoutes(f.model, 'u' as UserId)), {
      'A:192.168.1.0/24': 'conflict',
      'B:192.168.1.0/24': 'conflict',
      'C:172.16.0.0/24': 'active+native',
    });
  });

  it('P5: every subnet keeps a unique mapped prefix of the same length', () => {
    const { f } = twoPlants();
    const routes = effectiveRoutes(f.model, 'u' as UserId);
    const mapped = routes.map((r) => formatCidr(r.mapped));
    assert.equal(new Set(mapped).size, mapped.length);
    for (const r of routes) assert.equal(r.mapped.length, r.prefix.length);
  });

  it('P6: the chosen plant gets priority and the other is shadowed; switching switches', () => {
    const { f, a, b } = twoPlants();
    f.prefer('u', b);
    assert.deepEqual(states(effectiveRoutes(f.model, 'u' as UserId)), {
      'A:192.168.1.0/24': 'shadowed',
      'B:192.168.1.0/24': 'priority+native',
      'C:172.16.0.0/24': 'active+native',
    });
    f.prefer('u', a);
    const after = states(effectiveRoutes(f.model, 'u' as UserId));
    assert.equal(after['A:192.168.1.0/24'], 'priority+native');
    assert.equal(after['B:192.168.1.0/24'], 'shadowed');
  });

  it('P6: disabling one side of a conflict leaves the other active', () => {
    const { f, a } = twoPlants();
    f.disable('u', a);
    assert.deepEqual(states(effectiveRoutes(f.model, 'u' as UserId)), {
      'A:192.168.1.0/24': 'disabled',
      'B:192.168.1.0/24': 'active+native',
      'C:172.16.0.0/24': 'active+native',
    });
  });

  it('P6: a disabled priority is no longer priority; re-enabling restores it', () => {
    const { f, a } = twoPlants();
    f.prefer('u', a);
    f.disable('u', a);
    assert.equal(states(effectiveRoutes(f.model, 'u' as UserId))['B:192.168.1.0/24'], 'active+native');
    f.prefer('u', a);
    assert.equal(states(effectiveRoutes(f.model, 'u' as UserId))['A:192.168.1.0/24'], 'priority+native');
  });

  it('P5: partial overlap (a /16 over a /24) is a conflict too, and lists its partner', () => {
    const f = new FleetFixture();
    f.org('O');
    f.member('O', 'u', 'admin');
    f.plant('O', 'Wide', ['192.168.0.0/16']);
    f.plant('O', 'Narrow', ['192.168.7.0/24']);
    f.jobRole('u', { plant: 'Wide' }, 'operator');
    f.jobRole('u', { plant: 'Narrow' }, 'technical-manager');
    const routes = effectiveRoutes(f.model, 'u' as UserId);
    assert.deepEqual(Object.values(states(routes)), ['conflict', 'conflict']);
    const partners = conflictPartners(routes);
    for (const r of routes) assert.equal(partners.get(r.subnetId)?.length, 1);
  });

  it('P5: priority on a narrow subnet shadows the wide one; a third subnet under the wide one stays unresolved', () => {
    const f = new FleetFixture();
    f.org('O');
    f.member('O', 'u', 'admin');
    f.plant('O', 'Wide', ['192.168.0.0/16']);
    const n1 = f.subnet(f.plant('O', 'N1', []), '192.168.1.0/24');
    f.plant('O', 'N2', ['192.168.2.0/24']);
    for (const p of ['Wide', 'N1', 'N2']) f.jobRole('u', { plant: p }, 'operator');
    f.prefer('u', n1);
    assert.deepEqual(states(effectiveRoutes(f.model, 'u' as UserId)), {
      'Wide:192.168.0.0/16': 'shadowed',
      'N1:192.168.1.0/24': 'priority+native',
      'N2:192.168.2.0/24': 'conflict',
    });
  });

  it('P5: the most recent of two overlapping priorities wins', () => {
    const { f, a, b } = twoPlants();
    f.prefer('u', a);
    f.prefer('u', b);
    const s = states(effectiveRoutes(f.model, 'u' as UserId));
    assert.equal(s['B:192.168.1.0/24'], 'priority+native');
    assert.equal(s['A:192.168.1.0/24'], 'shadowed');
  });

  it('P5: conflicts are per user: a user reaching only one of two identical subnets has it active', () => {
    const { f } = twoPlants();
    f.member('O', 'solo', 'member');
    f.jobRole('solo', { plant: 'A' }, 'operator');
    assert.deepEqual(states(effectiveRoutes(f.model, 'solo' as UserId)), { 'A:192.168.1.0/24': 'active+native' });
  });
});
