import { z } from 'zod';
import { LoginRequest, LoginResponse, Me, TokenCreateRequest, TokenCreated, TokenInfo, TotpCode } from '../../../core/wire/api.ts';
import { verifyPassword } from '../../auth/passwords.ts';
import { mintToken } from '../../auth/tokens.ts';
import type { AppContext } from '../../context.ts';
import { recordEvents } from '../../events.ts';
import { ApiError, notFound, unauthorized } from '../errors.ts';
import { checkTotp, confirmTotp, disableTotp, startTotpEnrolment } from '../../auth/totp.ts';
import { type RouteDef, route } from '../registry.ts';

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
    handler: async ({ ctx, body }) => {
      const email = body.email.toLowerCase();
      const user = await ctx.store.db.selectFrom('users').select(['id', 'email', 'name', 'password_hash', 'totp_enabled']).where('email', '=', email).executeTakeFirst();
      // Same answer, same cost, for a wrong password and an unknown email.
      const ok = await verifyPassword(user?.password_hash ?? null, body.password);
      if (!user || !ok) throw unauthorized('invalid email or password');
      if (user.totp_enabled === 1) {
        if (!body.totp) throw new ApiError(401, 'totp-required', 'totp: this account has a second factor: pass the current code (plantgate login --totp CODE)', { field: 'totp' });
        if (!(await checkTotp(ctx, user.id, body.totp, true))) throw new ApiError(401, 'totp-invalid', 'totp: the code does not match or was used already', { field: 'totp' });
      }
      const expiresAt = new Date(ctx.now().getTime() + SESSION_DAYS * 86_400_000).toISOString();
      const minted = await insertToken(ctx, user.id, 'login', 'session', expiresAt);
      return { token: minted.token, expiresAt, user: { id: user.id, email: user.email, name: user.name } };
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
    summary: 'Turn the second factor on with a first valid code',
    tag: 'auth',
    auth: 'user',
    body: TotpCode,
    status: 204,
    handler: async ({ ctx, caller, body }) => {
      await confirmTotp(ctx, caller.userId, body.code);
      return undefined;
    },
  }),
  route({
    method: 'post',
    path: '/me/totp/disable',
    summary: 'Turn the second factor off (needs a valid code)',
    tag: 'auth',
    auth: 'user',
    body: TotpCode,
    status: 204,
    handler: async ({ ctx, caller, body }) => {
      await disableTotp(ctx, caller.userId, body.code);
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
