import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUDGETS, measureWebBudgets } from './web-budgets.ts';

// CI size: 40 routes, one run. The recorded figures (500 routes, 7 runs) are in bench/RESULTS.md.
test('issue 8 budgets, small size: initial JavaScript under 350 kB gzipped; the routes page draws every route', async () => {
  const result = await measureWebBudgets({ routes: 40, runs: 1 });
  assert.ok(result.initialJsGzipBytes > 10_000, `the measurement saw the scripts (${result.initialJsGzipBytes} bytes)`);
  assert.ok(result.initialJsGzipBytes < BUDGETS.initialJsGzipBytes, `${result.initialJsGzipBytes} bytes`);
  assert.equal(result.routesAllRowsMs.length, 1);
  assert.ok(Number.isFinite(result.median.routesRenderMs) && Number.isFinite(result.median.signInInteractiveMs));
});
