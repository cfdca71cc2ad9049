import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orgEditScale } from './org-edit-scale.ts';

// CI runs the org-edit benchmark at a reduced size; the 10,000-user figures are in bench/RESULTS.md ("Issue 8 — organization self-service").
describe('organization self-service change at scale (reduced size)', () => {
  it('issue 8: a job-role grant, a subnet add/remove and the plant list work on a generated fleet', async () => {
    const r = await orgEditScale({ users: 400, runs: 2, seed: 5, database: 'sqlite' });
    assert.ok(r.plantsInOrg > 0);
    for (const ms of [r.grantJobRoleMedianMs, r.addSubnetMedianMs, r.removeSubnetMedianMs, r.listPlantsMedianMs]) assert.ok(ms > 0 && ms < 10_000, JSON.stringify(r));
  });
});
