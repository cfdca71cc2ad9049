import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orgPath, parseOrgPath } from './org-paths.ts';

test('organization paths: tab and plant survive a round trip; other pages are not organization pages', () => {
  const rows: Array<[string, ReturnType<typeof parseOrgPath>]> = [
    ['/routes', null],
    ['/', null],
    ['/orgs', { orgId: null, tab: null, plantId: null }],
    ['/orgs/o1', { orgId: 'o1', tab: null, plantId: null }],
    ['/orgs/o1/members', { orgId: 'o1', tab: 'members', plantId: null }],
    ['/orgs/o1/plants/p%202', { orgId: 'o1', tab: 'plants', plantId: 'p 2' }],
    ['/orgs/o1/members/p2', { orgId: 'o1', tab: 'members', plantId: null }],
    ['/orgs/o1/unknown', { orgId: 'o1', tab: null, plantId: null }],
    ['/orgs/o1/plants/%E0%A4%A', { orgId: 'o1', tab: 'plants', plantId: '%E0%A4%A' }],
  ];
  for (const [path, expected] of rows) assert.deepEqual(parseOrgPath(path), expected, path);
  assert.equal(orgPath('o 1', 'plants', 'p/2'), '/orgs/o%201/plants/p%2F2');
  assert.deepEqual(parseOrgPath(orgPath('o 1', 'plants', 'p/2')), { orgId: 'o 1', tab: 'plants', plantId: 'p/2' });
  assert.equal(orgPath('o1', 'members', 'ignored'), '/orgs/o1/members');
});
