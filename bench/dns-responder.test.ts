import assert from 'node:assert/strict';
import { it } from 'node:test';
import { benchDnsResponder } from './dns-responder.ts';

// Smoke at the smallest size: the benchmark drives the real server's responder over UDP.
it('bench/dns-responder.ts answers queries from a load generator through the real responder (1 run, 1 s)', async () => {
  const result = await benchDnsResponder({ runs: 1, seconds: 1, inFlight: 4, regions: 2 });
  assert.equal(result.answersPerSecond.length, 1);
  assert.ok(result.medianAnswersPerSecond > 0, JSON.stringify(result));
});
