import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * OpenVPN certificate profiles (issue 11, SPEC P9). `profiles.kind` already says
 * 'wireguard'; an OpenVPN profile has kind 'openvpn', its `public_key` column holds its
 * peer identity `openvpn:<serial>` (never a WireGuard key), and the certificate facts go
 * into the new columns. `user_ca`: the installation's one user CA and the gateways'
 * server certificate signed by it; both private keys and the tls-crypt key sealed (S3).
 * `profile_certificates`: every certificate ever issued to a profile; a set `revoked_at`
 * puts it on the CRL (revoke, and the old certificate at a rotate).
 */
export const openVpnProfiles: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('profiles').addColumn('cert_serial', 'text').execute();
    await db.schema.alterTable('profiles').addColumn('cert_fingerprint', 'text').execute();
    await db.schema.alterTable('profiles').addColumn('cert_not_after', 'text').execute();
    await db.schema
      .createTable('user_ca')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('certificate', 'text', (c) => c.notNull())
      .addColumn('key_sealed', 'text', (c) => c.notNull())
      .addColumn('server_certificate', 'text', (c) => c.notNull())
      .addColumn('server_key_sealed', 'text', (c) => c.notNull())
      .addColumn('tls_crypt_sealed', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('profile_certificates')
      .addColumn('serial', 'text', (c) => c.primaryKey())
      .addColumn('profile_id', 'text', (c) => c.notNull().references('profiles.id').onDelete('cascade'))
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('not_after', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('profile_certificates_revoked').on('profile_certificates').column('revoked_at').execute();
  },
};
