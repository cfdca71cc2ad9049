import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteView } from '../../../../src/core/wire/api.ts';
import { nativePrefixes, routeSections } from './route-groups.ts';

function route(plant: string, subnet: string, state: RouteView['state'], conflictsWith: Array<{ plant: string; subnet: string }> = []): RouteView {
  return {
    plant,
    plantId: plant,
    organization: 'SolarCo',
    via: 'own',
    subnet,
    mapped: '100.80.0.0/24',
    native: state === 'active' || state === 'priority',
    state,
    conflictsWith,
  };
}

test('P5: two plants on 192.168.1.0/24 form one conflict group, marked unresolved until one is chosen', () => {
  const routes = [
    route('Park A', '192.168.1.0/24', 'conflict', [{ plant: 'Park B', subnet: '192.168.1.0/24' }]),
    route('Park B', '10.20.30.0/24', 'active'),
    route('Park B', '192.168.1.0/24', 'conflict', [{ plant: 'Park A', subnet: '192.168.1.0/24' }]),
  ];
  const sections = routeSections(routes);
  assert.equal(sections.length, 2);
  assert.equal(sections[0]?.kind, 'conflict');
  if (sections[0]?.kind !== 'conflict') return;
  assert.deepEqual(
    sections[0].routes.map((r) => r.plant),
    ['Park A', 'Park B'],
  );
  assert.equal(sections[0].unresolved, true);
  assert.equal(sections[0].priority, null);
  assert.equal(sections[1]?.kind, 'single');
});

test('P6: the chosen plant is the group priority; a chain of overlaps is one group', () => {
  const routes = [
    route('A', '10.0.0.0/16', 'priority', [{ plant: 'B', subnet: '10.0.1.0/24' }]),
    route('B', '10.0.1.0/24', 'shadowed', [
      { plant: 'A', subnet: '10.0.0.0/16' },
      { plant: 'C', subnet: '10.0.1.0/25' },
    ]),
    route('C', '10.0.1.0/25', 'shadowed', [{ plant: 'B', subnet: '10.0.1.0/24' }]),
  ];
  const sections = routeSections(routes);
  assert.equal(sections.length, 1);
  const [group] = sections;
  assert.equal(group?.kind === 'conflict' && group.priority?.plant, 'A');
  assert.equal(group?.kind === 'conflict' && group.unresolved, false);
});

test('a refreshed profile is needed exactly when the set of native prefixes changes', () => {
  const before = [route('A', '192.168.1.0/24', 'conflict'), route('B', '192.168.1.0/24', 'conflict')];
  const after = [route('A', '192.168.1.0/24', 'priority'), route('B', '192.168.1.0/24', 'shadowed')];
  assert.notEqual(nativePrefixes(before), nativePrefixes(after));
  const disabledElsewhere = [route('A', '192.168.1.0/24', 'priority'), route('B', '192.168.1.0/24', 'disabled')];
  assert.equal(nativePrefixes(after), nativePrefixes(disabledElsewhere));
});
