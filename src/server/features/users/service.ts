import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { UserId } from '../../../core/model.ts';
import type { PasswordReset, UserInfo } from '../../../core/wire/users.ts';
import type { AppContext } from '../../context.ts';
import type { Database } from '../../db/schema.ts';
import { recordEvents } from '../events/store.ts';
import { ApiError, conflict, notFound } from '../../http/errors.ts';
import { hashPassword } from '../auth/passwords.ts';
import { turnTotpOff } from '../auth/totp.ts';

/**
 * Operators' user administration (issue 7 item 15). Every change is an event; changes
 * that take a peer off the gateways (disable, delete) run through FleetState.write like
 * a profile revoke, so every gateway drops the peer within one sync.
 */
export type UserRow = Selectable<Database['users']>;

export async function listUsers(ctx: AppContext): Promise<UserInfo[]> {
  const rows = await ctx.store.db
    .selectFrom('users')
    .leftJoin('profiles', (join) => join.onRef('profiles.user_id', '=', 'users.id').on('profiles.status', '=', 'active'))
    .selectAll('users')
    .select('profiles.tunnel_ip')
    .orderBy('users.email')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    platformOperator: r.platform_operator === 1,
    disabledAt: r.disabled_at,
    totpEnabled: r.totp_enabled === 1,
    passwordMustChange: r.password_must_change === 1,
    profileTunnelIp: r.tunnel_ip ?? null,
    createdAt: r.created_at,
  }));
}

/** A user by email (any case) or id; 404 naming `user` otherwise. */
export async function findUser(db: Kysely<Database> | Transaction<Database>, selector: string): Promise<UserRow> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb('email', '=', selector.toLowerCase()), eb('id', '=', selector)]))
    .executeTakeFirst();
  if (!row) throw notFound('user', `no user ${selector}`);
  return row;
}

/** Disabled: no login, every token revoked, the profile revoked (its peer leaves every gateway). */
export async function disableUser(ctx: AppContext, actorUserId: string, selector: string): Promise<void> {
  const now = ctx.now().toISOString();
  await ctx.fleet.write(
    async (trx) => {
      const user = await findUser(trx, selector);
      if (user.id === actorUserId) throw conflict('self', 'user: you cannot disable your own account', 'user');
      if (user.disabled_at) throw conflict('already-disabled', `user: ${user.email} is disabled already`, 'user');
      await refuseLastOperator(trx, user, 'disable');
      await trx.updateTable('users').set({ disabled_at: now }).where('id', '=', user.id).execute();
      const tokens = await revokeAllTokens(trx, user.id, now);
      const profile = await revokeActiveProfile(trx, actorUserId, user.id, now);
      await recordEvents(trx, now, [{ kind: 'user.disabled', actorUserId, subjectUserId: user.id, details: { email: user.email, tokensRevoked: tokens, profileRevoked: profile } }]);
      return user.id;
    },
    (model, userId) => model.setProfile(userId as UserId, null),
  );
}

export async function enableUser(ctx: AppContext, actorUserId: string, selector: string): Promise<void> {
  const now = ctx.now().toISOString();
  await ctx.store.db.transaction().execute(async (trx) => {
    const user = await findUser(trx, selector);
    if (!user.disabled_at) throw conflict('not-disabled', `user: ${user.email} is not disabled`, 'user');
    await trx.updateTable('users').set({ disabled_at: null }).where('id', '=', user.id).execute();
    await recordEvents(trx, now, [{ kind: 'user.enabled', actorUserId, subjectUserId: user.id, details: { email: user.email } }]);
  });
}

/**
 * Deletes the account with its memberships, job roles, tokens and profiles. The
 * events stay (they name the email in their details).
 */
export async function deleteUser(ctx: AppContext, actorUserId: string, selector: string): Promise<void> {
  const now = ctx.now().toISOString();
  await ctx.fleet.write(
    async (trx) => {
      const user = await findUser(trx, selector);
      if (user.id === actorUserId) throw conflict('self', 'user: you cannot delete your own account', 'user');
      await refuseLastOperator(trx, user, 'delete');
      const profile = await revokeActiveProfile(trx, actorUserId, user.id, now);
      await recordEvents(trx, now, [{ kind: 'user.deleted', actorUserId, subjectUserId: user.id, details: { email: user.email, name: user.name, profileRevoked: profile } }]);
      await trx.deleteFrom('users').where('id', '=', user.id).execute();
    },
    // Memberships, job roles and preferences go with the user: rebuild rather than replay each.
    () => 'reload',
  );
}

/** Sets a one-time password (given, or generated and returned once); every token of the user is revoked. */
export async function resetPassword(db: Kysely<Database>, now: string, actorUserId: string | null, selector: string, given?: string): Promise<PasswordReset> {
  const password = given ?? generatePassword();
  const hash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const user = await findUser(trx, selector);
    await trx.updateTable('users').set({ password_hash: hash, password_must_change: 1 }).where('id', '=', user.id).execute();
    const tokens = await revokeAllTokens(trx, user.id, now);
    await recordEvents(trx, now, [
      { kind: 'user.password-reset', actorUserId, subjectUserId: user.id, details: { email: user.email, generated: given === undefined, tokensRevoked: tokens, fromServerHost: actorUserId === null } },
    ]);
    return { email: user.email, password: given === undefined ? password : null, oneTime: true as const };
  });
}

export async function resetTotp(ctx: AppContext, actorUserId: string, selector: string): Promise<void> {
  const user = await findUser(ctx.store.db, selector);
  if (user.totp_enabled !== 1 && !user.totp_secret) throw conflict('totp-off', `user: ${user.email} has no second factor`, 'user');
  await turnTotpOff(ctx, user.id, { kind: 'user.totp-reset', actorUserId });
}

export async function setPlatformOperator(ctx: AppContext, actorUserId: string, selector: string, operator: boolean): Promise<void> {
  const now = ctx.now().toISOString();
  await ctx.store.db.transaction().execute(async (trx) => {
    const user = await findUser(trx, selector);
    if ((user.platform_operator === 1) === operator) throw conflict('unchanged', `user: ${user.email} ${operator ? 'is a platform operator already' : 'is no platform operator'}`, 'user');
    if (!operator) await refuseLastOperator(trx, user, 'revoke the operator role of');
    await trx.updateTable('users').set({ platform_operator: operator ? 1 : 0 }).where('id', '=', user.id).execute();
    await recordEvents(trx, now, [{ kind: operator ? 'user.operator-granted' : 'user.operator-revoked', actorUserId, subjectUserId: user.id, details: { email: user.email } }]);
  });
}

/** The installation must keep one enabled platform operator, or nobody can administer it. */
async function refuseLastOperator(trx: Transaction<Database>, user: UserRow, action: string): Promise<void> {
  if (user.platform_operator !== 1 || user.disabled_at) return;
  const others = await trx
    .selectFrom('users')
    .select('id')
    .where('platform_operator', '=', 1)
    .where('disabled_at', 'is', null)
    .where('id', '!=', user.id)
    .executeTakeFirst();
  if (!others) {
    throw new ApiError(409, 'last-operator', `user: cannot ${action} ${user.email}, the last enabled platform operator; grant the role to someone else first`, { field: 'user' });
  }
}

async function revokeAllTokens(trx: Transaction<Database>, userId: string, now: string): Promise<number> {
  const result = await trx.updateTable('api_tokens').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Revokes the active profile if there is one; returns its id (null when there was none). */
async function revokeActiveProfile(trx: Transaction<Database>, actorUserId: string, userId: string, now: string): Promise<string | null> {
  const profile = await trx.selectFrom('profiles').select(['id', 'tunnel_ip']).where('user_id', '=', userId).where('status', '=', 'active').executeTakeFirst();
  if (!profile) return null;
  await trx.updateTable('profiles').set({ status: 'revoked', revoked_at: now }).where('id', '=', profile.id).execute();
  await recordEvents(trx, now, [{ kind: 'profile.revoked', actorUserId, subjectUserId: userId, details: { profileId: profile.id, tunnelIp: profile.tunnel_ip } }]);
  return profile.id;
}

function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}
