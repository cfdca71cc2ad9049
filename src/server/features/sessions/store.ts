import type { Db } from '../../db/handle.ts';
import type { Database } from '../../db/schema.ts';

/** SQL of the sessions feature (SPEC P7). */

export type SessionRow = Database['vpn_sessions'];
export type OrgVpnSessionRow = Database['org_vpn_sessions'];

/** Rows per upsert statement (15 columns: well inside both engines' parameter limits). */
const BATCH = 200;

/** Gateway name and region name of the daemons, as they are now (stored into new sessions). */
export function gatewayNames(db: Db, daemonIds: string[]): Promise<Array<{ id: string; name: string; region: string | null }>> {
  if (daemonIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('daemons')
    .leftJoin('regions', 'regions.id', 'daemons.region_id')
    .select(['daemons.id', 'daemons.name', 'regions.name as region'])
    .where('daemons.id', 'in', daemonIds)
    .execute();
}

/** The two session tables (personal profiles; organization VPN clients, 0022a): the same columns for what the recorder reads and writes. */
export type SessionTable = 'vpn_sessions' | 'org_vpn_sessions';

/** The sessions still open on a gateway. */
export function openSessionsOf<T extends SessionTable>(db: Db, table: T, daemonId: string): Promise<Array<Database[T]>> {
  return db.selectFrom(table as SessionTable).selectAll().where('daemon_id', '=', daemonId).where('ended_at', 'is', null).execute() as Promise<Array<Database[T]>>;
}

/** The newest session per peer on a gateway, for the given peers (their counter baseline). */
export async function newestSessionsOf<T extends SessionTable>(db: Db, table: T, daemonId: string, publicKeys: string[]): Promise<Array<Database[T]>> {
  const out: Array<Database[T]> = [];
  for (let i = 0; i < publicKeys.length; i += 500) {
    const rows = (await db
      .selectFrom(table as SessionTable)
      .selectAll()
      .where('daemon_id', '=', daemonId)
      .where('public_key', 'in', publicKeys.slice(i, i + 500))
      .orderBy('started_at', 'desc')
      .execute()) as Array<Database[T]>;
    const seen = new Set<string>();
    for (const row of rows) {
      if (seen.has(row.public_key)) continue;
      seen.add(row.public_key);
      out.push(row);
    }
  }
  return out;
}

/** Profile owners by public key (active or revoked: a session outlives a revocation). */
export async function profileOwners(db: Db, publicKeys: string[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (let i = 0; i < publicKeys.length; i += 500) {
    const rows = await db.selectFrom('profiles').select(['public_key', 'user_id']).where('public_key', 'in', publicKeys.slice(i, i + 500)).execute();
    for (const row of rows) owners.set(row.public_key, row.user_id);
  }
  return owners;
}

/** Organization VPN clients by peer identity (removed ones too: a session outlives its client's removal), 0022a. */
export async function orgClientOwners(db: Db, publicKeys: string[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (let i = 0; i < publicKeys.length; i += 500) {
    const rows = await db.selectFrom('org_vpn_clients').select(['public_key', 'id']).where('public_key', 'in', publicKeys.slice(i, i + 500)).execute();
    for (const row of rows) owners.set(row.public_key, row.id);
  }
  return owners;
}

/** A client's sessions, newest first, after the cursor (started_at, id) when given. */
export function sessionsOfOrgClient(db: Db, clientId: string, limit: number, after?: { startedAt: number; id: string }): Promise<OrgVpnSessionRow[]> {
  let query = db.selectFrom('org_vpn_sessions').selectAll().where('client_id', '=', clientId);
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('started_at', '<', after.startedAt), eb.and([eb('started_at', '=', after.startedAt), eb('id', '<', after.id)])]),
    );
  }
  return query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Inserts new sessions and updates changed ones, `BATCH` rows per statement. */
export async function upsertSessions<T extends SessionTable>(db: Db, table: T, rows: Array<Database[T]>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await db
      .insertInto(table as SessionTable)
      .values(rows.slice(i, i + BATCH) as Array<Database[SessionTable]>)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          ended_at: eb.ref('excluded.ended_at'),
          last_handshake_at: eb.ref('excluded.last_handshake_at'),
          source_address: eb.ref('excluded.source_address'),
          country: eb.ref('excluded.country'),
          bytes_in: eb.ref('excluded.bytes_in'),
          bytes_out: eb.ref('excluded.bytes_out'),
          last_rx: eb.ref('excluded.last_rx'),
          last_tx: eb.ref('excluded.last_tx'),
        })),
      )
      .execute();
  }
}

/** A user's sessions, newest first, after the cursor (started_at, id) when given. */
export function sessionsOfUser(db: Db, userId: string, limit: number, after?: { startedAt: number; id: string }): Promise<SessionRow[]> {
  let query = db.selectFrom('vpn_sessions').selectAll().where('user_id', '=', userId);
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('started_at', '<', after.startedAt), eb.and([eb('started_at', '=', after.startedAt), eb('id', '<', after.id)])]),
    );
  }
  return query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Sessions of these users that may overlap [fromSec, toSec] (the audit trail links its flow records to them, issue 10). */
export async function sessionsOfUsersBetween(db: Db, userIds: string[], fromSec: number, toSec: number): Promise<SessionRow[]> {
  const out: SessionRow[] = [];
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = await db
      .selectFrom('vpn_sessions')
      .selectAll()
      .where('user_id', 'in', userIds.slice(i, i + 500))
      .where('started_at', '<=', toSec)
      // An open session's end is derived from its last handshake (at most 3 minutes later).
      .where((eb) => eb.or([eb('ended_at', '>=', fromSec), eb.and([eb('ended_at', 'is', null), eb('last_handshake_at', '>=', fromSec - 600)])]))
      .execute();
    out.push(...rows);
  }
  return out;
}
