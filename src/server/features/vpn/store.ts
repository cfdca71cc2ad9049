import type { Db } from '../../db/handle.ts';
import { deletedClientsTop } from '../org-vpn/store.ts';
import type { Database } from '../../db/schema.ts';

/** SQL of the vpn feature: profiles, retired keys, the WireGuard key registry, route preferences. Writes run inside `FleetState.write`. */

export type ProfileRow = Database['profiles'];

// ---- profiles ------------------------------------------------------------------------

export function activeProfileOf(db: Db, userId: string): Promise<ProfileRow | undefined> {
  return db.selectFrom('profiles').selectAll().where('user_id', '=', userId).where('status', '=', 'active').executeTakeFirst();
}

export async function insertProfile(db: Db, row: ProfileRow): Promise<void> {
  await db.insertInto('profiles').values(row).execute();
}

/** A new key on the same profile; the old key is kept as retired (it stays claimed). */
export async function rotateProfileKey(db: Db, profile: { id: string; oldPublicKey: string }, publicKey: string, at: string): Promise<void> {
  await db.updateTable('profiles').set({ public_key: publicKey, rotated_at: at }).where('id', '=', profile.id).execute();
  await db.insertInto('retired_keys').values({ public_key: profile.oldPublicKey, profile_id: profile.id, retired_at: at }).execute();
}

export async function markProfileRevoked(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('profiles').set({ status: 'revoked', revoked_at: at }).where('id', '=', id).execute();
}

/** The highest tunnel address ever handed out (retired and revoked profiles included), or null. */
/** Profiles and organization VPN clients share the users' interface and so the tunnel addresses (removed ones too: never reused while the range lasts). */
export async function topTunnelIp(db: Db): Promise<number | null> {
  const row = await db.selectFrom('profiles').select((eb) => eb.fn.max('tunnel_ip_num').as('top')).executeTakeFirst();
  const org = await db.selectFrom('org_vpn_clients').select((eb) => eb.fn.max('tunnel_ip_num').as('top')).executeTakeFirst();
  const deleted = await deletedClientsTop(db);
  const tops = [row?.top, org?.top, deleted].filter((t) => t != null).map(Number);
  return tops.length === 0 ? null : Math.max(...tops);
}

/** Tunnel addresses of active profiles, ascending. */
export async function activeTunnelIps(db: Db): Promise<number[]> {
  const rows = await db.selectFrom('profiles').select('tunnel_ip_num').where('status', '=', 'active').execute();
  const org = await db.selectFrom('org_vpn_clients').select('tunnel_ip_num').where('removed_at', 'is', null).execute();
  return [...rows, ...org].map((r) => Number(r.tunnel_ip_num)).sort((a, b) => a - b);
}

// ---- WireGuard key registry -------------------------------------------------------------

export function keyHolder(db: Db, publicKey: string) {
  return db.selectFrom('wireguard_keys').select(['owner', 'profile_id', 'daemon_id']).where('public_key', '=', publicKey).executeTakeFirst();
}

/** Fails on the primary key when another writer claimed the key first. */
export async function insertKeyClaim(
  db: Db,
  claim: { publicKey: string; owner: 'profile' | 'gateway' | 'agent' | 'org-vpn-client'; profileId: string | null; daemonId: string | null; at: string },
): Promise<void> {
  await db
    .insertInto('wireguard_keys')
    .values({ public_key: claim.publicKey, owner: claim.owner, profile_id: claim.profileId, daemon_id: claim.daemonId, created_at: claim.at })
    .execute();
}

export async function deleteDaemonKeys(db: Db, daemonId: string, except: string): Promise<void> {
  await db.deleteFrom('wireguard_keys').where('daemon_id', '=', daemonId).where('public_key', '!=', except).execute();
}

// ---- route preferences ----------------------------------------------------------------

export async function topPreferenceSeq(db: Db): Promise<number> {
  const top = await db.selectFrom('route_prefs').select((eb) => eb.fn.max('seq').as('top')).executeTakeFirst();
  return Number(top?.top ?? 0);
}

export type StoredPreference = { subnetId: string; kind: 'priority' | 'disabled'; seq: number; resumePrioritySeq?: number | null | undefined };

/** Clears the user's preferences on `touched` subnets, then stores `set`. */
export async function replacePreferences(db: Db, userId: string, touched: string[], set: StoredPreference[]): Promise<void> {
  if (touched.length > 0) await db.deleteFrom('route_prefs').where('user_id', '=', userId).where('subnet_id', 'in', touched).execute();
  if (set.length > 0) {
    await db
      .insertInto('route_prefs')
      .values(set.map((p) => ({ user_id: userId, subnet_id: p.subnetId, kind: p.kind, seq: p.seq, resume_priority_seq: p.resumePrioritySeq ?? null })))
      .execute();
  }
}
