import assert from 'node:assert/strict';
import { it } from 'node:test';
import { measureCliStartup } from './cli-startup.ts';

// Smoke at the smallest size: the benchmark still drives the real bin against a real server.
it('bench/cli-startup.ts measures --version and vpn routes through the real bin (1 run each)', async () => {
  const figures = await measureCliStartup({ runs: 1 });
  assert.deepEqual(
    figures.map((f) => [f.command, f.cache]),
    [
      ['plantgate --version', true],
      ['plantgate vpn routes', true],
      ['plantgate --version', false],
      ['plantgate vpn routes', false],
    ],
  );
  for (const f of figures) assert.ok(f.medianMs > 0 && f.medianMs < 60_000, JSON.stringify(f));
});
