import { z } from 'zod';
import { ProfileInfo } from '../../../core/wire/api.ts';
import { PasswordReset, PasswordResetRequest, UserInfo } from '../../../core/wire/users.ts';
import { type RouteDef, route } from '../../http/registry.ts';
import { deleteUser, disableUser, enableUser, listUsers, resetTotp, resetUserPassword, revokeUserProfile, setPlatformOperator } from './service.ts';

/** Operators administer users: `:user` is an email or a user id (issue 7 item 15). */
export const userRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/admin/users',
    summary: 'List users: operator role, disabled, second factor, active profile',
    tag: 'users',
    auth: 'operator',
    response: z.array(UserInfo),
    handler: ({ ctx }) => listUsers(ctx),
  }),
  route({
    method: 'post',
    path: '/admin/users/:user/disable',
    summary: 'Disable a user: no login, every token and the profile revoked at once (the peer leaves every gateway)',
    tag: 'users',
    auth: 'operator',
    status: 204,
    handler: async ({ ctx, caller, params }) => {
      await disableUser(ctx, caller.userId, params.user as string);
      return undefined;
    },
  }),
  route({
    method: 'post',
    path: '/admin/users/:user/enable',
    summary: 'Re-enable a disabled user (they log in again and issue a new profile)',
    tag: 'users',
    auth: 'operator',
    status: 204,
    handler: async ({ ctx, caller, params }) => {
      await enableUser(ctx, caller.userId, params.user as string);
      return undefined;
    },
  }),
  route({
    method: 'delete',
    path: '/admin/users/:user',
    summary: 'Delete a user with their memberships, job roles, tokens and profiles (the events stay)',
    tag: 'users',
    auth: 'operator',
    status: 204,
    handler: async ({ ctx, caller, params }) => {
      await deleteUser(ctx, caller.userId, params.user as string);
      return undefined;
    },
  }),
  route({
    method: 'post',
    path: '/admin/users/:user/password',
    summary: 'Set a one-time password (given, or generated and shown in this answer only); the user must replace it at the next login',
    tag: 'users',
    auth: 'operator',
    body: PasswordResetRequest,
    response: PasswordReset,
    handler: ({ ctx, caller, params, body }) => resetUserPassword(ctx, caller.userId, params.user as string, body.password),
  }),
  route({
    method: 'post',
    path: '/admin/users/:user/totp/reset',
    summary: 'Turn a user\u2019s second factor off (lost authenticator and recovery codes)',
    tag: 'users',
    auth: 'operator',
    status: 204,
    handler: async ({ ctx, caller, params }) => {
      await resetTotp(ctx, caller.userId, params.user as string);
      return undefined;
    },
  }),
  route({
    method: 'post',
    path: '/admin/users/:user/profile/revoke',
    summary: 'Revoke a user\u2019s personal VPN profile (SPEC P3)',
    tag: 'users',
    auth: 'operator',
    response: ProfileInfo,
    handler: ({ ctx, caller, params }) => revokeUserProfile(ctx, caller.userId, params.user as string),
  }),
  route({
    method: 'put',
    path: '/admin/users/:user/operator',
    summary: 'Grant the platform operator role',
    tag: 'users',
    auth: 'operator',
    status: 204,
    handler: async ({ ctx, caller, params }) => {
      await setPlatformOperator(ctx, caller.userId, params.user as string, true);
      return undefined;
    },
  }),
  route({
    method: 'delete',
    path: '/admin/users/:user/operator',
    summary: 'Revoke the platform operator role (never from the last enabled operator)',
    tag: 'users',
    auth: 'operator',
    status: 204,
    handler: async ({ ctx, caller, params }) => {
      await setPlatformOperator(ctx, caller.userId, params.user as string, false);
      return undefined;
    },
  }),
];
