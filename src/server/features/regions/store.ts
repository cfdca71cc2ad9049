import type { Db } from '../../db/handle.ts';

/** SQL of the regions feature. Writes run inside `FleetState.write` (they move the gateways' state). */

export type RegionRow = { id: string; name: string; endpoint: string; created_at: string };

export function listRegionRows(db: Db): Promise<RegionRow[]> {
  return db.selectFrom('regions').selectAll().orderBy('name').execute();
}

export function regionIdByName(db: Db, name: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('regions').select('id').where('name', '=', name).executeTakeFirst();
}

/** Region id → name. */
export async function regionNamesById(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('regions').select(['id', 'name']).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function insertRegion(db: Db, row: RegionRow): Promise<void> {
  await db.insertInto('regions').values(row).execute();
}

export async function deleteRegion(db: Db, id: string): Promise<void> {
  await db.deleteFrom('regions').where('id', '=', id).execute();
}

export function gatewaysOfRegion(db: Db, regionId: string) {
  return db.selectFrom('daemons').select(['id', 'kind', 'name']).where('region_id', '=', regionId).orderBy('name').execute();
}

/** Where users' clients dial in, by name. */
export function regionEndpoints(db: Db): Promise<{ name: string; endpoint: string }[]> {
  return db.selectFrom('regions').select(['name', 'endpoint']).orderBy('name').execute();
}

export async function anyRegion(db: Db): Promise<boolean> {
  return (await db.selectFrom('regions').select('id').executeTakeFirst()) !== undefined;
}

export function regionByName(db: Db, name: string): Promise<{ id: string; name: string } | undefined> {
  return db.selectFrom('regions').select(['id', 'name']).where('name', '=', name).executeTakeFirst();
}

export async function regionNameOf(db: Db, id: string): Promise<string | undefined> {
  return (await db.selectFrom('regions').select('name').where('id', '=', id).executeTakeFirst())?.name;
}
