import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobRoleName, OrgRole } from './model.ts';
import { allowedPlantActions, mayOnPlant, type PlantAction, type PlantStanding, relatedToPlant } from './permissions.ts';

const on = (orgRole: OrgRole | null, own: JobRoleName[] = [], coop: JobRoleName[] = [], platformOperator = false): PlantStanding => ({
  platformOperator,
  orgRole,
  ownJobRoles: own,
  cooperationJobRoles: coop,
});

describe('mayOnPlant (SPEC D10)', () => {
  const rows: Array<[string, PlantStanding, PlantAction, boolean]> = [
    ['D10: a Technical Manager on the plant sees its direct VPNs', on('member', ['technical-manager']), 'direct-vpn.view', true],
    ['D10: an Operator (higher than Technical Manager) sees them', on('member', ['operator']), 'direct-vpn.view', true],
    ['D10: an Asset Manager does not', on('member', ['asset-manager']), 'direct-vpn.view', false],
    ['D10: a Viewer does not', on('member', ['viewer']), 'direct-vpn.view', false],
    ['D10: a member without a job role does not', on('member'), 'direct-vpn.view', false],
    ['D10: a Guest with a Technical Manager job role does not (guests reach nothing, P4)', on('guest', ['technical-manager']), 'direct-vpn.view', false],
    ['D10: a Technical Manager does not manage them', on('member', ['technical-manager']), 'direct-vpn.manage', false],
    ['D10: an Operator does not manage them', on('member', ['operator']), 'direct-vpn.manage', false],
    ['D10: an Admin of the plant\u2019s organization manages them', on('admin'), 'direct-vpn.manage', true],
    ['D10: a Moderator of the plant\u2019s organization manages them', on('moderator'), 'direct-vpn.manage', true],
    ['D10: a Moderator sees what they manage without a job role', on('moderator'), 'direct-vpn.view', true],
    ['D10: a cooperation Technical Manager sees them', on(null, [], ['technical-manager']), 'direct-vpn.view', true],
    ['D10: cooperation users are read only (Operator within the cooperation)', on(null, [], ['operator']), 'direct-vpn.manage', false],
    ['D10: a cooperation Viewer does not see them', on(null, [], ['viewer']), 'direct-vpn.view', false],
    ['a stranger sees nothing', on(null), 'direct-vpn.view', false],
    ['a platform operator manages every plant\u2019s direct VPNs', on(null, [], [], true), 'direct-vpn.manage', true],
    ['O2: an Admin of the plant\u2019s organization manages its web targets', on('admin'), 'web-target.manage', true],
    ['O2: a Moderator manages them', on('moderator'), 'web-target.manage', true],
    ['O2: the plant\u2019s Operator job role manages them', on('member', ['operator']), 'web-target.manage', true],
    ['O2: a Technical Manager does not', on('member', ['technical-manager']), 'web-target.manage', false],
    ['O2: a plain member does not', on('member'), 'web-target.manage', false],
    ['O2: a Guest with the Operator job role does not', on('guest', ['operator']), 'web-target.manage', false],
    ['O2: an Operator within a cooperation does not (the operator organization runs the targets)', on(null, [], ['operator']), 'web-target.manage', false],
  ];
  for (const [name, standing, action, expected] of rows) it(name, () => assert.equal(mayOnPlant(standing, action), expected));
});

describe('allowedPlantActions / relatedToPlant', () => {
  it('a cooperation Technical Manager may only view', () => assert.deepEqual(allowedPlantActions(on(null, [], ['technical-manager'])), ['direct-vpn.view']));
  it('a Moderator may view, manage and discover', () => assert.deepEqual(allowedPlantActions(on('moderator')), ['direct-vpn.view', 'direct-vpn.manage', 'plant.discover', 'web-target.manage']));
  it('S2: a Viewer is related to the plant (a refusal is 403), a stranger is not (404)', () => {
    assert.equal(relatedToPlant(on('member', ['viewer'])), true);
    assert.equal(relatedToPlant(on(null)), false);
  });
});
