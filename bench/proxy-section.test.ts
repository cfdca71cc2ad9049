import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proxySectionBench } from './proxy-section.ts';

// CI runs the proxy section benchmark at a reduced size (600 users, 300 plants, 1,000 sessions);
// the installation-size figures are in bench/RESULTS.md ("Issue 12 — browser proxy, control plane").
describe('proxy section derivation (reduced size)', () => {
  it('issue 12: the section lists one target per plant, keeps the sessions whose users still reach their plant and reports the others ended', () => {
    const r = proxySectionBench({ scale: 1, users: 600, plants: 300, sessions: 1000, runs: 3, seed: 2 });
    assert.equal(r.targets, r.plants);
    assert.equal(r.open + r.ended, r.sessions);
    assert.ok(r.open > r.sessions * 0.7 && r.ended > r.sessions * 0.1, `${r.open} open, ${r.ended} ended`);
    assert.ok(r.deriveMsMedian < 1000, `${r.deriveMsMedian} ms`);
  });
});
