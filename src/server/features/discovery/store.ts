import type { Db } from '../../db/handle.ts';
import type { Database } from '../../db/schema.ts';

/** SQL of D11 discoveries. Writes run inside `FleetState.write` (a new or answered request moves the plant's agent revision). */

export type DiscoveryRow = Database['discoveries'];

export async function insertDiscovery(db: Db, row: DiscoveryRow): Promise<void> {
  await db.insertInto('discoveries').values(row).execute();
}

export function discoveryOfPlant(db: Db, plantId: string, id: string): Promise<DiscoveryRow | undefined> {
  return db.selectFrom('discoveries').selectAll().where('plant_id', '=', plantId).where('id', '=', id).executeTakeFirst();
}

export function discoveryById(db: Db, id: string): Promise<DiscoveryRow | undefined> {
  return db.selectFrom('discoveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every pending request not expired at `now` (the agents' documents; read once per revision). */
export function pendingDiscoveries(db: Db, now: string): Promise<DiscoveryRow[]> {
  return db.selectFrom('discoveries').selectAll().where('status', '=', 'pending').where('expires_at', '>', now).orderBy('requested_at').execute();
}

/** Pending requests past their time become `expired` with the reason (so pending rows do not pile up). */
export async function expireDiscoveries(db: Db, now: string, error: string): Promise<void> {
  await db
    .updateTable('discoveries')
    .set((eb) => ({ status: 'expired', finished_at: eb.ref('expires_at'), error }))
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .execute();
}

/** Ends a pending request; false when it was not pending any more (answered or expired meanwhile). */
export async function finishDiscovery(db: Db, id: string, end: Pick<DiscoveryRow, 'status' | 'finished_at' | 'result' | 'error'>): Promise<boolean> {
  const result = await db.updateTable('discoveries').set(end).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export function agentOfPlant(db: Db, plantId: string) {
  return db.selectFrom('daemons').select(['id', 'name', 'last_seen_at']).where('plant_id', '=', plantId).where('kind', '=', 'agent').executeTakeFirst();
}
