import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orgPath, parseOrgPath } from './org-paths.ts';

test('organization paths: tab and plant survive a round trip; other pages are not organization pages', () => {
  const rows: Array<[string, ReturnType<typeof parseOrgPath>]> = [
    ['/routes', null],
    ['/', null],
    ['/orgs', { orgId: null, tab: null, plantId: null, plantTab: null }],
    ['/orgs/o1', { orgId: 'o1', tab: null, plantId: null, plantTab: null }],
    ['/orgs/o1/members', { orgId: 'o1', tab: 'members', plantId: null, plantTab: null }],
    ['/orgs/o1/plants/p%202', { orgId: 'o1', tab: 'plants', plantId: 'p 2', plantTab: null }],
    ['/orgs/o1/members/p2', { orgId: 'o1', tab: 'members', plantId: null, plantTab: null }],
    ['/orgs/o1/unknown', { orgId: 'o1', tab: null, plantId: null, plantTab: null }],
    ['/orgs/o1/plants/%E0%A4%A', { orgId: 'o1', tab: 'plants', plantId: '%E0%A4%A', plantTab: null }],
  ];
  for (const [path, expected] of rows) assert.deepEqual(parseOrgPath(path), expected, path);
  assert.equal(orgPath('o 1', 'plants', 'p/2'), '/orgs/o%201/plants/p%2F2');
  assert.deepEqual(parseOrgPath(orgPath('o 1', 'plants', 'p/2')), { orgId: 'o 1', tab: 'plants', plantId: 'p/2', plantTab: null });
  assert.equal(orgPath('o1', 'members', 'ignored'), '/orgs/o1/members');
  // The plant's Site VPN and User VPN tabs (issue 9); the overview is the plant's own address.
  assert.equal(orgPath('o1', 'plants', 'p1', 'site-vpn'), '/orgs/o1/plants/p1/site-vpn');
  assert.equal(orgPath('o1', 'plants', 'p1', 'overview'), '/orgs/o1/plants/p1');
  assert.deepEqual(parseOrgPath('/orgs/o1/plants/p1/user-vpn'), { orgId: 'o1', tab: 'plants', plantId: 'p1', plantTab: 'user-vpn' });
  assert.deepEqual(parseOrgPath('/orgs/o1/plants/p1/other'), { orgId: 'o1', tab: 'plants', plantId: 'p1', plantTab: null });
});
