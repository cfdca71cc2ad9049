import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUDGETS, measureWebBudgets } from './web-budgets.ts';

// CI size: 40 routes, one run. The recorded figures (500 routes, 7 runs) are in bench/RESULTS.md.
test('issue 8 budgets, small size: initial JavaScript under 350 kB gzipped; the routes page draws its first view and reaches the last route by scrolling', async () => {
  const result = await measureWebBudgets({ routes: 40, runs: 1 });
  assert.ok(result.initialJsGzipBytes > 10_000, `the measurement saw the scripts (${result.initialJsGzipBytes} bytes)`);
  assert.ok(result.initialJsGzipBytes < BUDGETS.initialJsGzipBytes, `${result.initialJsGzipBytes} bytes`);
  assert.equal(result.routesSettledMs.length, 1);
  assert.ok(result.routesDrawn > 0 && result.routesDrawn <= 40, `${result.routesDrawn} rows drawn`);
  assert.ok(Number.isFinite(result.median.routesScrollEndMs), 'the last route was painted after scrolling to the end');
  assert.ok(Number.isFinite(result.median.routesRenderMs) && Number.isFinite(result.median.signInInteractiveMs));
});
