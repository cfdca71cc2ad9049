import type { Db } from '../../db/handle.ts';
import type { Database } from '../../db/schema.ts';

/** SQL of organization VPNs (issue 12, SPEC O1); the service decides, this only reads and writes rows. */

export type OrgVpnRow = Database['org_vpns'];
export type OrgVpnClientRow = Database['org_vpn_clients'];

export function orgVpnRows(db: Db, orgId: string) {
  return db
    .selectFrom('org_vpns')
    .innerJoin('regions', 'regions.id', 'org_vpns.region_id')
    .selectAll('org_vpns')
    .select(['regions.name as region', 'regions.endpoint as endpoint'])
    .where('org_vpns.org_id', '=', orgId)
    .orderBy('org_vpns.name')
    .execute();
}

export type OrgVpnWithRegion = Awaited<ReturnType<typeof orgVpnRows>>[number];

export async function insertOrgVpn(db: Db, row: OrgVpnRow, plantIds: string[]): Promise<void> {
  await db.insertInto('org_vpns').values(row).execute();
  if (plantIds.length > 0) await db.insertInto('org_vpn_plants').values(plantIds.map((plant_id) => ({ vpn_id: row.id, plant_id }))).execute();
}

export async function renameOrgVpn(db: Db, id: string, name: string): Promise<void> {
  await db.updateTable('org_vpns').set({ name }).where('id', '=', id).execute();
}

/**
 * Deletes the VPN; its plants' and clients' rows go with it (foreign keys). The highest
 * tunnel IP its clients held is kept in `meta` first, so the addresses are not handed out
 * again while the range lasts (the audit trail names them).
 */
export async function deleteOrgVpn(db: Db, id: string, at: string): Promise<void> {
  const row = await db.selectFrom('org_vpn_clients').select((eb) => eb.fn.max('tunnel_ip_num').as('top')).where('vpn_id', '=', id).executeTakeFirst();
  if (row?.top != null) {
    const top = Math.max(Number(row.top), (await deletedClientsTop(db)) ?? 0);
    await db.deleteFrom('meta').where('key', '=', DELETED_TOP).execute();
    await db.insertInto('meta').values({ key: DELETED_TOP, value: String(top) }).execute();
  }
  // the certificates of its OpenVPN clients stay on the CRL (their rows have no foreign key)
  await revokeVpnCertificates(db, id, at);
  await db.deleteFrom('org_vpns').where('id', '=', id).execute();
}

const DELETED_TOP = 'org_vpn_deleted_tunnel_ip_top';

/** The highest tunnel IP a client of a deleted organization VPN held (null when none was deleted). */
export async function deletedClientsTop(db: Db): Promise<number | null> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', DELETED_TOP).executeTakeFirst();
  return row ? Number(row.value) : null;
}

export async function vpnPlantIds(db: Db, vpnId: string): Promise<string[]> {
  return (await db.selectFrom('org_vpn_plants').select('plant_id').where('vpn_id', '=', vpnId).execute()).map((r) => r.plant_id);
}

export async function addVpnPlant(db: Db, vpnId: string, plantId: string): Promise<void> {
  await db.insertInto('org_vpn_plants').values({ vpn_id: vpnId, plant_id: plantId }).execute();
}

export async function removeVpnPlant(db: Db, vpnId: string, plantId: string): Promise<void> {
  await db.deleteFrom('org_vpn_plants').where('vpn_id', '=', vpnId).where('plant_id', '=', plantId).execute();
}

export function activeClientRows(db: Db, vpnIds: string[]) {
  if (vpnIds.length === 0) return Promise.resolve([] as OrgVpnClientRow[]);
  return db.selectFrom('org_vpn_clients').selectAll().where('vpn_id', 'in', vpnIds).where('removed_at', 'is', null).orderBy('name').execute();
}

export async function insertClient(db: Db, row: OrgVpnClientRow): Promise<void> {
  await db.insertInto('org_vpn_clients').values(row).execute();
}

/** Marks the client removed; an OpenVPN client's certificates go on the CRL in the same write. */
export async function markClientRemoved(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('org_vpn_clients').set({ removed_at: at }).where('id', '=', id).execute();
  await db.updateTable('org_vpn_certificates').set({ revoked_at: at }).where('client_id', '=', id).where('revoked_at', 'is', null).execute();
}

export async function insertClientCertificate(db: Db, row: { serial: string; clientId: string; vpnId: string; fingerprint: string; notAfter: string; issuedAt: string }): Promise<void> {
  await db
    .insertInto('org_vpn_certificates')
    .values({ serial: row.serial, client_id: row.clientId, vpn_id: row.vpnId, fingerprint: row.fingerprint, not_after: row.notAfter, issued_at: row.issuedAt, revoked_at: null })
    .execute();
}

async function revokeVpnCertificates(db: Db, vpnId: string, at: string): Promise<void> {
  await db.updateTable('org_vpn_certificates').set({ revoked_at: at }).where('vpn_id', '=', vpnId).where('revoked_at', 'is', null).execute();
}

/** The organization VPNs in a region, as "organization/VPN" (a region with some is not removed). */
export async function orgVpnsInRegion(db: Db, regionId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('org_vpns')
    .innerJoin('organizations', 'organizations.id', 'org_vpns.org_id')
    .select(['organizations.name as org', 'org_vpns.name as vpn'])
    .where('org_vpns.region_id', '=', regionId)
    .orderBy('organizations.name')
    .execute();
  return rows.map((r) => `${r.org}/${r.vpn}`);
}
