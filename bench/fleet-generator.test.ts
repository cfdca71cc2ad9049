import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JOB_ROLES, ORG_ROLES, type Subnet } from '../src/core/model.ts';
import { cidr, formatCidr, overlaps } from '../src/core/net/ipv4.ts';
import { COMMON_RANGES, buildModel, generateFleet, toFleetFile } from './fleet-generator.ts';

// One scale-1 fleet shared by the count checks (generating it takes ~0.2 s).
const fleet = generateFleet({ seed: 7, scale: 1 });

describe('fleet generator', () => {
  it('is deterministic: same seed, same fleet; another seed, another fleet', () => {
    const small = { users: 600, plants: 300, organizations: 6, cooperations: 30 };
    const a = generateFleet({ seed: 42, scale: 1, ...small });
    const b = generateFleet({ seed: 42, scale: 1, ...small });
    const c = generateFleet({ seed: 43, scale: 1, ...small });
    assert.deepEqual(a, b);
    assert.deepEqual(toFleetFile(a), toFleetFile(b));
    assert.notDeepEqual(a.jobRoles, c.jobRoles);
  });

  it('has the counts asked for at scale 1', () => {
    assert.equal(fleet.users.length, 10_000);
    assert.equal(fleet.plants.length, 5_000);
    assert.equal(fleet.subnets.length, 10_000);
    assert.equal(fleet.organizations.length, 50);
    assert.equal(fleet.cooperations.length, 500);
    assert.equal(fleet.options.mappedSpace, '100.96.0.0/11');
  });

  it('puts a third of the subnets on common ranges and keeps the rest unique, /24 to /28', () => {
    const common = new Set(Object.keys(COMMON_RANGES));
    const onCommon = fleet.subnets.filter((s) => common.has(formatCidr(s.prefix)));
    assert.equal(onCommon.length, Math.floor(fleet.subnets.length / 3));
    const rest = fleet.subnets.filter((s) => !common.has(formatCidr(s.prefix))).sort((x, y) => x.prefix.start - y.prefix.start);
    for (let i = 1; i < rest.length; i++) assert.ok(!overlaps((rest[i - 1] as Subnet).prefix, (rest[i] as Subnet).prefix), 'unique subnets overlap');
    assert.ok(rest.every((s) => s.prefix.length >= 24 && s.prefix.length <= 28));
    assert.ok(fleet.subnets.every((s) => !overlaps(s.prefix, cidr(fleet.options.mappedSpace))));
  });

  it('gives every subnet its own mapped prefix of the same length', () => {
    const mapped = new Set(fleet.subnets.map((s) => formatCidr(s.mapped)));
    assert.equal(mapped.size, fleet.subnets.length);
    assert.ok(fleet.subnets.every((s) => s.mapped.length === s.prefix.length));
  });

  it('uses every org role and every job role kind, on plants and portfolios, in and out of cooperations', () => {
    assert.deepEqual(new Set(fleet.memberships.map((m) => m.role)), new Set(ORG_ROLES));
    assert.deepEqual(new Set(fleet.jobRoles.map((jr) => jr.role)), new Set(JOB_ROLES));
    assert.deepEqual(new Set(fleet.jobRoles.map((jr) => jr.target.kind)), new Set(['plant', 'portfolio']));
    const inCooperations = fleet.jobRoles.filter((jr) => jr.cooperationId !== null);
    assert.ok(inCooperations.length >= 500);
    assert.ok(inCooperations.filter((jr) => jr.role === 'operator').length > inCooperations.length / 2);
  });

  it('gives most users a handful to a few dozen plants and a few users hundreds', () => {
    const model = buildModel(fleet);
    const plantsPerUser = fleet.users.map((u) => {
      const plants = new Set<string>();
      for (const jr of model.jobRolesOf(u.id)) {
        if (jr.target.kind === 'plant') plants.add(jr.target.plantId);
        else for (const p of model.portfolios.get(jr.target.portfolioId)?.plantIds ?? []) plants.add(p);
      }
      return plants.size;
    });
    const sorted = [...plantsPerUser].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    assert.ok(median >= 3 && median <= 36, `median ${median}`);
    const big = plantsPerUser.filter((n) => n >= 100).length;
    assert.ok(big >= 10 && big <= fleet.users.length * 0.03, `${big} users with 100+ plants`);
  });

  it('has preferences, and a profile with its own tunnel IP for most users', () => {
    assert.ok(fleet.preferences.length > 100);
    assert.ok(fleet.profiles.length > fleet.users.length * 0.7);
    assert.equal(new Set(fleet.profiles.map((p) => p.tunnelIp)).size, fleet.profiles.length);
  });

  it('turns into a fleet file that names only things it defines', () => {
    const file = toFleetFile(fleet);
    assert.equal(file.users.length, 10_000);
    assert.equal(file.organizations.length, 50);
    const emails = new Set(file.users.map((u) => u.email));
    const orgNames = new Set(file.organizations.map((o) => o.name));
    for (const org of file.organizations) {
      const plants = new Set(org.plants.map((p) => p.name));
      const portfolios = new Set(org.portfolios.map((p) => p.name));
      for (const m of org.members) assert.ok(emails.has(m.email));
      for (const p of org.portfolios) for (const name of p.plants) assert.ok(plants.has(name));
      for (const jr of org.jobRoles) assert.ok('plant' in jr ? plants.has(jr.plant) : portfolios.has(jr.portfolio));
      for (const c of org.cooperations) {
        assert.ok(orgNames.has(c.partner) && c.partner !== org.name);
        for (const name of c.plants) assert.ok(plants.has(name));
      }
      for (const plant of org.plants) assert.ok(plant.devices.length >= 2);
    }
    assert.equal(file.organizations.reduce((n, o) => n + o.plants.length, 0), 5_000);
  });
});
