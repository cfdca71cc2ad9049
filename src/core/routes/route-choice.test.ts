import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SubnetId, UserId } from '../model.ts';
import { formatCidr } from '../net/ipv4.ts';
import { FleetFixture } from '../testing/fleet-fixture.ts';
import { effectiveRoutes } from './effective.ts';
import { type RouteChoice, routeChoiceChange } from './route-choice.ts';

/** Plants A and B share 192.168.1.0/24; C stands alone. User u operates all three. */
function twoPlants() {
  const f = new FleetFixture();
  f.org('O');
  f.member('O', 'u', 'member');
  const subnets: Record<string, SubnetId> = {
    A: f.subnet(f.plant('O', 'A', []), '192.168.1.0/24'),
    B: f.subnet(f.plant('O', 'B', []), '192.168.1.0/24'),
    C: f.subnet(f.plant('O', 'C', []), '172.16.0.0/24'),
  };
  for (const p of ['A', 'B', 'C']) f.jobRole('u', { plant: p }, 'operator');
  return { f, subnets };
}

/** Applies the choices as the server does: the change computed from the current model, then written to it. */
function choose(steps: Array<[RouteChoice, string]>): Record<string, string> {
  const { f, subnets } = twoPlants();
  const user = 'u' as UserId;
  steps.forEach(([choice, plant], i) => {
    const routes = effectiveRoutes(f.model, user);
    const route = routes.find((r) => r.subnetId === subnets[plant]) as (typeof routes)[number];
    const change = routeChoiceChange({ userId: user, route, choice, seq: i + 1, preferences: f.model.preferencesOf(user), routes });
    for (const subnetId of change.clear) f.model.clearPreference(user, subnetId);
    for (const preference of change.set) f.model.setPreference(preference);
  });
  return Object.fromEntries(effectiveRoutes(f.model, user).map((r) => [`${r.plantId}:${formatCidr(r.prefix)}`, r.state]));
}

describe('P6: route choices (prefer, disable, enable) as preference changes', () => {
  const rows: Array<{ name: string; steps: Array<[RouteChoice, string]>; expect: { A: string; B: string } }> = [
    {
      name: 'P6: prefer A → disable A → enable A gives A priority again',
      steps: [
        ['priority', 'A'],
        ['disable', 'A'],
        ['enable', 'A'],
      ],
      expect: { A: 'priority', B: 'shadowed' },
    },
    {
      name: 'P6: while A is disabled, B is active',
      steps: [
        ['priority', 'A'],
        ['disable', 'A'],
      ],
      expect: { A: 'disabled', B: 'active' },
    },
    {
      name: 'P6: disable and enable without a choice leaves the conflict unresolved',
      steps: [
        ['disable', 'A'],
        ['enable', 'A'],
      ],
      expect: { A: 'conflict', B: 'conflict' },
    },
    {
      name: 'P6: disabling twice still remembers the priority',
      steps: [
        ['priority', 'A'],
        ['disable', 'A'],
        ['disable', 'A'],
        ['enable', 'A'],
      ],
      expect: { A: 'priority', B: 'shadowed' },
    },
    {
      name: 'P6: a newer choice while A is disabled wins: prefer A → disable A → prefer B → enable A',
      steps: [
        ['priority', 'A'],
        ['disable', 'A'],
        ['priority', 'B'],
        ['enable', 'A'],
      ],
      expect: { A: 'shadowed', B: 'priority' },
    },
    {
      name: 'P6: prefer on a disabled route enables it with priority',
      steps: [
        ['disable', 'A'],
        ['priority', 'A'],
      ],
      expect: { A: 'priority', B: 'shadowed' },
    },
    {
      name: 'P6: enable on an enabled priority keeps the priority',
      steps: [
        ['priority', 'A'],
        ['enable', 'A'],
      ],
      expect: { A: 'priority', B: 'shadowed' },
    },
    {
      name: 'P6: a new priority replaces the one it overlaps: prefer A → prefer B → disable B → enable B',
      steps: [
        ['priority', 'A'],
        ['priority', 'B'],
        ['disable', 'B'],
        ['enable', 'B'],
      ],
      expect: { A: 'shadowed', B: 'priority' },
    },
    {
      name: 'P6: prefer A → prefer B → disable B leaves A without a choice',
      steps: [
        ['priority', 'A'],
        ['priority', 'B'],
        ['disable', 'B'],
      ],
      expect: { A: 'active', B: 'disabled' },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const states = choose(row.steps);
      assert.deepEqual({ A: states['A:192.168.1.0/24'], B: states['B:192.168.1.0/24'] }, row.expect);
      assert.equal(states['C:172.16.0.0/24'], 'active', 'a route outside the group is untouched');
    });
  }
});
