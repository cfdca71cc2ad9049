import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Organization VPNs (issue 12, SPEC O1): one shared WireGuard service of an organization in
 * one region, the plants routed through it, and its clients (sites announcing the
 * organization's networks, and devices). A client keeps its row when removed
 * (`removed_at`): its tunnel IP is then never handed out again while the range lasts, so
 * the audit trail stays unambiguous. Only public keys are stored.
 */
export const orgVpns: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('org_vpns')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('region_id', 'text', (c) => c.notNull().references('regions.id').onDelete('cascade'))
      .addColumn('protocol', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
      .execute();
    await db.schema.createIndex('org_vpns_org_name').on('org_vpns').columns(['org_id', 'name']).unique().execute();
    await db.schema
      .createTable('org_vpn_plants')
      .addColumn('vpn_id', 'text', (c) => c.notNull().references('org_vpns.id').onDelete('cascade'))
      .addColumn('plant_id', 'text', (c) => c.notNull().references('plants.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('org_vpn_plants_pk', ['vpn_id', 'plant_id'])
      .execute();
    await db.schema.createIndex('org_vpn_plants_plant').on('org_vpn_plants').column('plant_id').execute();
    await db.schema
      .createTable('org_vpn_clients')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('vpn_id', 'text', (c) => c.notNull().references('org_vpns.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('tunnel_ip', 'text', (c) => c.notNull())
      .addColumn('tunnel_ip_num', 'bigint', (c) => c.notNull())
      .addColumn('networks', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('removed_at', 'text')
      .execute();
    await db.schema.createIndex('org_vpn_clients_vpn').on('org_vpn_clients').column('vpn_id').execute();
  },
};
