import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Hosted direct VPNs (issue 9, D1/D6/D9): the agent runs the server, site and user clients
 * dial in. `direct_vpns` gains where clients dial (`listen_host`, `listen_port`, unique per
 * plant and transport) and the server's tunnel network; `direct_vpn_clients` keeps each
 * client's name, kind, tunnel address, announced subnets and its PUBLIC half only (WireGuard
 * public key / OpenVPN certificate and serial): a client's private key is in its show-once
 * profile and never stored. `daemons.public_address` is where the agent last registered
 * from (the default listen host).
 */
export const hostedDirectVpns: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('daemons').addColumn('public_address', 'text').execute();
    await db.schema.alterTable('direct_vpns').addColumn('listen_host', 'text').execute();
    await db.schema.alterTable('direct_vpns').addColumn('listen_port', 'integer').execute();
    await db.schema.alterTable('direct_vpns').addColumn('tunnel_network', 'text').execute();
    await db.schema.createIndex('direct_vpns_listen').on('direct_vpns').columns(['plant_id', 'transport', 'listen_port']).unique().execute();
    await db.schema
      .createTable('direct_vpn_clients')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('direct_vpn_id', 'text', (c) => c.notNull().references('direct_vpns.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('tunnel_ip', 'text', (c) => c.notNull())
      .addColumn('subnets', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text')
      .addColumn('certificate', 'text')
      .addColumn('serial', 'text')
      .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('direct_vpn_clients_name', ['direct_vpn_id', 'name'])
      .addUniqueConstraint('direct_vpn_clients_ip', ['direct_vpn_id', 'tunnel_ip'])
      .execute();
  },
};
