import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { dropSegment } from '../../features/audit/retention-store.ts';
import type { AuditDatabase } from '../audit-schema.ts';
import { auditMigrations } from '../audit-connect.ts';
import { openSqlite } from '../sqlite-adapter.ts';

describe('migration 0020_audit_segment_index (SQLite)', () => {
  it('keys the segment index by segment alone; records stay, and a purge still deletes its segment by that index', async () => {
    const db = new Kysely<AuditDatabase>({ dialect: new SqliteDialect({ database: openSqlite(':memory:') }) });
    try {
      const all = auditMigrations('sqlite');
      const migrator = new Migrator({ db, provider: { getMigrations: async () => all }, migrationTableName: 'audit_migration', migrationLockTableName: 'audit_migration_lock' });
      assert.equal((await migrator.migrateTo('0019_audit_record_key_ms')).error, undefined);
      const columns = async () => (await sql<{ name: string }>`select name from pragma_index_info('audit_flows_segment') order by seqno`.execute(db)).rows.map((r) => r.name);
      assert.deepEqual(await columns(), ['segment', 'plant_id']);
      const rows = [20_400, 20_400, 20_401].map((segment, k) => ({
        seq: k + 1, record_key: k, identity_id: 1, connections: 1, bytes_in: 1, bytes_out: 1, ingested_ms: 0, first_seen_ms: 0, last_seen_ms: 0,
        segment, port: 502, plant_id: `plant-${k % 2}`, record_id: `r${k}`, destination_ip: '172.16.0.17', device_ip: '10.0.0.17', protocol: 'tcp', session: null, hash: Buffer.alloc(32, k),
      }));
      await db.insertInto('audit_flows').values(rows).execute();

      assert.equal((await migrator.migrateToLatest()).error, undefined);
      assert.deepEqual(await columns(), ['segment']);
      assert.equal((await db.selectFrom('audit_flows').select('seq').execute()).length, 3, 'every record kept');
      const plan = (await sql<{ detail: string }>`explain query plan delete from audit_flows where segment = ${20_400}`.execute(db)).rows.map((r) => r.detail).join('\n');
      assert.match(plan, /USING (COVERING )?INDEX audit_flows_segment/, plan);
      await dropSegment(db, 'sqlite', 20_400);
      assert.deepEqual((await db.selectFrom('audit_flows').select('segment').execute()).map((r) => r.segment), [20_401]);
    } finally {
      await db.destroy();
    }
  });
});
