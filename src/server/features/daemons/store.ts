import { sql } from 'kysely';
import type { Db } from '../../db/handle.ts';
import type { Database } from '../../db/schema.ts';

/** SQL of the daemons feature (gateways and agents). Writes run inside `FleetState.write`. */

/** `public_address` (0012) is read only where a hosted direct VPN needs it (publicAddressOfAgent). */
export type DaemonRow = Omit<Database['daemons'], 'public_address'>;

export function daemonByCredential(db: Db, credentialId: string): Promise<DaemonRow | undefined> {
  return db.selectFrom('daemons').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
}

export function daemonOfKind(db: Db, id: string, kind: 'gateway' | 'agent') {
  return db.selectFrom('daemons').select(['id', 'name', 'plant_id']).where('id', '=', id).where('kind', '=', kind).executeTakeFirst();
}

export async function deleteDaemon(db: Db, id: string): Promise<void> {
  await db.deleteFrom('daemons').where('id', '=', id).execute();
}

/** Daemons of a kind with their region's name, oldest enrolment first. */
export function daemonsWithRegion(db: Db, kind: 'gateway' | 'agent') {
  return db
    .selectFrom('daemons')
    .leftJoin('regions', 'regions.id', 'daemons.region_id')
    .selectAll('daemons')
    .select('regions.name as region')
    .where('daemons.kind', '=', kind)
    .orderBy('daemons.enrolled_at')
    .execute();
}

export async function setGatewaySite(db: Db, id: string, site: { publicKey: string; endpoint: string; seenAt: string }): Promise<void> {
  await db.updateTable('daemons').set({ public_key: site.publicKey, endpoint: site.endpoint, last_seen_at: site.seenAt }).where('id', '=', id).execute();
}

/** A sign of life outside the status reports (a gateway's registration at every start). */
export async function touchDaemon(db: Db, id: string, seenAt: string): Promise<void> {
  await db.updateTable('daemons').set({ last_seen_at: seenAt }).where('id', '=', id).execute();
}

export async function setAgentKey(db: Db, id: string, publicKey: string, seenAt: string): Promise<void> {
  await db.updateTable('daemons').set({ public_key: publicKey, last_seen_at: seenAt }).where('id', '=', id).execute();
}

export type ReachableGateway = { id: string; name: string; region: string; public_key: string | null; endpoint: string | null; tunnel_ip: string };

/** Gateways an agent can dial: registered, with a key and an endpoint. */
export function reachableGateways(db: Db): Promise<ReachableGateway[]> {
  return db
    .selectFrom('daemons')
    .innerJoin('regions', 'regions.id', 'daemons.region_id')
    .select(['daemons.id', 'daemons.name', 'regions.name as region', 'daemons.public_key', 'daemons.endpoint', 'daemons.tunnel_ip'])
    .where('daemons.kind', '=', 'gateway')
    .where('daemons.public_key', 'is not', null)
    .where('daemons.endpoint', 'is not', null)
    .orderBy('daemons.id')
    .execute();
}

/** The sealed private key of the personal-VPN service key pair. */
export async function sealedServicePrivateKey(db: Db): Promise<string> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', 'service_private_key').executeTakeFirstOrThrow();
  return row.value;
}

/** The `meta` key (and sealing context) of the browser proxy's cookie key. */
export const PROXY_COOKIE_KEY = 'proxy_cookie_key';

/** The browser proxy's cookie key, sealed (bootstrap.ts ensureProxyCookieKey); undefined before the proxy was first turned on. */
export async function sealedProxyCookieKey(db: Db): Promise<string | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', PROXY_COOKIE_KEY).executeTakeFirst();
  return row?.value;
}

export function daemonOfPlant(db: Db, plantId: string) {
  return db.selectFrom('daemons').select(['id', 'name']).where('plant_id', '=', plantId).executeTakeFirst();
}

export async function insertDaemon(db: Db, row: DaemonRow): Promise<void> {
  await db.insertInto('daemons').values(row).execute();
}

/** The highest tunnel address a daemon holds, or null. */
export async function topDaemonTunnelIp(db: Db): Promise<number | null> {
  const row = await db.selectFrom('daemons').select((eb) => eb.fn.max('tunnel_ip_num').as('top')).executeTakeFirst();
  return row?.top == null ? null : Number(row.top);
}

export async function daemonTunnelIps(db: Db): Promise<Set<number>> {
  return new Set((await db.selectFrom('daemons').select('tunnel_ip_num').execute()).map((r) => Number(r.tunnel_ip_num)));
}

/**
 * Buffered status reports, one `UPDATE … FROM (VALUES …)` per call. A CTE with named
 * columns and UPDATE … FROM: the same statement on SQLite (≥ 3.33) and PostgreSQL.
 */
export async function writeStatuses(db: Db, rows: [id: string, report: { status: string; seenAt: string }][]): Promise<void> {
  const values = sql.join(rows.map(([id, p]) => sql`(${id}, ${p.status}, ${p.seenAt})`));
  await sql`with v(id, status, seen) as (values ${values}) update daemons set status = v.status, last_seen_at = v.seen from v where daemons.id = v.id`.execute(db);
}

/** Where an agent last registered from (written only when it changed). */
export async function setAgentPublicAddress(db: Db, id: string, address: string): Promise<void> {
  await db.updateTable('daemons').set({ public_address: address }).where('id', '=', id).where((eb) => eb.or([eb('public_address', 'is', null), eb('public_address', '!=', address)])).execute();
}

/** The plant's agent's last registration address (null: never registered, or no agent). */
export async function publicAddressOfPlantAgent(db: Db, plantId: string): Promise<string | null> {
  const row = await db.selectFrom('daemons').select('public_address').where('plant_id', '=', plantId).where('kind', '=', 'agent').executeTakeFirst();
  return row?.public_address ?? null;
}
