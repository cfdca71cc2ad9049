import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visibleRange } from './use-window-virtual.ts';

test('the drawn sections are exactly those overlapping the viewport and its overscan', () => {
  // Four sections of 50, 100, 50 and 200 px: 0–50, 50–150, 150–200, 200–400.
  const offsets = [0, 50, 150, 200, 400];
  const rows: Array<[string, number, number, [number, number]]> = [
    ['the top of the page', -800, 100, [0, 2]],
    ['a window inside one section', 60, 140, [1, 2]],
    ['a bottom edge on a boundary is not drawn', 0, 150, [0, 2]],
    ['a top edge on a boundary starts at the next', 150, 160, [2, 3]],
    ['past the end', 500, 900, [4, 4]],
    ['everything', -1000, 1000, [0, 4]],
  ];
  for (const [name, from, to, expected] of rows) assert.deepEqual(visibleRange(offsets, from, to), expected, name);
  assert.deepEqual(visibleRange([0], 0, 100), [0, 0], 'an empty list');
});
