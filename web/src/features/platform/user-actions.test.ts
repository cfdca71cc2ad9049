import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UserInfo } from '../../../../src/core/wire/users.ts';
import { userActionsFor, userActionText } from './user-actions.ts';

const ME = 'op-1';

function user(overrides: Partial<UserInfo> = {}): UserInfo {
  return {
    id: 'u-1',
    email: 'dave@solarco.example',
    name: 'Dave',
    platformOperator: false,
    disabledAt: null,
    totpEnabled: false,
    passwordMustChange: false,
    profileTunnelIp: null,
    createdAt: '2026-11-30T12:00:00.000Z',
    ...overrides,
  };
}

const rows: Array<[string, UserInfo, string[]]> = [
  ['an active user without factor or profile', user(), ['disable', 'resetPassword', 'grantOperator', 'delete']],
  ['a disabled user is enabled, not disabled', user({ disabledAt: '2026-11-30T12:00:00.000Z' }), ['enable', 'resetPassword', 'grantOperator', 'delete']],
  ['a second factor that is on can be reset', user({ totpEnabled: true }), ['disable', 'resetPassword', 'resetTotp', 'grantOperator', 'delete']],
  ['an active profile can be revoked', user({ profileTunnelIp: '100.96.0.2' }), ['disable', 'resetPassword', 'revokeProfile', 'grantOperator', 'delete']],
  ['an operator loses the role, is not granted it', user({ platformOperator: true }), ['disable', 'resetPassword', 'revokeOperator', 'delete']],
  // The server refuses these on one's own account (409 self / last-operator): not offered.
  ['oneself: no disable, delete, reset or giving up the role', user({ id: ME, platformOperator: true, totpEnabled: true }), []],
  ['oneself: one\u2019s own profile can still be revoked', user({ id: ME, platformOperator: true, profileTunnelIp: '100.96.0.3' }), ['revokeProfile']],
];

for (const [name, info, expected] of rows) {
  test(`platform users: ${name}`, () => {
    assert.deepEqual(userActionsFor(info, ME), expected);
  });
}

test('platform users: every confirmation names the user and a consequence', () => {
  const info = user({ totpEnabled: true, profileTunnelIp: '100.96.0.2', platformOperator: true });
  for (const action of ['disable', 'enable', 'resetPassword', 'resetTotp', 'revokeProfile', 'grantOperator', 'revokeOperator', 'delete'] as const) {
    const text = userActionText(action, info);
    assert.ok(text.title.includes(info.email), `${action}: title names the user`);
    assert.ok(text.consequence.length > 40, `${action}: the consequence is spelled out`);
  }
  assert.match(userActionText('revokeProfile', info).consequence, /100\.96\.0\.2/, 'the revoked profile is named by its tunnel IP');
});
