import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentGapOwner, gapVisibleTo } from './gap-owner.ts';

describe('gap owners: a gateway\u2019s gaps are every plant\u2019s, an agent\u2019s its own plant\u2019s only (issue 10 item 2)', () => {
  const rows: Array<[string, string, string, boolean]> = [
    ['a gateway\u2019s gap shows with any plant', 'gw-1', 'p-a', true],
    ['an agent\u2019s gap shows with its plant', agentGapOwner('p-a', 'ag-1'), 'p-a', true],
    ['an agent\u2019s gap never shows with another plant', agentGapOwner('p-a', 'ag-1'), 'p-b', false],
    ['a plant id that is a prefix of another is not that plant', agentGapOwner('p-ab', 'ag-1'), 'p-a', false],
  ];
  for (const [name, owner, plant, visible] of rows) it(name, () => assert.equal(gapVisibleTo(owner, plant), visible));
});
