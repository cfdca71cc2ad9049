import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedOrgActions, invitableRoles, mayInOrg, type OrgAction, type OrgStanding } from './permissions.ts';

const as = (role: OrgStanding['role'], platformOperator = false): OrgStanding => ({ role, platformOperator });

describe('mayInOrg', () => {
  const rows: Array<[string, OrgStanding, OrgAction, boolean]> = [
    ['S2: a non-member may do nothing', as(null), 'org.view', false],
    ['S2: a guest sees the organization', as('guest'), 'org.view', true],
    ['S2: a guest does not see the plants', as('guest'), 'plants.view', false],
    ['a member sees the plants', as('member'), 'plants.view', true],
    ['a member cannot grant job roles', as('member'), 'job-roles.manage', false],
    ['a moderator grants job roles', as('moderator'), 'job-roles.manage', true],
    ['a moderator invites', as('moderator'), 'members.invite', true],
    ['only an admin changes org roles', as('moderator'), 'members.set-role', false],
    ['only an admin removes members', as('moderator'), 'members.remove', false],
    ['only an admin deletes plants', as('moderator'), 'plants.delete', false],
    ['only an admin offers or ends cooperations', as('moderator'), 'cooperations.manage', false],
    ['an admin offers cooperations', as('admin'), 'cooperations.manage', true],
    ['a partner admin assigns job roles within the cooperation', as('admin'), 'cooperation.assign-job-roles', true],
    ['a partner moderator does not', as('moderator'), 'cooperation.assign-job-roles', false],
    ['a moderator explains access', as('moderator'), 'access.explain', true],
    ['a member does not', as('member'), 'access.explain', false],
    ['a platform operator may everything, member or not', as(null, true), 'cooperations.manage', true],
    ['A2: admins read their plants\' audit trail', as('admin'), 'audit.read', true],
    ['A2: moderators read their plants\' audit trail', as('moderator'), 'audit.read', true],
    ['A2: members do not (not even the connected user)', as('member'), 'audit.read', false],
    ['A2: guests do not', as('guest'), 'audit.read', false],
    ['A2: a platform operator does not read audit trails by default', as(null, true), 'audit.read', false],
    ['A2: a platform operator does when the server config says so', { role: null, platformOperator: true, operatorReadsAudit: true }, 'audit.read', true],
    ['A2: a platform operator who is the org\'s admin does', as('admin', true), 'audit.read', true],
  ];
  for (const [name, standing, action, expected] of rows) {
    it(name, () => assert.equal(mayInOrg(standing, action), expected));
  }
});

describe('allowedOrgActions / invitableRoles', () => {
  it('a guest may only view the organization', () => assert.deepEqual(allowedOrgActions(as('guest')), ['org.view']));
  it('moderators invite members and guests only', () => assert.deepEqual(invitableRoles(as('moderator')), ['member', 'guest']));
  it('admins invite every role', () => assert.deepEqual(invitableRoles(as('admin')), ['admin', 'moderator', 'member', 'guest']));
  it('members invite nobody', () => assert.deepEqual(invitableRoles(as('member')), []));
});
