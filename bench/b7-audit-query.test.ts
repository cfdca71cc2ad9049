import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditQueryBench } from './b7-audit-query.ts';

// CI runs B7 at a tiny size; the figures at 10M+ stored flows are in bench/RESULTS.md ("Issue 10 — B6/B7 audit performance").
describe('B7 audit day query (reduced size)', () => {
  it('B7: the day query of one plant answers exactly that plant’s records overlapping the day, over a generated trail', async () => {
    const r = await auditQueryBench({ database: 'sqlite', rows: 6000, plants: 20, days: 30, queries: 40, workers: 1 });
    assert.equal(r.storedRows, 6000);
    assert.ok(r.recordsPerAnswer.min >= 1, JSON.stringify(r));
    assert.ok(r.bytesPerRow > 100 && r.bytesPerRow < 5000, JSON.stringify(r));
  });
});
