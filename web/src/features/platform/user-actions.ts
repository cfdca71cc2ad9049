import type { UserInfo } from '../../../../src/core/wire/users.ts';
import type { UserAction } from './use-platform.ts';

export type UserActionText = { label: string; title: string; consequence: string; confirm: string; danger: boolean };

/**
 * The actions an operator may take on a user now, in menu order. What does not apply is
 * not offered, nor what the server refuses on one's own account (disable, delete, giving
 * up the operator role: change your own password and factor on the account page).
 */
export function userActionsFor(user: UserInfo, myId: string): UserAction[] {
  const self = user.id === myId;
  const actions: UserAction[] = [];
  if (!self) actions.push(user.disabledAt ? 'enable' : 'disable');
  if (!self) actions.push('resetPassword');
  if (user.totpEnabled && !self) actions.push('resetTotp');
  if (user.profileTunnelIp) actions.push('revokeProfile');
  if (!self || !user.platformOperator) actions.push(user.platformOperator ? 'revokeOperator' : 'grantOperator');
  if (!self) actions.push('delete');
  return actions;
}

/** What each action says in its menu and in its confirmation: the consequence, in the user's terms. */
export function userActionText(action: UserAction, user: UserInfo): UserActionText {
  const who = user.email;
  switch (action) {
    case 'disable':
      return {
        label: 'Disable',
        title: `Disable ${who}?`,
        consequence: `${who} can no longer sign in. Every session and API token of theirs stops working now, and their VPN profile is revoked: the peer leaves every gateway at once.`,
        confirm: 'Disable user',
        danger: true,
      };
    case 'enable':
      return {
        label: 'Enable',
        title: `Enable ${who}?`,
        consequence: `${who} can sign in again. Their old profile stays revoked: they issue a new one on the Personal VPN page.`,
        confirm: 'Enable user',
        danger: false,
      };
    case 'resetPassword':
      return {
        label: 'Reset password',
        title: `Reset the password of ${who}?`,
        consequence: `Their current password stops working. plantgate makes a one-time password, shown to you once; ${who} signs in with it and must choose a new one.`,
        confirm: 'Reset password',
        danger: true,
      };
    case 'resetTotp':
      return {
        label: 'Reset second factor',
        title: `Turn off the second factor of ${who}?`,
        consequence: `Signing in as ${who} needs only the password until they turn the second factor on again. Do this only when they lost both their authenticator and their recovery codes.`,
        confirm: 'Turn off second factor',
        danger: true,
      };
    case 'revokeProfile':
      return {
        label: 'Revoke VPN profile',
        title: `Revoke the VPN profile of ${who}?`,
        consequence: `The profile with tunnel IP ${user.profileTunnelIp} leaves every gateway at once: ${who} reaches no plant until they issue a new profile.`,
        confirm: 'Revoke profile',
        danger: true,
      };
    case 'grantOperator':
      return {
        label: 'Make platform operator',
        title: `Make ${who} a platform operator?`,
        consequence: `${who} can then do everything on these pages: change every organization, user, region, gateway and agent.`,
        confirm: 'Make operator',
        danger: false,
      };
    case 'revokeOperator':
      return {
        label: 'Remove platform operator role',
        title: `Remove the platform operator role from ${who}?`,
        consequence: `${who} keeps their account and organization roles but can no longer use the platform pages or the admin commands.`,
        confirm: 'Remove operator role',
        danger: true,
      };
    case 'delete':
      return {
        label: 'Delete',
        title: `Delete ${who}?`,
        consequence: `${who} is deleted with their memberships, job roles, tokens and profiles; their routes leave every gateway. The events about them stay. This cannot be undone.`,
        confirm: 'Delete user',
        danger: true,
      };
  }
}
