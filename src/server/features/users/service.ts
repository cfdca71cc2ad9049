import { closeSessionsOfEndedTokens } from '../proxy/service.ts';
import { randomBytes } from 'node:crypto';
import type { UserId } from '../../../core/model.ts';
import type { ProfileInfo } from '../../../core/wire/api.ts';
import type { PasswordReset, UserInfo } from '../../../core/wire/users.ts';
import type { AppContext } from '../../context.ts';
import { type Db, inTransaction } from '../../db/handle.ts';
import { recordEvents } from '../events/store.ts';
import { ApiError, conflict, notFound } from '../../http/errors.ts';
import { hashPassword } from '../auth/passwords.ts';
import { turnTotpOff } from '../auth/totp.ts';
import { revokeProfile } from '../vpn/profiles.ts';
import { revokeCertificate } from '../vpn/certificate-store.ts';
import { activeProfileOf, markProfileRevoked } from '../vpn/store.ts';
import {
  type UserRow,
  anotherEnabledOperator,
  deleteUserRow,
  revokeAllTokensOf,
  setDisabledAt,
  setOneTimePassword,
  setOperatorFlag,
  userByEmailOrId,
  usersWithProfile,
} from './store.ts';

/**
 * Operators' user administration (issue 7 item 15). Every change is an event; changes
 * that take a peer off the gateways (disable, delete) run through FleetState.write like
 * a profile revoke, so every gateway drops the peer within one sync.
 */
export type { UserRow };

export async function listUsers(ctx: AppContext): Promise<UserInfo[]> {
  const rows = await usersWithProfile(ctx.store.db);
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
export async function findUser(db: Db, selector: string): Promise<UserRow> {
  const row = await userByEmailOrId(db, selector.toLowerCase(), selector);
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
      await setDisabledAt(trx, user.id, now);
      const tokens = await revokeAllTokensOf(trx, user.id, now);
      const profile = await revokeActiveProfile(trx, actorUserId, user.id, now);
      await recordEvents(trx, now, [{ kind: 'user.disabled', actorUserId, subjectUserId: user.id, details: { email: user.email, tokensRevoked: tokens, profileRevoked: profile } }]);
      return user.id;
    },
    (model, userId) => model.setProfile(userId as UserId, null),
  );
  const user = await findUser(ctx.store.db, selector);
  await closeSessionsOfEndedTokens(ctx, user.id, 'user disabled', actorUserId);
}

export async function enableUser(ctx: AppContext, actorUserId: string, selector: string): Promise<void> {
  const now = ctx.now().toISOString();
  await inTransaction(ctx.store.db, async (trx) => {
    const user = await findUser(trx, selector);
    if (!user.disabled_at) throw conflict('not-disabled', `user: ${user.email} is not disabled`, 'user');
    await setDisabledAt(trx, user.id, null);
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
      await deleteUserRow(trx, user.id);
    },
    // Memberships, job roles and preferences go with the user: rebuild rather than replay each.
    () => 'reload',
  );
}

/** Sets a one-time password (given, or generated and returned once); every token of the user is revoked. */
export async function resetPassword(db: Db, now: string, actorUserId: string | null, selector: string, given?: string): Promise<PasswordReset> {
  const password = given ?? generatePassword();
  const hash = await hashPassword(password);
  return inTransaction(db, async (trx) => {
    const user = await findUser(trx, selector);
    await setOneTimePassword(trx, user.id, hash);
    const tokens = await revokeAllTokensOf(trx, user.id, now);
    await recordEvents(trx, now, [
      { kind: 'user.password-reset', actorUserId, subjectUserId: user.id, details: { email: user.email, generated: given === undefined, tokensRevoked: tokens, fromServerHost: actorUserId === null } },
    ]);
    return { email: user.email, password: given === undefined ? password : null, oneTime: true as const };
  });
}

/** An operator's reset (the route); the server host's reset calls `resetPassword` without an actor. */
export async function resetUserPassword(ctx: AppContext, actorUserId: string, selector: string, given: string | undefined): Promise<PasswordReset> {
  const reset = await resetPassword(ctx.store.db, ctx.now().toISOString(), actorUserId, selector, given);
  await closeSessionsOfEndedTokens(ctx, (await findUser(ctx.store.db, selector)).id, 'password reset', actorUserId);
  return reset;
}

/** SPEC P3 by an operator: the user's active profile is revoked (404 naming `profile` when there is none). */
export async function revokeUserProfile(ctx: AppContext, actorUserId: string, selector: string): Promise<ProfileInfo> {
  return revokeProfile(ctx, actorUserId, (await findUser(ctx.store.db, selector)).id);
}

export async function resetTotp(ctx: AppContext, actorUserId: string, selector: string): Promise<void> {
  const user = await findUser(ctx.store.db, selector);
  if (user.totp_enabled !== 1 && !user.totp_secret) throw conflict('totp-off', `user: ${user.email} has no second factor`, 'user');
  await turnTotpOff(ctx, user.id, { kind: 'user.totp-reset', actorUserId });
}

export async function setPlatformOperator(ctx: AppContext, actorUserId: string, selector: string, operator: boolean): Promise<void> {
  const now = ctx.now().toISOString();
  await inTransaction(ctx.store.db, async (trx) => {
    const user = await findUser(trx, selector);
    if ((user.platform_operator === 1) === operator) throw conflict('unchanged', `user: ${user.email} ${operator ? 'is a platform operator already' : 'is no platform operator'}`, 'user');
    if (!operator) await refuseLastOperator(trx, user, 'revoke the operator role of');
    await setOperatorFlag(trx, user.id, operator);
    await recordEvents(trx, now, [{ kind: operator ? 'user.operator-granted' : 'user.operator-revoked', actorUserId, subjectUserId: user.id, details: { email: user.email } }]);
  });
}

/** The installation must keep one enabled platform operator, or nobody can administer it. */
async function refuseLastOperator(trx: Db, user: UserRow, action: string): Promise<void> {
  if (user.platform_operator !== 1 || user.disabled_at) return;
  if (!(await anotherEnabledOperator(trx, user.id))) {
    throw new ApiError(409, 'last-operator', `user: cannot ${action} ${user.email}, the last enabled platform operator; grant the role to someone else first`, { field: 'user' });
  }
}

/** Revokes the active profile if there is one; returns its id (null when there was none). */
async function revokeActiveProfile(trx: Db, actorUserId: string, userId: string, now: string): Promise<string | null> {
  const profile = await activeProfileOf(trx, userId);
  if (!profile) return null;
  await markProfileRevoked(trx, profile.id, now);
  // an OpenVPN profile's certificate lands on the CRL too (SPEC P9)
  if (profile.cert_serial) await revokeCertificate(trx, profile.cert_serial, now);
  await recordEvents(trx, now, [
    {
      kind: 'profile.revoked',
      actorUserId,
      subjectUserId: userId,
      details: { profileId: profile.id, tunnelIp: profile.tunnel_ip, ...(profile.cert_serial ? { type: 'openvpn', serial: profile.cert_serial } : {}) },
    },
  ]);
  return profile.id;
}

function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}
