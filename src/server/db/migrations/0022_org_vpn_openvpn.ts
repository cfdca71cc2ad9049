import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * OpenVPN organization VPNs (issue 12 item 6, SPEC O1 with P9's certificates). `org_vpns.protocol`
 * (0019) may now say 'openvpn'. An OpenVPN client's `public_key` holds its gateway peer
 * identity `openvpn:<serial>` (as an OpenVPN profile's does); its certificate facts go into
 * the new columns. `org_vpn_certificates`: every certificate issued to a client, kept
 * without a foreign key so that deleting a VPN (whose client rows cascade away) leaves its
 * certificates on the CRL: `revoked_at` is set when the client or its VPN is removed.
 */
export const orgVpnOpenVpn: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('org_vpn_clients').addColumn('cert_serial', 'text').execute();
    await db.schema.alterTable('org_vpn_clients').addColumn('cert_fingerprint', 'text').execute();
    await db.schema.alterTable('org_vpn_clients').addColumn('cert_not_after', 'text').execute();
    await db.schema
      .createTable('org_vpn_certificates')
      .addColumn('serial', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('vpn_id', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('not_after', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('org_vpn_certificates_vpn').on('org_vpn_certificates').column('vpn_id').execute();
    await db.schema.createIndex('org_vpn_certificates_revoked').on('org_vpn_certificates').column('revoked_at').execute();
  },
};
