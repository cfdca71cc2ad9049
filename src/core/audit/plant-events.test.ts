import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type StoredEvent, eventConcernsAnyPlant, eventConcernsPlant } from './plant-events.ts';

const plant = { id: 'p-a', name: 'Park A', orgId: 'o-solar', orgName: 'SolarCo' };
const users = new Set(['u-alice']);
const ev = (kind: string, extra: Partial<StoredEvent> = {}, details: Record<string, unknown> = {}): StoredEvent => ({
  id: 1,
  at: '2026-11-30T10:00:00.000Z',
  kind,
  actorId: null,
  subjectId: null,
  orgId: null,
  details,
  ...extra,
});

describe('A4 events in a plant\u2019s audit view (issue 10 item 8)', () => {
  const cases: Array<{ name: string; event: StoredEvent; expected: boolean }> = [
    { name: 'a direct VPN event of the plant', event: ev('direct-vpn.created', { orgId: 'o-solar' }, { plantId: 'p-a', plant: 'Park A' }), expected: true },
    { name: 'a direct VPN event of another plant', event: ev('direct-vpn.created', { orgId: 'o-solar' }, { plantId: 'p-b', plant: 'Park B' }), expected: false },
    { name: 'a subnet added to the plant by its organization', event: ev('org.subnet-added', { orgId: 'o-solar' }, { plant: 'Park A', cidr: '10.0.0.0/24' }), expected: true },
    { name: 'a plant of the same name in another organization', event: ev('org.subnet-added', { orgId: 'o-other' }, { plant: 'Park A' }), expected: false },
    { name: 'the rename that gave the plant its name', event: ev('org.plant-renamed', { orgId: 'o-solar' }, { plant: 'Old', to: 'Park A' }), expected: true },
    { name: 'the plant\u2019s agent enrolled', event: ev('daemon.enrolled', {}, { plant: 'Park A' }), expected: true },
    { name: 'routes into the plant added (a partner organization\u2019s grant)', event: ev('routes.changed', { orgId: 'o-partner', subjectId: 'u-bob' }, { added: ['SolarCo/Park A 10.0.0.0/24'], removed: [] }), expected: true },
    { name: 'routes out of the plant removed', event: ev('routes.changed', { subjectId: 'u-bob' }, { added: [], removed: ['SolarCo/Park A 10.0.0.0/24'] }), expected: true },
    { name: 'routes into a plant whose name only starts the same', event: ev('routes.changed', { subjectId: 'u-bob' }, { added: ['SolarCo/Park AB 10.0.0.0/24'] }), expected: false },
    { name: 'a profile issued to a plant user', event: ev('profile.issued', { subjectId: 'u-alice' }), expected: true },
    { name: 'a login of a plant user', event: ev('auth.login', { subjectId: 'u-alice' }), expected: true },
    { name: 'a failed login of a plant user', event: ev('auth.login-failed', { subjectId: 'u-alice' }), expected: true },
    { name: 'a profile revoked of someone else', event: ev('profile.revoked', { subjectId: 'u-zed' }), expected: false },
    { name: 'a login of an unknown email', event: ev('auth.login-failed', { subjectId: null }), expected: false },
    { name: 'an installation-wide fleet apply', event: ev('fleet.applied', {}, { plant: 'Park A' }), expected: false },
  ];
  for (const c of cases) it(`${c.expected ? 'shows' : 'hides'} ${c.name}`, () => assert.equal(eventConcernsPlant(c.event, plant, users), c.expected));

  it('an organization\u2019s sink gets an event when any of its plants is concerned', () => {
    const other = { plant: { id: 'p-b', name: 'Park B', orgId: 'o-solar', orgName: 'SolarCo' }, users: new Set<string>() };
    assert.equal(eventConcernsAnyPlant(ev('org.device-added', { orgId: 'o-solar' }, { plant: 'Park B' }), [{ plant, users }, other]), true);
    assert.equal(eventConcernsAnyPlant(ev('org.device-added', { orgId: 'o-solar' }, { plant: 'Park C' }), [{ plant, users }, other]), false);
  });
});
