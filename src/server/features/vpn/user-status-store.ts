import type { Db } from '../../db/handle.ts';

/** The public key of the user's active profile, if any. */
export async function activeProfileKey(db: Db, userId: string): Promise<string | undefined> {
  const row = await db.selectFrom('profiles').select('public_key').where('user_id', '=', userId).where('status', '=', 'active').executeTakeFirst();
  return row?.public_key;
}

/** Every gateway with its stored last report (the in-memory buffer may hold a newer one). */
export function gatewayReports(db: Db): Promise<Array<{ id: string; name: string; status: string | null; last_seen_at: string | null; region: string | null }>> {
  return db
    .selectFrom('daemons')
    .leftJoin('regions', 'regions.id', 'daemons.region_id')
    .select(['daemons.id', 'daemons.name', 'daemons.status', 'daemons.last_seen_at', 'regions.name as region'])
    .where('daemons.kind', '=', 'gateway')
    .orderBy('regions.name')
    .orderBy('daemons.name')
    .execute();
}

/** Every plant's devices (name order), for the route overview. */
export function allDevices(db: Db): Promise<Array<{ plant_id: string; name: string; ip: string; kind: string }>> {
  return db.selectFrom('devices').select(['plant_id', 'name', 'ip', 'kind']).orderBy('name').execute();
}
