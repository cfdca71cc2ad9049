import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobRoleName, OrgRole, PlantId, UserId } from '../model.ts';
import { FleetFixture } from '../testing/fleet-fixture.ts';
import { explainPlantAccess } from './explain-plant.ts';

/** SolarCo owns Park A (in portfolio North) and Park B; WindServ cooperates on Park A. */
function fleet(): FleetFixture {
  const f = new FleetFixture();
  f.org('SolarCo');
  f.org('WindServ');
  f.plant('SolarCo', 'Park A', ['192.168.1.0/24']);
  f.plant('SolarCo', 'Park B', ['10.10.0.0/24']);
  f.portfolio('SolarCo', 'North', ['Park A']);
  f.cooperation('coop', 'SolarCo', 'WindServ', { plants: ['Park A'] });
  f.user('u');
  return f;
}

type Row = {
  name: string;
  orgRole?: OrgRole;
  partnerRole?: OrgRole;
  jobRoles?: Array<{ on: { plant: string } | { portfolio: string }; role: JobRoleName; coop?: boolean }>;
  plant?: string;
  reaches: boolean;
  via: 'own' | 'cooperation' | null;
  decisive: string;
  steps: boolean[];
};

const rows: Row[] = [
  { name: 'P4: member with Operator on the plant reaches it', orgRole: 'member', jobRoles: [{ on: { plant: 'Park A' }, role: 'operator' }], reaches: true, via: 'own', decisive: 'granted: operator', steps: [true, true] },
  { name: 'P4: Technical Manager through the portfolio reaches it', orgRole: 'admin', jobRoles: [{ on: { portfolio: 'North' }, role: 'technical-manager' }], reaches: true, via: 'own', decisive: 'granted: technical-manager', steps: [true, true] },
  { name: 'P4: a Viewer does not', orgRole: 'member', jobRoles: [{ on: { plant: 'Park A' }, role: 'viewer' }], reaches: false, via: null, decisive: 'denied: job role viewer', steps: [true, false] },
  { name: 'P4: a Guest does not, even as Operator', orgRole: 'guest', jobRoles: [{ on: { plant: 'Park A' }, role: 'operator' }], reaches: false, via: null, decisive: 'denied: guest', steps: [false, false] },
  { name: 'P4: a member without job role does not, and is told to grant one', orgRole: 'member', reaches: false, via: null, decisive: 'denied: no job role', steps: [true, false] },
  { name: 'P4: a job role on another plant does not count', orgRole: 'member', jobRoles: [{ on: { plant: 'Park B' }, role: 'operator' }], reaches: false, via: null, decisive: 'denied: no job role', steps: [true, false] },
  { name: 'P4: own Operator wins over a denied rule', orgRole: 'member', jobRoles: [{ on: { portfolio: 'North' }, role: 'viewer' }, { on: { plant: 'Park A' }, role: 'operator' }], reaches: true, via: 'own', decisive: 'granted: operator', steps: [true, false, true] },
  { name: 'P4: cooperation Operator of the partner reaches the shared plant', partnerRole: 'member', jobRoles: [{ on: { plant: 'Park A' }, role: 'operator', coop: true }], reaches: true, via: 'cooperation', decisive: 'granted: cooperation operator', steps: [false, true] },
  { name: 'P4: cooperation needs Operator', partnerRole: 'admin', jobRoles: [{ on: { plant: 'Park A' }, role: 'technical-manager', coop: true }], reaches: false, via: null, decisive: 'denied: cooperation requires operator', steps: [false, false] },
  { name: 'P4: an unrelated user is not a member and holds nothing', reaches: false, via: null, decisive: 'denied: not a member of the organization', steps: [false, false] },
];

describe('explainPlantAccess: why a user reaches or does not reach a plant', () => {
  for (const row of rows) {
    it(row.name, () => {
      const f = fleet();
      if (row.orgRole) f.member('SolarCo', 'u', row.orgRole);
      if (row.partnerRole) f.member('WindServ', 'u', row.partnerRole);
      for (const jr of row.jobRoles ?? []) f.jobRole('u', jr.on, jr.role, jr.coop ? 'coop' : null);
      const e = explainPlantAccess(f.model, 'u' as UserId, (row.plant ?? 'Park A') as PlantId);
      assert.equal(e.reaches, row.reaches);
      assert.equal(e.via, row.via);
      assert.equal(e.decisive, row.decisive);
      assert.deepEqual(e.steps.map((s) => s.ok), row.steps, JSON.stringify(e.steps));
    });
  }

  it('a missing plant is explained, not thrown', () => {
    assert.equal(explainPlantAccess(fleet().model, 'u' as UserId, 'nope' as PlantId).decisive, 'denied: plant does not exist');
  });
});
