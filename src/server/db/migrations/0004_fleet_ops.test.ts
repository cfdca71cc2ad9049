import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrateToLatest, migrations } from '../migrations.ts';
import type { Database } from '../schema.ts';
import { openSqlite } from '../sqlite-adapter.ts';

describe('migration 0004_fleet_ops on a database that already holds keys (issue 7 #8, #9, #16)', () => {
  it('#8: enters every key in use once, first holder first; #9: drops an oversized status row', async () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(':memory:') }) });
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations('sqlite') } });
      const first = await migrator.migrateTo('0001_initial');
      assert.equal(first.error, undefined);
      const now = '2026-01-01T00:00:00.000Z';
      await db.insertInto('users').values({ id: 'u1', email: 'a@x.test', name: 'A', password_hash: null, platform_operator: 0, totp_secret: null, totp_last_step: null, created_at: now }).execute();
      await db.insertInto('organizations').values({ id: 'o1', name: 'O', created_at: now }).execute();
      await db.insertInto('plants').values([{ id: 'p1', org_id: 'o1', name: 'P1', created_at: now }, { id: 'p2', org_id: 'o1', name: 'P2', created_at: now }]).execute();
      await db
        .insertInto('profiles')
        .values({ id: 'pr1', user_id: 'u1', kind: 'wireguard', public_key: 'KEY-PROFILE', tunnel_ip: '100.65.0.1', tunnel_ip_num: 1, status: 'active', created_at: now, rotated_at: null, revoked_at: null })
        .execute();
      await db.insertInto('retired_keys').values({ public_key: 'KEY-RETIRED', profile_id: 'pr1', retired_at: now }).execute();
      const daemon = (id: string, plant: string, key: string, status: string | null) => ({
        id,
        kind: 'agent' as const,
        name: id,
        region_id: null,
        plant_id: plant,
        credential_id: `c-${id}`,
        credential_hash: 'h',
        public_key: key,
        endpoint: null,
        tunnel_ip: `100.64.0.${id.length + plant.length}${id.at(-1)}`,
        tunnel_ip_num: 0,
        enrolled_at: now,
        last_seen_at: null,
        status,
      });
      // The defect as found: an agent registered another plant's key, one the profile's.
      await db.insertInto('daemons').values([daemon('a1', 'p1', 'KEY-AGENT', 'x'.repeat(300_000)), daemon('a2', 'p2', 'KEY-AGENT', '{"small":true}')]).execute();

      await migrateToLatest(db, 'sqlite');
      const keys = await db.selectFrom('wireguard_keys').selectAll().orderBy('public_key').execute();
      assert.deepEqual(
        keys.map((k) => [k.public_key, k.owner, k.profile_id ?? k.daemon_id]),
        [
          ['KEY-AGENT', 'agent', 'a1'],
          ['KEY-PROFILE', 'profile', 'pr1'],
          ['KEY-RETIRED', 'profile', 'pr1'],
        ],
      );
      await assert.rejects(
        db.insertInto('wireguard_keys').values({ public_key: 'KEY-PROFILE', owner: 'agent', profile_id: null, daemon_id: 'a2', created_at: now }).execute(),
        /UNIQUE/,
        'the database itself refuses a second holder',
      );
      const statuses = await db.selectFrom('daemons').select(['id', 'status']).orderBy('id').execute();
      assert.deepEqual(
        statuses.map((r) => [r.id, r.status]),
        [
          ['a1', null],
          ['a2', '{"small":true}'],
        ],
      );
      await db.deleteFrom('daemons').where('id', '=', 'a1').execute();
      assert.equal((await db.selectFrom('wireguard_keys').select('public_key').where('public_key', '=', 'KEY-AGENT').execute()).length, 0, 'a removed daemon frees its key');
    } finally {
      await db.destroy();
    }
  });
});
