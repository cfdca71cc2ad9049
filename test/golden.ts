import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Compares rendered text with a golden file. `UPDATE_GOLDEN=1` rewrites the file
 * instead (review the diff before committing it).
 */
export function assertGolden(actual: string, goldenUrl: URL): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(goldenUrl, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(goldenUrl, 'utf8');
  } catch {
    assert.fail(`golden file missing: ${goldenUrl.pathname} (run with UPDATE_GOLDEN=1 to create it)`);
  }
  assert.equal(actual, expected);
}
