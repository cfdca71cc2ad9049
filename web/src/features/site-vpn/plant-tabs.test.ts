import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowedPlantActions, type PlantStanding } from '../../../../src/core/permissions.ts';
import { parseSharedPlantPath, sharedPlantPath, visiblePlantTabs } from './plant-tabs.ts';

const standing = (over: Partial<PlantStanding>): PlantStanding => ({
  platformOperator: false,
  orgRole: null,
  ownJobRoles: [],
  cooperationJobRoles: [],
  ...over,
});

test('D10: the Site VPN and User VPN tabs follow PLANT_PERMISSIONS (the table the server enforces)', () => {
  const rows: Array<[string, PlantStanding, boolean, string[]]> = [
    ['Admin of the plant organization', standing({ orgRole: 'admin' }), true, ['overview', 'site-vpn', 'user-vpn', 'web-targets']],
    ['Member, Operator on the plant', standing({ orgRole: 'member', ownJobRoles: ['operator'] }), true, ['overview', 'site-vpn', 'user-vpn', 'web-targets']],
    ['Member, Viewer on the plant (demo vera)', standing({ orgRole: 'member', ownJobRoles: ['viewer'] }), true, ['overview']],
    ['Guest, Operator on the plant', standing({ orgRole: 'guest', ownJobRoles: ['operator'] }), true, ['overview']],
    ['cooperation Operator (demo carol), partner page', standing({ cooperationJobRoles: ['operator'] }), false, ['site-vpn', 'user-vpn']],
    ['cooperation Asset Manager', standing({ cooperationJobRoles: ['asset-manager'] }), false, []],
  ];
  for (const [name, s, withOverview, tabs] of rows) assert.deepEqual(visiblePlantTabs(allowedPlantActions(s), withOverview), tabs, name);
});

test('O2: the Web targets tab is for the plant\u2019s managers and for whoever may reach the plant (P4)', () => {
  const rows: Array<[string, PlantStanding, boolean, boolean, string[]]> = [
    ['Moderator (manages, reaches nothing without a job role)', standing({ orgRole: 'moderator' }), true, false, ['overview', 'site-vpn', 'user-vpn', 'web-targets']],
    ['Member, Technical Manager (reaches the plant: opens targets)', standing({ orgRole: 'member', ownJobRoles: ['technical-manager'] }), true, true, ['overview', 'site-vpn', 'user-vpn', 'web-targets']],
    ['cooperation Operator, partner page (reaches the plant)', standing({ cooperationJobRoles: ['operator'] }), false, true, ['site-vpn', 'user-vpn', 'web-targets']],
    ['Member, Viewer (neither)', standing({ orgRole: 'member', ownJobRoles: ['viewer'] }), true, false, ['overview']],
  ];
  for (const [name, s, withOverview, reaches, tabs] of rows) assert.deepEqual(visiblePlantTabs(allowedPlantActions(s), withOverview, reaches), tabs, name);
});

test('shared plant paths survive a round trip; other paths are not shared plant pages', () => {
  assert.equal(sharedPlantPath('p/1'), '/plants/p%2F1/site-vpn');
  assert.deepEqual(parseSharedPlantPath(sharedPlantPath('p/1', 'user-vpn')), { plantId: 'p/1', tab: 'user-vpn' });
  assert.deepEqual(parseSharedPlantPath('/plants/p1'), { plantId: 'p1', tab: null });
  assert.deepEqual(parseSharedPlantPath('/plants/p1/nonsense'), { plantId: 'p1', tab: null });
  assert.equal(parseSharedPlantPath('/plants'), null);
  assert.equal(parseSharedPlantPath('/routes'), null);
});
