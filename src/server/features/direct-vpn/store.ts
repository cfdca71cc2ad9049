import type { Db } from '../../db/handle.ts';
import type { Database } from '../../db/schema.ts';

/** SQL of the direct VPNs (issue 9). `secrets` is read only by `sealedSecretsOf` (the agent's document, later), never by a list. */
export type DirectVpnRow = Omit<Database['direct_vpns'], 'secrets' | 'restart_generation'>;

const PUBLIC_COLUMNS = [
  'id',
  'plant_id',
  'name',
  'description',
  'direction',
  'protocol',
  'transport',
  'config',
  'subnets',
  'enabled',
  'created_by',
  'created_at',
  'updated_at',
] as const;

export async function directVpnsOfPlant(db: Db, plantId: string): Promise<DirectVpnRow[]> {
  return db.selectFrom('direct_vpns').select(PUBLIC_COLUMNS).where('plant_id', '=', plantId).orderBy('name').execute();
}

export async function insertDirectVpn(db: Db, row: Omit<Database['direct_vpns'], 'restart_generation'>): Promise<void> {
  await db.insertInto('direct_vpns').values(row).execute();
}

export async function updateDirectVpn(
  db: Db,
  id: string,
  patch: Partial<Pick<Database['direct_vpns'], 'name' | 'description' | 'subnets' | 'enabled'>> & { updated_at: string },
): Promise<void> {
  await db.updateTable('direct_vpns').set(patch).where('id', '=', id).execute();
}

/** D7 restart: the agent rebuilds a tunnel whose generation moved. */
export async function bumpRestartGeneration(db: Db, id: string): Promise<void> {
  await db
    .updateTable('direct_vpns')
    .set((eb) => ({ restart_generation: eb('restart_generation', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function deleteDirectVpn(db: Db, id: string): Promise<void> {
  await db.deleteFrom('direct_vpns').where('id', '=', id).execute();
}

/** The sealed secrets of one direct VPN (opened only where the agent's config is rendered). */
export async function sealedSecretsOf(db: Db, id: string): Promise<string | null> {
  const row = await db.selectFrom('direct_vpns').select('secrets').where('id', '=', id).executeTakeFirst();
  return row?.secrets ?? null;
}

/** The plant's enabled direct VPNs with their sealed secrets: only for the plant's own authenticated agent. */
/** Every plant's enabled direct VPNs with their sealed secrets (agents' documents; read once per revision). */
export async function enabledDirectVpnsWithSecrets(db: Db): Promise<Array<DirectVpnRow & { secrets: string | null; restart_generation: number }>> {
  return db.selectFrom('direct_vpns').select([...PUBLIC_COLUMNS, 'secrets', 'restart_generation']).where('enabled', '=', 1).orderBy('name').execute();
}
