import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { type OpenAuditStore, onEachAuditEngine } from '../../../../test/support/audit-engines.ts';
import { auditMigrations } from '../audit-connect.ts';
import type { Engine } from '../migrations.ts';

function suite(engine: Engine, open: OpenAuditStore) {
  describe(`migration 0022_audit_heads_fillfactor (${engine})`, () => {
    it(engine === 'postgres' ? 'leaves room on each chain-head page (fillfactor 20); the heads stay' : 'changes nothing on SQLite; the heads stay', async () => {
      const { db, close } = await open();
      try {
        const all = auditMigrations(engine);
        const migrator = new Migrator({ db, provider: { getMigrations: async () => all }, migrationTableName: 'audit_migration', migrationLockTableName: 'audit_migration_lock' });
        assert.equal((await migrator.migrateTo('0021_audit_window_by_chain')).error, undefined);
        await db.insertInto('audit_chain_heads').values({ plant_id: 'plant-a', seq: 7, hash: 'a'.repeat(64), segment: 20_400, checkpoint_seq: 7, checkpoint_at: '2025-11-09T00:00:00.000Z' }).execute();
        assert.equal((await migrator.migrateToLatest()).error, undefined);
        if (engine === 'postgres') {
          const options = (await sql<{ reloptions: string[] | null }>`select reloptions from pg_class where relname = 'audit_chain_heads'`.execute(db)).rows[0]?.reloptions;
          assert.deepEqual(options, ['fillfactor=20']);
        }
        assert.deepEqual((await db.selectFrom('audit_chain_heads').select(['plant_id', 'seq']).execute()).map((r) => [r.plant_id, Number(r.seq)]), [['plant-a', 7]]);
      } finally {
        await close();
      }
    });
  });
}

onEachAuditEngine('m0022', suite);
