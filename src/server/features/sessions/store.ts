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

/** The sessions still open on a gateway. */
export function openSessionsOf(db: Db, daemonId: string): Promise<SessionRow[]> {
  return db.selectFrom('vpn_sessions').selectAll().where('daemon_id', '=', daemonId).where('ended_at', 'is', null).execute();
}

/** The newest session per peer on a gateway, for the given peers (their counter baseline). */
export async function newestSessionsOf(db: Db, daemonId: string, publicKeys: string[]): Promise<SessionRow[]> {
  const out: SessionRow[] = [];
  for (let i = 0; i < publicKeys.length; i += 500) {
    const rows = await db
      .selectFrom('vpn_sessions')
      .selectAll()
      .where('daemon_id', '=', daemonId)
      .where('public_key', 'in', publicKeys.slice(i, i + 500))
      .orderBy('started_at', 'desc')
      .execute();
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

/** The organization VPN client sessions still open on a gateway. */
export function openOrgSessionsOf(db: Db, daemonId: string): Promise<OrgVpnSessionRow[]> {
  return db.selectFrom('org_vpn_sessions').selectAll().where('daemon_id', '=', daemonId).where('ended_at', 'is', null).execute();
}

/** The newest organization VPN client session per peer on a gateway (their counter baseline). */
export async function newestOrgSessionsOf(db: Db, daemonId: string, publicKeys: string[]): Promise<OrgVpnSessionRow[]> {
  const out: OrgVpnSessionRow[] = [];
  for (let i = 0; i < publicKeys.length; i += 500) {
    const rows = await db
      .selectFrom('org_vpn_sessions')
      .selectAll()
      .where('daemon_id', '=', daemonId)
      .where('public_key', 'in', publicKeys.slice(i, i + 500))
      .orderBy('started_at', 'desc')
      .execute();
    const seen = new Set<string>();
    for (const row of rows) {
      if (seen.has(row.public_key)) continue;
      seen.add(row.public_key);
      out.push(row);
    }
  }
  return out;
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

/** Inserts new organization VPN client sessions and updates changed ones. */
export async function upsertOrgSessions(db: Db, rows: OrgVpnSessionRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await db
      .insertInto('org_vpn_sessions')
      .values(rows.slice(i, i + BATCH))
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

/** Inserts new sessions and updates changed ones, `BATCH` rows per statement. */
export async function upsertSessions(db: Db, rows: SessionRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await db
      .insertInto('vpn_sessions')
      .values(rows.slice(i, i + BATCH))
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
