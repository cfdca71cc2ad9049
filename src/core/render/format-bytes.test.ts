import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes } from './format-bytes.ts';

test('byte counters of the gateway status read as wg show prints them', () => {
  const rows: Array<[number, string]> = [
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [10 * 1024, '10.0 KiB'],
    [1_572_864, '1.50 MiB'],
    [5 * 1024 ** 4, '5.00 TiB'],
    [2048 * 1024 ** 4, '2048.0 TiB'],
  ];
  for (const [bytes, text] of rows) assert.equal(formatBytes(bytes), text, String(bytes));
});
