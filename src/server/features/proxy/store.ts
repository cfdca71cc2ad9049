import type { SessionRow, TargetRow } from '../../../core/proxy/proxy-section.ts';
import type { Db } from '../../db/handle.ts';
import type { Database } from '../../db/schema.ts';

/** SQL of the browser proxy (docs/browser-proxy.md). Writes run inside `FleetState.write`: the gateways' document moves with them. */

export type WebTargetRow = Database['web_targets'];
export type ProxySessionRow = Database['proxy_sessions'];
/** A target with its device, as reads show it. */
export type WebTargetWithDevice = WebTargetRow & { device_name: string; device_ip: string };

function targetsQuery(db: Db) {
  return db
    .selectFrom('web_targets')
    .innerJoin('devices', 'devices.id', 'web_targets.device_id')
    .selectAll('web_targets')
    .select(['devices.name as device_name', 'devices.ip as device_ip']);
}

export function targetsOfPlants(db: Db, plantIds: readonly string[]): Promise<WebTargetWithDevice[]> {
  if (plantIds.length === 0) return Promise.resolve([]);
  return targetsQuery(db).where('web_targets.plant_id', 'in', [...plantIds]).orderBy('web_targets.created_at').orderBy('web_targets.id').execute();
}

/** A target by id or host label (any plant): the open endpoint's `:target`. */
export function targetByIdOrHost(db: Db, ref: string): Promise<WebTargetWithDevice | undefined> {
  return targetsQuery(db)
    .where((eb) => eb.or([eb('web_targets.id', '=', ref), eb('web_targets.host', '=', ref)]))
    .executeTakeFirst();
}

export async function insertTarget(db: Db, row: WebTargetRow): Promise<void> {
  await db.insertInto('web_targets').values(row).execute();
}

export async function updateTarget(db: Db, id: string, set: Partial<Omit<WebTargetRow, 'id' | 'plant_id' | 'host' | 'created_at' | 'created_by'>>): Promise<void> {
  await db.updateTable('web_targets').set(set).where('id', '=', id).execute();
}

export async function deleteTarget(db: Db, id: string): Promise<void> {
  await db.deleteFrom('web_targets').where('id', '=', id).execute();
}

export function hostTaken(db: Db, host: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('web_targets').select('id').where('host', '=', host).executeTakeFirst();
}

export type DeviceRow = { id: string; name: string; ip: string };

export function devicesOfPlant(db: Db, plantId: string): Promise<DeviceRow[]> {
  return db.selectFrom('devices').select(['id', 'name', 'ip']).where('plant_id', '=', plantId).orderBy('name').execute();
}

export async function insertSession(db: Db, row: ProxySessionRow): Promise<void> {
  await db.insertInto('proxy_sessions').values(row).execute();
}

export type TokenExpiry = { expires_at: string | null; revoked_at: string | null };

export function tokenExpiry(db: Db, tokenId: string): Promise<TokenExpiry | undefined> {
  return db.selectFrom('api_tokens').select(['expires_at', 'revoked_at']).where('id', '=', tokenId).executeTakeFirst();
}

/** Every target with its device's real address: the gateways' section (one query per revision). */
export async function allTargetsForSection(db: Db): Promise<TargetRow[]> {
  const rows = await targetsQuery(db).execute();
  return rows.map((r) => ({ id: r.id, plantId: r.plant_id, host: r.host, scheme: r.scheme, port: r.port, path: r.path, deviceIp: r.device_ip }));
}

/** Sessions neither closed nor expired at `now`, with their user's and token's state (one query per revision). */
export async function openSessionsForSection(db: Db, now: string): Promise<SessionRow[]> {
  const rows = await openSessionRows(db, now).execute();
  return rows.map(sessionRowOf);
}

function openSessionRows(db: Db, now: string) {
  return db
    .selectFrom('proxy_sessions')
    .innerJoin('users', 'users.id', 'proxy_sessions.user_id')
    .innerJoin('api_tokens', 'api_tokens.id', 'proxy_sessions.token_id')
    .selectAll('proxy_sessions')
    .select(['users.email as user_email', 'users.disabled_at as user_disabled_at', 'api_tokens.revoked_at as token_revoked_at', 'api_tokens.expires_at as token_expires_at'])
    .where('proxy_sessions.closed_at', 'is', null)
    .where('proxy_sessions.expires_at', '>', now);
}

type JoinedSession = ProxySessionRow & { user_email: string; user_disabled_at: string | null; token_revoked_at: string | null; token_expires_at: string | null };

function sessionRowOf(r: JoinedSession): SessionRow {
  return {
    id: r.id,
    targetId: r.target_id,
    userId: r.user_id,
    userEmail: r.user_email,
    grantHash: r.grant_hash,
    grantExpiresAt: r.grant_expires_at,
    expiresAt: r.expires_at,
    closedAt: r.closed_at,
    tokenRevokedAt: r.token_revoked_at,
    tokenExpiresAt: r.token_expires_at,
    userDisabledAt: r.user_disabled_at,
  };
}

/** Open sessions of the given targets (a target removed or changed closes them). */
export async function openSessionsOfTargets(db: Db, now: string, targetIds: readonly string[]): Promise<SessionRow[]> {
  if (targetIds.length === 0) return [];
  const rows = await openSessionRows(db, now).where('proxy_sessions.target_id', 'in', [...targetIds]).execute();
  return rows.map(sessionRowOf);
}

export async function closeSessions(db: Db, ids: readonly string[], now: string, reason: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await db.updateTable('proxy_sessions').set({ closed_at: now, close_reason: reason }).where('id', 'in', ids.slice(i, i + 500)).where('closed_at', 'is', null).execute();
  }
}

/** Open sessions of the user whose platform session (API token) was revoked: what a logout or password change ends. */
export async function openSessionsOnRevokedTokens(db: Db, now: string, userId: string): Promise<Array<SessionRow & { plantId: string }>> {
  const rows = await openSessionRows(db, now)
    .innerJoin('web_targets', 'web_targets.id', 'proxy_sessions.target_id')
    .select('web_targets.plant_id as plant_id')
    .where('proxy_sessions.user_id', '=', userId)
    .where('api_tokens.revoked_at', 'is not', null)
    .execute();
  return rows.map((r) => ({ ...sessionRowOf(r), plantId: r.plant_id }));
}

export function sessionOfUser(db: Db, id: string, userId: string): Promise<ProxySessionRow | undefined> {
  return db.selectFrom('proxy_sessions').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
}

/** Records one session closed; false when it was closed already (by another replica or request). */
export async function closeSessionIfOpen(db: Db, id: string, now: string, reason: string): Promise<boolean> {
  const result = await db.updateTable('proxy_sessions').set({ closed_at: now, close_reason: reason }).where('id', '=', id).where('closed_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Rows of sessions that ended before `before` (closed or expired): the events keep their history. */
export async function pruneEndedSessions(db: Db, before: string): Promise<void> {
  await db
    .deleteFrom('proxy_sessions')
    .where((eb) => eb.or([eb('expires_at', '<', before), eb('closed_at', '<', before)]))
    .execute();
}
