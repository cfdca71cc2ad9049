import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fleetApplyScale } from './fleet-apply-scale.ts';

// CI runs the fleet-apply benchmark at a reduced size (600 users, 300 plants); the
// 10,000-user figures are in bench/RESULTS.md ("Issue 6 — control plane").
describe('fleet apply at scale (reduced size)', () => {
  it('issue 6: one job role change applies as one change and reaches the gateway as a small delta; a revoke is < 10 kB on the wire', async () => {
    const r = await fleetApplyScale({ scale: 1, users: 600, runs: 2, seed: 3, database: 'sqlite', quiet: true });
    assert.ok(r.jobRoleDeltaBytesMedian < 2000, `job role delta ${r.jobRoleDeltaBytesMedian} B`);
    assert.ok(r.revokeWireBytesMedian < 10_000, `revoke delta ${r.revokeWireBytesMedian} B on the wire`);
    assert.ok(r.revokeWireBytesMedian < (r.fullDocumentBytes as number) / 10, 'a delta, not the document');
  });
});
