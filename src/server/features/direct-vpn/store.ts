import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../db/handle.ts';
import type { Database } from '../../db/schema.ts';

/** SQL of the direct VPNs (issue 9). `secrets` is read only by `sealedSecretsOf` (the agent's document, later), never by a list. */
export type DirectVpnRow = Omit<Selectable<Database['direct_vpns']>, 'secrets' | 'restart_generation'>;

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
  'listen_host',
  'listen_port',
  'tunnel_network',
] as const;

export async function directVpnsOfPlant(db: Db, plantId: string): Promise<DirectVpnRow[]> {
  return db.selectFrom('direct_vpns').select(PUBLIC_COLUMNS).where('plant_id', '=', plantId).orderBy('name').execute();
}

export async function insertDirectVpn(db: Db, row: Omit<Insertable<Database['direct_vpns']>, 'restart_generation'>): Promise<void> {
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

// ---- hosted servers' clients (0012) ---------------------------------------------------

export type DirectVpnClientRow = Database['direct_vpn_clients'];

export async function clientsOfDirectVpn(db: Db, vpnId: string): Promise<DirectVpnClientRow[]> {
  return db.selectFrom('direct_vpn_clients').selectAll().where('direct_vpn_id', '=', vpnId).orderBy('kind').orderBy('name').execute();
}

/** How many clients each of these hosted servers has (the cards' clientCount). */
export async function clientCounts(db: Db, vpnIds: string[]): Promise<Map<string, number>> {
  if (vpnIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('direct_vpn_clients')
    .select(['direct_vpn_id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('direct_vpn_id', 'in', vpnIds)
    .groupBy('direct_vpn_id')
    .execute();
  return new Map(rows.map((r) => [r.direct_vpn_id, Number(r.count)]));
}

/** Every client of every hosted server (agents' documents; read once per revision). */
export async function allDirectVpnClients(db: Db): Promise<DirectVpnClientRow[]> {
  return db.selectFrom('direct_vpn_clients').selectAll().orderBy('direct_vpn_id').orderBy('kind').orderBy('name').execute();
}

export async function insertDirectVpnClient(db: Db, row: DirectVpnClientRow): Promise<void> {
  await db.insertInto('direct_vpn_clients').values(row).execute();
}

export async function deleteDirectVpnClient(db: Db, id: string): Promise<void> {
  await db.deleteFrom('direct_vpn_clients').where('id', '=', id).execute();
}

/** A hosted server's public material (config JSON), e.g. a re-signed CRL. */
export async function updateDirectVpnConfig(db: Db, id: string, config: string, updatedAt: string): Promise<void> {
  await db.updateTable('direct_vpns').set({ config, updated_at: updatedAt }).where('id', '=', id).execute();
}

/** A hosted server's listen host and port (edit). */
export async function updateDirectVpnListen(db: Db, id: string, host: string, port: number, updatedAt: string): Promise<void> {
  await db.updateTable('direct_vpns').set({ listen_host: host, listen_port: port, updated_at: updatedAt }).where('id', '=', id).execute();
}

/** A site client's announced subnets (they follow the hosted server's when it announced all of them). */
export async function updateDirectVpnClientSubnets(db: Db, id: string, subnets: string): Promise<void> {
  await db.updateTable('direct_vpn_clients').set({ subnets }).where('id', '=', id).execute();
}

/** An outgoing direct VPN's replaced upload (D7 edit of endpoint and keys): the stored model, the sealed secrets, the transport. */
export async function updateDirectVpnUpload(db: Db, id: string, upload: { config: string; secrets: string; transport: 'udp' | 'tcp' }, updatedAt: string): Promise<void> {
  await db.updateTable('direct_vpns').set({ ...upload, updated_at: updatedAt }).where('id', '=', id).execute();
}

/**
 * Direct VPN subnets that are no longer subnets of their plant (read inside a fleet write, so
 * a write that would leave a direct VPN routing a range its plant lost can be refused whole).
 */
export async function directVpnSubnetsMissingFromPlants(db: Db): Promise<Array<{ vpn: string; plant: string; cidr: string }>> {
  const vpns = await db
    .selectFrom('direct_vpns')
    .innerJoin('plants', 'plants.id', 'direct_vpns.plant_id')
    .select(['direct_vpns.name as vpn', 'direct_vpns.plant_id as plantId', 'direct_vpns.subnets as subnets', 'plants.name as plant'])
    .execute();
  if (vpns.length === 0) return [];
  const present = await db
    .selectFrom('subnets')
    .select(['plant_id', 'cidr'])
    .where('plant_id', 'in', [...new Set(vpns.map((v) => v.plantId))])
    .execute();
  const have = new Set(present.map((s) => `${s.plant_id}|${s.cidr}`));
  return vpns.flatMap((v) => (JSON.parse(v.subnets) as string[]).filter((cidr) => !have.has(`${v.plantId}|${cidr}`)).map((cidr) => ({ vpn: v.vpn, plant: v.plant, cidr })));
}
