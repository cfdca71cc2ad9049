import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrateToLatest, migrations } from '../migrations.ts';
import type { Database } from '../schema.ts';
import { openSqlite } from '../sqlite-adapter.ts';

describe('migration 0005_org_self_service on a database with history (issue 8)', () => {
  it('keeps the events, which belong to no organization; an invitation token hash is unique', async () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(':memory:') }) });
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations('sqlite') } });
      assert.equal((await migrator.migrateTo('0004_fleet_ops')).error, undefined);
      const now = '2026-01-01T00:00:00.000Z';
      await db.insertInto('events').values({ at: now, actor_user_id: null, kind: 'fleet.applied', subject_user_id: null, details: '{}' } as never).execute();
      await migrateToLatest(db, 'sqlite');
      const events = await db.selectFrom('events').select(['kind', 'org_id']).execute();
      assert.deepEqual(events.map((e) => ({ ...e })), [{ kind: 'fleet.applied', org_id: null }]);
      await db.insertInto('organizations').values({ id: 'o1', name: 'O', created_at: now }).execute();
      const invitation = (id: string) => ({
        id,
        org_id: 'o1',
        email: 'a@x.test',
        role: 'member',
        token_hash: 'same-hash',
        invited_by: null,
        created_at: now,
        expires_at: now,
        accepted_at: null,
        revoked_at: null,
      });
      await db.insertInto('invitations').values(invitation('i1')).execute();
      await assert.rejects(db.insertInto('invitations').values(invitation('i2')).execute(), /UNIQUE/, 'a token hash names one invitation');
    } finally {
      await db.destroy();
    }
  });
});
