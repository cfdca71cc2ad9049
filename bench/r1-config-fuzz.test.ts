import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MAX_MS_PER_INPUT, runFuzz } from './r1-config-fuzz.ts';

// CI size of R1 (the full run is 1,000,000 inputs, bench/RESULTS.md): the same generator,
// oracle and product parsers, 20,000 inputs.
it('R1: 20,000 generated and mutated uploads: no crash, none over 50 ms, each parsed or refused with a message, never a default route or a refused directive accepted', () => {
  const report = runFuzz({ inputs: 20_000, seed: 7, rounds: 2 });
  assert.deepEqual(report.failures.map((f) => `${f.parser} ${f.input.how}: ${f.why}`), []);
  assert.equal(report.parsed + report.refused, 20_000);
  assert.ok(report.maxMs <= MAX_MS_PER_INPUT);
  // The generator must reach both outcomes and the stripping path, or the run proves little.
  assert.ok(report.parsed > 1000 && report.refused > 1000 && report.stripped > 1000, JSON.stringify({ ...report, failures: undefined }));
});
