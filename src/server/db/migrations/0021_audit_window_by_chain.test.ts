import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { type OpenAuditStore, onEachAuditEngine } from '../../../../test/support/audit-engines.ts';
import { auditMigrations } from '../audit-connect.ts';
import type { Engine } from '../migrations.ts';

const SEGMENT = 20_400;

function suite(engine: Engine, open: OpenAuditStore) {
  describe(`migration 0021_audit_window_by_chain (${engine})`, () => {
    it(engine === 'sqlite' ? 'drops the window index; every record stays' : 'keeps the window index (PostgreSQL reads the window by it)', async () => {
      const { db, close } = await open();
      try {
        const all = auditMigrations(engine);
        const migrator = new Migrator({ db, provider: { getMigrations: async () => all }, migrationTableName: 'audit_migration', migrationLockTableName: 'audit_migration_lock' });
        assert.equal((await migrator.migrateTo('0020_audit_segment_index')).error, undefined);
        if (engine === 'postgres') await sql.raw(`create table audit_flows_s${SEGMENT} partition of audit_flows for values from (${SEGMENT}) to (${SEGMENT + 1})`).execute(db);
        const indexes = async () =>
          engine === 'sqlite'
            ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'audit_flows'`.execute(db)).rows.map((r) => r.name)
            : (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'audit_flows'`.execute(db)).rows.map((r) => r.name);
        assert.ok((await indexes()).includes('audit_flows_plant_window'));
        const rows = [1, 2, 3].map((seq) => ({
          seq, record_key: seq, identity_id: 1, connections: 1, bytes_in: 1, bytes_out: 1, ingested_ms: 0, first_seen_ms: 0, last_seen_ms: 0,
          segment: SEGMENT, port: 502, plant_id: 'plant-a', record_id: `r${seq}`, destination_ip: '172.16.0.17', device_ip: '10.0.0.17', protocol: 'tcp', session: null, hash: Buffer.alloc(32, seq),
        }));
        await db.insertInto('audit_flows').values(rows).execute();

        assert.equal((await migrator.migrateToLatest()).error, undefined);
        assert.equal((await indexes()).includes('audit_flows_plant_window'), engine === 'postgres');
        assert.deepEqual((await db.selectFrom('audit_flows').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq)), [1, 2, 3], 'every record kept');
      } finally {
        await close();
      }
    });
  });
}

onEachAuditEngine('m0021', suite);
