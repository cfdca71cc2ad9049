import type { z } from 'zod';
import type { LoginResponse, TokenCreated, TokenInfo } from '../../../core/wire/api.ts';
import type { AppContext } from '../../context.ts';
import { inTransaction } from '../../db/handle.ts';
import { ApiError, badRequest, notFound } from '../../http/errors.ts';
import { recordEvents } from '../events/store.ts';
import { type Credentials, verifyCredentials } from './login.ts';
import { hashPassword } from './passwords.ts';
import { closeSessionsOfEndedTokens } from '../proxy/service.ts';
import { type TokenKindStored, type TokenRow, insertToken, revokeOwnToken, revokeSessions, revokeToken, setOwnPassword, tokenById, tokensOf } from './store.ts';
import { mintToken } from './tokens.ts';

const SESSION_DAYS = 30;

/** Email + password (+ second factor) → a login token valid for 30 days; a one-time password must be replaced first. */
export async function logIn(ctx: AppContext, credentials: Credentials, source: string): Promise<z.infer<typeof LoginResponse>> {
  const user = await verifyCredentials(ctx, credentials, source);
  if (user.passwordMustChange) {
    throw new ApiError(403, 'password-change-required', 'password: this is a one-time password: choose your own first (plantgate password change)', { field: 'password' });
  }
  const expiresAt = new Date(ctx.now().getTime() + SESSION_DAYS * 86_400_000).toISOString();
  const minted = await newToken(ctx, user.id, 'login', 'session', expiresAt);
  // SPEC A4 / issue 10 item 8: a plant's operators see its users' logins beside their flows.
  await recordEvents(ctx.store.db, ctx.now().toISOString(), [{ kind: 'auth.login', actorUserId: user.id, subjectUserId: user.id, details: { source } }]);
  return { token: minted.token, expiresAt, user: { id: user.id, email: user.email, name: user.name } };
}

/** A new password with the current (or one-time) one; the user's login sessions end. */
export async function changePassword(ctx: AppContext, input: Credentials & { newPassword: string }, source: string): Promise<void> {
  const user = await verifyCredentials(ctx, input, source);
  if (input.newPassword === input.password) throw badRequest('newPassword', 'must differ from the current password');
  const hash = await hashPassword(input.newPassword);
  const now = ctx.now().toISOString();
  await inTransaction(ctx.store.db, async (trx) => {
    await setOwnPassword(trx, user.id, hash);
    await revokeSessions(trx, user.id, now);
    await recordEvents(trx, now, [{ kind: 'user.password-changed', actorUserId: user.id, subjectUserId: user.id, details: { oneTime: user.passwordMustChange } }]);
  });
  await closeSessionsOfEndedTokens(ctx, user.id, 'password changed', user.id);
}

export async function logOut(ctx: AppContext, tokenId: string, userId: string): Promise<void> {
  await revokeToken(ctx.store.db, tokenId, ctx.now().toISOString());
  await closeSessionsOfEndedTokens(ctx, userId, 'logged out', userId);
}

export async function listTokens(ctx: AppContext, userId: string): Promise<TokenInfo[]> {
  return (await tokensOf(ctx.store.db, userId)).map(tokenInfo);
}

/** A personal API token; its secret is in this answer only. */
export async function createToken(ctx: AppContext, userId: string, name: string, expiresInDays: number | undefined): Promise<z.infer<typeof TokenCreated>> {
  const expiresAt = expiresInDays ? new Date(ctx.now().getTime() + expiresInDays * 86_400_000).toISOString() : null;
  const minted = await newToken(ctx, userId, name, 'personal', expiresAt);
  await recordEvents(ctx.store.db, ctx.now().toISOString(), [{ kind: 'token.created', actorUserId: userId, subjectUserId: userId, details: { tokenId: minted.id, name, expiresAt } }]);
  return { ...tokenInfo(await tokenById(ctx.store.db, minted.id)), token: minted.token };
}

export async function revokeOwn(ctx: AppContext, userId: string, tokenId: string): Promise<void> {
  if (!(await revokeOwnToken(ctx.store.db, userId, tokenId, ctx.now().toISOString()))) throw notFound('id', `no active token ${tokenId} of yours`);
  await recordEvents(ctx.store.db, ctx.now().toISOString(), [{ kind: 'token.revoked', actorUserId: userId, subjectUserId: userId, details: { tokenId } }]);
  await closeSessionsOfEndedTokens(ctx, userId, 'token revoked', userId);
}

async function newToken(ctx: AppContext, userId: string, name: string, kind: TokenKindStored, expiresAt: string | null) {
  const minted = mintToken();
  await insertToken(ctx.store.db, { id: minted.id, userId, name, kind, secretHash: minted.secretHash, createdAt: ctx.now().toISOString(), expiresAt });
  return minted;
}

function tokenInfo(row: TokenRow): TokenInfo {
  return { id: row.id, name: row.name, kind: row.kind, createdAt: row.created_at, expiresAt: row.expires_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
}
