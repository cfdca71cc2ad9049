import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrgId, OrgVpn, OrgVpnId, PlantId } from '../model.ts';
import { formatCidr } from '../net/ipv4.ts';
import { FleetFixture } from '../testing/fleet-fixture.ts';
import { judgeOrgVpnPlant, orgVpnEligiblePlants, orgVpnRoutes } from './routes.ts';

/** WindServ runs a control room; SolarCo shares Park S with it. Two plants share 192.168.1.0/24. */
function fleet(): FleetFixture {
  const f = new FleetFixture();
  f.org('WindServ');
  f.org('SolarCo');
  f.plant('WindServ', 'Park W', ['192.168.1.0/24']);
  f.plant('WindServ', 'Park X', ['10.20.0.0/24']);
  f.plant('SolarCo', 'Park S', ['192.168.1.0/24']);
  f.plant('SolarCo', 'Park T', ['10.30.0.0/24']);
  f.cooperation('coop', 'SolarCo', 'WindServ', { plants: ['Park S'] });
  return f;
}

const vpn = (plants: string[]): OrgVpn => ({ id: 'v1' as OrgVpnId, orgId: 'WindServ' as OrgId, name: 'control room', region: 'eu', plantIds: plants as PlantId[] });

describe('O1: which plants an organization VPN may route', () => {
  const rows: Array<{ name: string; setup: (f: FleetFixture) => void; expect: string[] }> = [
    { name: 'O1: own plants always', setup: () => undefined, expect: ['Park W', 'Park X'] },
    { name: 'O1: a cooperation plant with an Operator member of the organization', setup: (f) => { f.member('WindServ', 'op', 'member'); f.jobRole('op', { plant: 'Park S' }, 'operator', 'coop'); }, expect: ['Park S', 'Park W', 'Park X'] },
    { name: 'O1: a cooperation plant with only a Technical Manager is not routed', setup: (f) => { f.member('WindServ', 'tm', 'admin'); f.jobRole('tm', { plant: 'Park S' }, 'technical-manager', 'coop'); }, expect: ['Park W', 'Park X'] },
    { name: 'O1: an Operator who is a Guest of the organization does not count', setup: (f) => { f.member('WindServ', 'g', 'guest'); f.jobRole('g', { plant: 'Park S' }, 'operator', 'coop'); }, expect: ['Park W', 'Park X'] },
    { name: 'O1: an ended cooperation routes nothing', setup: (f) => { f.member('WindServ', 'op', 'member'); f.jobRole('op', { plant: 'Park S' }, 'operator', 'coop'); f.cooperation('coop', 'SolarCo', 'WindServ', { plants: ['Park S'] }, false); }, expect: ['Park W', 'Park X'] },
    { name: 'O1: an unshared plant of the owner is never routed', setup: (f) => { f.member('WindServ', 'op', 'member'); f.jobRole('op', { plant: 'Park T' }, 'operator', 'coop'); }, expect: ['Park W', 'Park X'] },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const f = fleet();
      row.setup(f);
      assert.deepEqual([...orgVpnEligiblePlants(f.model, 'WindServ' as OrgId).keys()].sort(), row.expect);
    });
  }

  it('a refusal says why: not shared, ended, no operator', () => {
    const f = fleet();
    assert.deepEqual(judgeOrgVpnPlant(f.model, 'WindServ' as OrgId, 'Park T' as PlantId), { eligible: false, reason: 'not-shared' });
    assert.deepEqual(judgeOrgVpnPlant(f.model, 'WindServ' as OrgId, 'Park S' as PlantId), { eligible: false, reason: 'no-operator' });
    f.cooperation('coop', 'SolarCo', 'WindServ', { plants: ['Park S'] }, false);
    assert.deepEqual(judgeOrgVpnPlant(f.model, 'WindServ' as OrgId, 'Park S' as PlantId), { eligible: false, reason: 'cooperation-ended' });
    assert.deepEqual(judgeOrgVpnPlant(f.model, 'WindServ' as OrgId, 'nope' as PlantId), { eligible: false, reason: 'no-such-plant' });
  });
});

describe('O1 + P5: routes of an organization VPN', () => {
  it('P5: mapped always; native only where no other route of this VPN overlaps', () => {
    const f = fleet();
    f.member('WindServ', 'op', 'member');
    f.jobRole('op', { plant: 'Park S' }, 'operator', 'coop');
    const routes = orgVpnRoutes(f.model, vpn(['Park W', 'Park S', 'Park X']));
    const view = routes.map((r) => `${r.plantId} ${formatCidr(r.prefix)} ${r.native ? 'native' : 'mapped-only'}`).sort();
    assert.deepEqual(view, ['Park S 192.168.1.0/24 mapped-only', 'Park W 192.168.1.0/24 mapped-only', 'Park X 10.20.0.0/24 native']);
    assert.equal(new Set(routes.map((r) => formatCidr(r.mapped))).size, 3, 'every subnet keeps its own mapped prefix');
  });

  it('P5: a conflict that is not in this VPN does not matter (the other plant is not routed)', () => {
    const routes = orgVpnRoutes(fleet().model, vpn(['Park W']));
    assert.deepEqual(routes.map((r) => r.native), [true]);
  });

  it('O1 item 8: a plant whose cooperation ended leaves the routes at once', () => {
    const f = fleet();
    f.member('WindServ', 'op', 'member');
    f.jobRole('op', { plant: 'Park S' }, 'operator', 'coop');
    assert.equal(orgVpnRoutes(f.model, vpn(['Park S'])).length, 1);
    f.cooperation('coop', 'SolarCo', 'WindServ', { plants: ['Park S'] }, false);
    assert.deepEqual(orgVpnRoutes(f.model, vpn(['Park S'])), []);
  });

  it('a plant not chosen is not routed, even when eligible', () => {
    assert.deepEqual(orgVpnRoutes(fleet().model, vpn(['Park X'])).map((r) => r.plantId), ['Park X']);
  });
});
