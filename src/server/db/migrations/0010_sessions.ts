import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * SPEC P7 (issue 10): VPN sessions derived from the gateways' status reports. A row keeps
 * the user, gateway and region names as they were (later renames do not rewrite history),
 * times as unix seconds and the counters last seen (the baseline of the next byte delta).
 */
export const sessionsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('vpn_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
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
    await db.schema.createIndex('vpn_sessions_user').on('vpn_sessions').columns(['user_id', 'started_at']).execute();
    await db.schema.createIndex('vpn_sessions_peer').on('vpn_sessions').columns(['daemon_id', 'public_key', 'started_at']).execute();
    await db.schema.createIndex('vpn_sessions_open').on('vpn_sessions').columns(['daemon_id', 'ended_at']).execute();
  },
};
