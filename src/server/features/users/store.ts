import type { Selectable } from 'kysely';
import type { Db } from '../../db/handle.ts';
import type { Database } from '../../db/schema.ts';

/** SQL of the users feature (operators' user administration). */

export type UserRow = Selectable<Database['users']>;

/** Users by email with the tunnel address of their active profile. */
export function usersWithProfile(db: Db) {
  return db
    .selectFrom('users')
    .leftJoin('profiles', (join) => join.onRef('profiles.user_id', '=', 'users.id').on('profiles.status', '=', 'active'))
    .selectAll('users')
    .select('profiles.tunnel_ip')
    .orderBy('users.email')
    .execute();
}

/** By email (give it lower-cased) or id. */
export function userByEmailOrId(db: Db, email: string, id: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb('email', '=', email), eb('id', '=', id)]))
    .executeTakeFirst();
}

export async function setDisabledAt(db: Db, userId: string, at: string | null): Promise<void> {
  await db.updateTable('users').set({ disabled_at: at }).where('id', '=', userId).execute();
}

export async function deleteUserRow(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('users').where('id', '=', userId).execute();
}

/** A password the user must replace at the next login. */
export async function setOneTimePassword(db: Db, userId: string, hash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: hash, password_must_change: 1 }).where('id', '=', userId).execute();
}

export async function setOperatorFlag(db: Db, userId: string, operator: boolean): Promise<void> {
  await db.updateTable('users').set({ platform_operator: operator ? 1 : 0 }).where('id', '=', userId).execute();
}

/** Whether an enabled platform operator other than `userId` exists. */
export async function anotherEnabledOperator(db: Db, userId: string): Promise<boolean> {
  const other = await db.selectFrom('users').select('id').where('platform_operator', '=', 1).where('disabled_at', 'is', null).where('id', '!=', userId).executeTakeFirst();
  return other !== undefined;
}

/** Revokes every unrevoked token of the user; returns how many. */
export async function revokeAllTokensOf(db: Db, userId: string, at: string): Promise<number> {
  const result = await db.updateTable('api_tokens').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
