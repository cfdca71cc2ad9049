import type { Db } from '../../db/handle.ts';
import type { Database } from '../../db/schema.ts';

/** SQL of OpenVPN profiles (0021): the user CA row and the profile certificates. Writes run inside `FleetState.write`. */

export type UserCaRow = Database['user_ca'];

export function userCaRow(db: Db): Promise<UserCaRow | undefined> {
  return db.selectFrom('user_ca').selectAll().where('id', '=', 1).executeTakeFirst();
}

export async function insertUserCa(db: Db, row: UserCaRow): Promise<void> {
  await db.insertInto('user_ca').values(row).execute();
}

export async function insertProfileCertificate(
  db: Db,
  row: { serial: string; profileId: string; fingerprint: string; notAfter: string; issuedAt: string },
): Promise<void> {
  await db
    .insertInto('profile_certificates')
    .values({ serial: row.serial, profile_id: row.profileId, fingerprint: row.fingerprint, not_after: row.notAfter, issued_at: row.issuedAt, revoked_at: null })
    .execute();
}

/** Puts a certificate on the CRL (no-op when it is there already). */
export async function revokeCertificate(db: Db, serial: string, at: string): Promise<void> {
  await db.updateTable('profile_certificates').set({ revoked_at: at }).where('serial', '=', serial).where('revoked_at', 'is', null).execute();
}

/**
 * The CRL's entries: revoked profile certificates and those of removed organization VPN
 * clients (0022), both signed by the one user CA. A client certificate whose client row is
 * gone without a revocation (its organization was deleted: the rows cascade away) is on the
 * CRL too, dated by its issue.
 */
export async function revokedCertificates(db: Db): Promise<Array<{ serial: string; revoked_at: string }>> {
  const profiles = await db.selectFrom('profile_certificates').select(['serial', 'revoked_at']).where('revoked_at', 'is not', null).execute();
  const orgClients = await db
    .selectFrom('org_vpn_certificates')
    .leftJoin('org_vpn_clients', 'org_vpn_clients.id', 'org_vpn_certificates.client_id')
    .select(['org_vpn_certificates.serial as serial', 'org_vpn_certificates.revoked_at as revoked_at', 'org_vpn_certificates.issued_at as issued_at'])
    .where((eb) => eb.or([eb('org_vpn_certificates.revoked_at', 'is not', null), eb('org_vpn_clients.id', 'is', null)]))
    .execute();
  const entries = [...profiles.map((r) => ({ serial: r.serial, revoked_at: r.revoked_at as string })), ...orgClients.map((r) => ({ serial: r.serial, revoked_at: r.revoked_at ?? r.issued_at }))];
  return entries.sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
}

export async function setProfileCertificate(db: Db, profileId: string, cert: { serial: string; fingerprint: string; notAfter: string; peerId: string }, at: string | null): Promise<void> {
  await db
    .updateTable('profiles')
    .set({ public_key: cert.peerId, cert_serial: cert.serial, cert_fingerprint: cert.fingerprint, cert_not_after: cert.notAfter, ...(at ? { rotated_at: at } : {}) })
    .where('id', '=', profileId)
    .execute();
}
