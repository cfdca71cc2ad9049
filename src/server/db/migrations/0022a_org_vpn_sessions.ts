import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Sessions of organization VPN clients (issue 12, SPEC O1 with P7's views): the same shape as
 * `vpn_sessions` (0010), owned by a client instead of a user, derived by the same recorder
 * from the gateways' status reports. They go with the client's row (a deleted VPN's).
 * 0022a: the letter suffix of org-ovpn's reserved 0022 (append-only; sorts after 0022_).
 */
export const orgVpnSessions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('org_vpn_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text', (c) => c.notNull().references('org_vpn_clients.id').onDelete('cascade'))
      .addColumn('daemon_id', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .addColumn('last_handshake_at', 'bigint', (c) => c.notNull())
      .addColumn('source_address', 'text')
      .addColumn('country', 'text')
      .addColumn('bytes_in', 'bigint', (c) => c.notNull())
      .addColumn('bytes_out', 'bigint', (c) => c.notNull())
      .addColumn('last_rx', 'bigint', (c) => c.notNull())
      .addColumn('last_tx', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('org_vpn_sessions_client').on('org_vpn_sessions').columns(['client_id', 'started_at']).execute();
    await db.schema.createIndex('org_vpn_sessions_peer').on('org_vpn_sessions').columns(['daemon_id', 'public_key', 'started_at']).execute();
    await db.schema.createIndex('org_vpn_sessions_open').on('org_vpn_sessions').columns(['daemon_id', 'ended_at']).execute();
  },
};
