import assert from 'node:assert/strict';
import { it } from 'node:test';
import { liveCapture } from './conntrack-capture-live.ts';

it('live conntrack capture bench (CI size: 2,000 new connections/s for 1 s): every connection reaches the accounting as an event, no gap', async () => {
  const run = await liveCapture({ rate: 2000, seconds: 1 });
  assert.equal(run.connections, 2000);
  assert.equal(run.captured, 2000, JSON.stringify(run));
  assert.equal(run.gaps, 0);
  assert.equal(run.records, 2000, 'one record per (source, port) in the window');
});
