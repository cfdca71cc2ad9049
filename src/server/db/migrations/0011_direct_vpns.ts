import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Direct plant VPNs (issue 9, SPEC D1–D10), control plane only. `config` is the parsed,
 * whitelisted model of the upload WITHOUT its secrets (JSON); `secrets` holds those the
 * agent needs to dial (WireGuard private and pre-shared keys, OpenVPN client key and
 * tls-auth/tls-crypt keys, the credentials entered separately), sealed with the server's
 * SecretBox, never shown in any read. `subnets` (JSON list) are also plant subnets: the
 * service adds and removes them through the organization change path.
 */
export const directVpns: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('direct_vpns')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('plant_id', 'text', (c) => c.notNull().references('plants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('protocol', 'text', (c) => c.notNull())
      .addColumn('transport', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('secrets', 'text')
      .addColumn('subnets', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('direct_vpns_plant_name', ['plant_id', 'name'])
      .execute();
  },
};
