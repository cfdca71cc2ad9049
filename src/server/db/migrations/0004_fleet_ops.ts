import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Issue 7:
 * - #8: one registry of every WireGuard public key in use (profiles, also retired ones;
 *   gateway and agent keys), so a key is unique across all of them by the primary key,
 *   whichever replica writes. A daemon's rows go with the daemon; a profile's stay, so a
 *   rotated-away key is never accepted again. Existing keys are entered first come, first
 *   served (a duplicate already stored keeps its place in its own table).
 * - #16: a disabled route remembers the priority choice it had, restored when re-enabled.
 * - #9: oversized status rows from before the report had bounds are dropped.
 */
export const fleetOps: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('wireguard_keys')
      .addColumn('public_key', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('profile_id', 'text')
      .addColumn('daemon_id', 'text', (c) => c.references('daemons.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('wireguard_keys_daemon').on('wireguard_keys').column('daemon_id').execute();
    // `where true` keeps SQLite from reading ON CONFLICT as part of the SELECT.
    await sql`insert into wireguard_keys (public_key, owner, profile_id, daemon_id, created_at)
      select public_key, kind, null, id, enrolled_at from daemons where public_key is not null order by enrolled_at
      on conflict (public_key) do nothing`.execute(db);
    await sql`insert into wireguard_keys (public_key, owner, profile_id, daemon_id, created_at)
      select public_key, 'profile', id, null, created_at from profiles where true order by created_at
      on conflict (public_key) do nothing`.execute(db);
    await sql`insert into wireguard_keys (public_key, owner, profile_id, daemon_id, created_at)
      select public_key, 'profile', profile_id, null, retired_at from retired_keys where true
      on conflict (public_key) do nothing`.execute(db);
    await db.schema.alterTable('route_prefs').addColumn('resume_priority_seq', 'bigint').execute();
    // #9: a status row from before the bounds may be huge (100 MB was seen); the next report replaces it.
    await sql`update daemons set status = null where length(status) > 262144`.execute(db);
  },
};
