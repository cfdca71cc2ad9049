import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditIngest } from './b6-audit-ingest.ts';

// CI runs B6 at a reduced size; the full-size figures are in bench/RESULTS.md ("Issue 10 — B6 audit flow ingest").
describe('B6 audit flow ingest (reduced size)', () => {
  it('B6: every record sent through the ingest endpoint is stored exactly once; a resent batch stores nothing', async () => {
    const r = await auditIngest({ database: 'sqlite', batches: 3, batch: 400, parallel: 2, runs: 2, plants: 5 });
    assert.equal(r.stored, r.sent, JSON.stringify(r));
    assert.equal(r.retryDuplicate, true);
    assert.ok(r.medianFlowsPerSecond > 0);
  });
});
