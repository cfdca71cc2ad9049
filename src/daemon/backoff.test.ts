import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  const options = { initialMs: 500, maxMs: 30_000 };
  const rows: Array<[string, number, number, number]> = [
    ['no failure, no wait', 0, 0, 0],
    ['first failure waits the initial delay', 1, 0, 500],
    ['doubles per failure', 3, 0, 2000],
    ['capped at max', 10, 0, 30_000],
    ['still capped after very many failures (no overflow)', 5000, 0, 30_000],
    ['jitter shortens by at most 20 %', 10, 0.999, 24_006],
  ];
  for (const [name, failures, jitter, expected] of rows) {
    it(name, () => assert.equal(backoffDelay(failures, options, jitter), expected));
  }
});
