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
import { verifyCredentials } from './login.ts';
import { hashPassword } from './passwords.ts';
import { mintToken } from './tokens.ts';
import type { AppContext } from '../../context.ts';
import { recordEvents } from '../events/store.ts';
import { ApiError, badRequest, notFound } from '../../http/errors.ts';
import { sourceAddress } from '../../http/source-address.ts';
import { confirmTotp, disableTotp, startTotpEnrolment } from './totp.ts';
import { type RouteDef, route } from '../../http/registry.ts';

const SESSION_DAYS = 30;

export const authRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/auth/login',
    summary: 'Log in with email and password; returns a token valid for 30 days',
    tag: 'auth',
    auth: 'none',
    body: LoginRequest,
    response: LoginResponse,
    handler: async ({ ctx, body, c }) => {
      const user = await verifyCredentials(ctx, body, sourceAddress(c));
      if (user.passwordMustChange) {
        throw new ApiError(403, 'password-change-required', 'password: this is a one-time password: choose your own first (plantgate password change)', { field: 'password' });
      }
      const expiresAt = new Date(ctx.now().getTime() + SESSION_DAYS * 86_400_000).toISOString();
      const minted = await insertToken(ctx, user.id, 'login', 'session', expiresAt);
      return { token: minted.token, expiresAt, user: { id: user.id, email: user.email, name: user.name } };
    },
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
      const user = await verifyCredentials(ctx, body, sourceAddress(c));
      if (body.newPassword === body.password) throw badRequest('newPassword', 'must differ from the current password');
      const hash = await hashPassword(body.newPassword);
      const now = ctx.now().toISOString();
      await ctx.store.db.transaction().execute(async (trx) => {
        await trx.updateTable('users').set({ password_hash: hash, password_must_change: 0 }).where('id', '=', user.id).execute();
        await trx.updateTable('api_tokens').set({ revoked_at: now }).where('user_id', '=', user.id).where('kind', '=', 'session').where('revoked_at', 'is', null).execute();
        await recordEvents(trx, now, [{ kind: 'user.password-changed', actorUserId: user.id, subjectUserId: user.id, details: { oneTime: user.passwordMustChange } }]);
      });
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
      await ctx.store.db.updateTable('api_tokens').set({ revoked_at: ctx.now().toISOString() }).where('id', '=', caller.tokenId).execute();
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
    handler: async ({ ctx, caller }) => {
      const rows = await ctx.store.db.selectFrom('api_tokens').selectAll().where('user_id', '=', caller.userId).orderBy('created_at').execute();
      return rows.map(tokenInfo);
    },
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
    handler: async ({ ctx, caller, body }) => {
      const expiresAt = body.expiresInDays ? new Date(ctx.now().getTime() + body.expiresInDays * 86_400_000).toISOString() : null;
      const minted = await insertToken(ctx, caller.userId, body.name, 'personal', expiresAt);
      await recordEvents(ctx.store.db, ctx.now().toISOString(), [
        { kind: 'token.created', actorUserId: caller.userId, subjectUserId: caller.userId, details: { tokenId: minted.id, name: body.name, expiresAt } },
      ]);
      const row = await ctx.store.db.selectFrom('api_tokens').selectAll().where('id', '=', minted.id).executeTakeFirstOrThrow();
      return { ...tokenInfo(row), token: minted.token };
    },
  }),
  route({
    method: 'delete',
    path: '/tokens/:id',
    summary: 'Revoke one of your tokens',
    tag: 'auth',
    auth: 'user',
    status: 204,
    handler: async ({ ctx, caller, params }) => {
      const result = await ctx.store.db
        .updateTable('api_tokens')
        .set({ revoked_at: ctx.now().toISOString() })
        .where('id', '=', params.id as string)
        .where('user_id', '=', caller.userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound('id', `no active token ${params.id} of yours`);
      await recordEvents(ctx.store.db, ctx.now().toISOString(), [
        { kind: 'token.revoked', actorUserId: caller.userId, subjectUserId: caller.userId, details: { tokenId: params.id } },
      ]);
      return undefined;
    },
  }),
];

async function insertToken(ctx: AppContext, userId: string, name: string, kind: 'session' | 'personal', expiresAt: string | null) {
  const minted = mintToken();
  await ctx.store.db
    .insertInto('api_tokens')
    .values({ id: minted.id, user_id: userId, name, kind, secret_hash: minted.secretHash, created_at: ctx.now().toISOString(), expires_at: expiresAt, revoked_at: null, last_used_at: null })
    .execute();
  return minted;
}

function tokenInfo(row: { id: string; name: string; kind: 'session' | 'personal'; created_at: string; expires_at: string | null; last_used_at: string | null; revoked_at: string | null }) {
  return { id: row.id, name: row.name, kind: row.kind, createdAt: row.created_at, expiresAt: row.expires_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
}
