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
