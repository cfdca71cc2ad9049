import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Direct VPN operations (issue 9 D7, D11). `direct_vpns.restart_generation` is bumped by
 * `site-vpn restart` (the agent rebuilds the tunnel when it moves). `direct_vpn_live` holds
 * the latest report of each direct VPN as its plant's agent sent it (state, since, bytes,
 * the rate over the last two reports, redacted log lines, diagnose checks, hosted clients),
 * written in the daemons' status flush — never through the fleet revision. `discoveries`
 * are D11 probe runs: requested by a user, answered by the plant's agent, bounded in hosts,
 * rate and time.
 */
export const directVpnLive: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('direct_vpns').addColumn('restart_generation', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema
      .createTable('direct_vpn_live')
      .addColumn('direct_vpn_id', 'text', (c) => c.primaryKey().references('direct_vpns.id').onDelete('cascade'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('since', 'text', (c) => c.notNull())
      .addColumn('bytes_in', 'bigint', (c) => c.notNull())
      .addColumn('bytes_out', 'bigint', (c) => c.notNull())
      .addColumn('rate_in', 'double precision', (c) => c.notNull())
      .addColumn('rate_out', 'double precision', (c) => c.notNull())
      .addColumn('reported_at', 'text', (c) => c.notNull())
      .addColumn('logs', 'text', (c) => c.notNull())
      .addColumn('checks', 'text', (c) => c.notNull())
      .addColumn('clients', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('discoveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('plant_id', 'text', (c) => c.notNull().references('plants.id').onDelete('cascade'))
      .addColumn('requested_by', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('requested_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('request', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .addColumn('result', 'text')
      .addColumn('error', 'text')
      .execute();
    await db.schema.createIndex('discoveries_plant').on('discoveries').columns(['plant_id', 'requested_at']).execute();
  },
};
