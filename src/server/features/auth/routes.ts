import { z } from 'zod';
import {
  LoginRequest,
  LoginResponse,
  Me,
  PasswordChangeRequest,
  TokenCreateRequest,
  TokenCreated,
  TokenInfo,
  TotpCode,
  TotpConfirmed,
  TotpOrRecoveryCode,
} from '../../../core/wire/api.ts';
import { sourceAddress } from '../../http/source-address.ts';
import { type RouteDef, route } from '../../http/registry.ts';
import { changePassword, createToken, listTokens, logIn, logOut, revokeOwn } from './service.ts';
import { confirmTotp, disableTotp, startTotpEnrolment } from './totp.ts';

export const authRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/auth/login',
    summary: 'Log in with email and password; returns a token valid for 30 days',
    tag: 'auth',
    auth: 'none',
    body: LoginRequest,
    response: LoginResponse,
    handler: ({ ctx, body, c }) => logIn(ctx, body, sourceAddress(c)),
  }),
  route({
    method: 'post',
    path: '/auth/password',
    summary: 'Change your password with the current one (or the one-time password an operator set); ends your login sessions',
    tag: 'auth',
    auth: 'none',
    body: PasswordChangeRequest,
    status: 204,
    handler: async ({ ctx, body, c }) => {
      await changePassword(ctx, body, sourceAddress(c));
      return undefined;
    },
  }),
  route({
    method: 'post',
    path: '/auth/logout',
    summary: 'Revoke the token this request was made with',
    tag: 'auth',
    auth: 'user',
    status: 204,
    handler: async ({ ctx, caller }) => {
      await logOut(ctx, caller.tokenId, caller.userId);
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/me',
    summary: 'The calling user',
    tag: 'auth',
    auth: 'user',
    response: Me,
    handler: async ({ caller }) => ({ id: caller.userId, email: caller.email, name: caller.name, platformOperator: caller.platformOperator }),
  }),
  route({
    method: 'post',
    path: '/me/totp',
    summary: 'Start turning on a TOTP second factor: the secret and otpauth URI are shown in this answer only',
    tag: 'auth',
    auth: 'user',
    response: z.object({ secret: z.string(), uri: z.string() }),
    status: 201,
    handler: ({ ctx, caller }) => startTotpEnrolment(ctx, caller.userId, caller.email),
  }),
  route({
    method: 'post',
    path: '/me/totp/confirm',
    summary: 'Turn the second factor on with a first valid code; the recovery codes are shown in this answer only',
    tag: 'auth',
    auth: 'user',
    body: TotpCode,
    response: TotpConfirmed,
    handler: ({ ctx, caller, body, c }) => confirmTotp(ctx, caller.userId, body.code, sourceAddress(c)),
  }),
  route({
    method: 'post',
    path: '/me/totp/disable',
    summary: 'Turn the second factor off (needs a valid code or an unused recovery code)',
    tag: 'auth',
    auth: 'user',
    body: TotpOrRecoveryCode,
    status: 204,
    handler: async ({ ctx, caller, body, c }) => {
      await disableTotp(ctx, caller.userId, body.code, sourceAddress(c));
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/tokens',
    summary: 'List your API tokens (never their secrets)',
    tag: 'auth',
    auth: 'user',
    response: z.array(TokenInfo),
    handler: ({ ctx, caller }) => listTokens(ctx, caller.userId),
  }),
  route({
    method: 'post',
    path: '/tokens',
    summary: 'Create a personal API token; the secret is shown in this answer only',
    tag: 'auth',
    auth: 'user',
    body: TokenCreateRequest,
    response: TokenCreated,
    status: 201,
    handler: ({ ctx, caller, body }) => createToken(ctx, caller.userId, body.name, body.expiresInDays),
  }),
  route({
    method: 'delete',
    path: '/tokens/:id',
    summary: 'Revoke one of your tokens',
    tag: 'auth',
    auth: 'user',
    status: 204,
    handler: async ({ ctx, caller, params }) => {
      await revokeOwn(ctx, caller.userId, params.id as string);
      return undefined;
    },
  }),
];
