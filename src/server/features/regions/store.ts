import type { Db } from '../../db/handle.ts';

/** SQL of the regions feature. Writes run inside `FleetState.write` (they move the gateways' state). */

export type RegionRow = { id: string; name: string; endpoint: string; created_at: string; drained_at: string | null };

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

/** Sets or clears a region's drain mark; false when there is no such region. */
export async function setRegionDrained(db: Db, name: string, drainedAt: string | null): Promise<boolean> {
  const result = await db.updateTable('regions').set({ drained_at: drainedAt }).where('name', '=', name).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export type RegionGatewayRow = { region: string; drained_at: string | null; gateway_id: string | null; endpoint: string | null; last_seen_at: string | null };

/** Every region with each of its gateways (one row per gateway; a region without any: one row of nulls). */
export function regionGatewayRows(db: Db): Promise<RegionGatewayRow[]> {
  return db
    .selectFrom('regions')
    .leftJoin('daemons', (join) => join.onRef('daemons.region_id', '=', 'regions.id').on('daemons.kind', '=', 'gateway'))
    .select(['regions.name as region', 'regions.drained_at', 'daemons.id as gateway_id', 'daemons.endpoint', 'daemons.last_seen_at'])
    .orderBy('regions.name')
    .orderBy('daemons.id')
    .execute();
}
