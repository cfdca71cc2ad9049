import type { Db } from '../../db/handle.ts';
import type { Database } from '../../db/schema.ts';

/** SQL of the enrolments feature: show-once, single-use tokens a gateway or agent redeems for its credential. */

export type EnrolmentTokenRow = Database['enrolment_tokens'];

export async function insertEnrolmentToken(db: Db, row: EnrolmentTokenRow): Promise<void> {
  await db.insertInto('enrolment_tokens').values(row).execute();
}

/** Tokens not redeemed yet, oldest first, with the region's name and the creator's email. */
export function unusedEnrolments(db: Db) {
  return db
    .selectFrom('enrolment_tokens')
    .leftJoin('regions', 'regions.id', 'enrolment_tokens.region_id')
    .leftJoin('users', 'users.id', 'enrolment_tokens.created_by')
    .select(['enrolment_tokens.id', 'enrolment_tokens.kind', 'enrolment_tokens.plant_id', 'enrolment_tokens.created_at', 'enrolment_tokens.expires_at', 'regions.name as region', 'users.email as createdBy'])
    .where('enrolment_tokens.used_at', 'is', null)
    .orderBy('enrolment_tokens.created_at')
    .execute();
}

export function unusedEnrolment(db: Db, id: string) {
  return db.selectFrom('enrolment_tokens').select(['id', 'kind']).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
}

export async function deleteUnusedEnrolment(db: Db, id: string): Promise<void> {
  await db.deleteFrom('enrolment_tokens').where('id', '=', id).where('used_at', 'is', null).execute();
}

export function enrolmentToken(db: Db, id: string): Promise<EnrolmentTokenRow | undefined> {
  return db.selectFrom('enrolment_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Marks the token used unless someone did first: exactly one redeemer gets true, even under a race. */
export async function claimEnrolmentToken(db: Db, id: string, at: string): Promise<boolean> {
  const claimed = await db.updateTable('enrolment_tokens').set({ used_at: at }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(claimed.numUpdatedRows) === 1;
}
