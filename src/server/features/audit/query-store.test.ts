import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { AuditDatabase } from '../../db/audit-schema.ts';
import { auditMigrations } from '../../db/audit-connect.ts';
import { openSqlite } from '../../db/sqlite-adapter.ts';
import { recordsQuery, seqRangeOfSegments, windowSeqRange } from './query-store.ts';

const D = 20_400;

/**
 * Chains as ingest leaves them (the segment never decreases along a plant's chain), with days
 * skipped, a day of one record, a purged start (seqs not from 1) and a plant of one record.
 */
const CHAINS: Record<string, { firstSeq: number; segments: number[] }> = {
  'plant-a': { firstSeq: 1, segments: [D, D, D, D + 1, D + 1, D + 3, D + 3, D + 3, D + 3, D + 4, D + 7, D + 7] },
  'plant-purged': { firstSeq: 41, segments: [D + 2, D + 2, D + 5, D + 6, D + 6, D + 6] },
  'plant-one': { firstSeq: 1, segments: [D + 4] },
};

async function auditDb(): Promise<Kysely<AuditDatabase>> {
  const db = new Kysely<AuditDatabase>({ dialect: new SqliteDialect({ database: openSqlite(':memory:') }) });
  const migrations = auditMigrations('sqlite');
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableName: 'audit_migration', migrationLockTableName: 'audit_migration_lock' });
  assert.equal((await migrator.migrateToLatest()).error, undefined);
  const rows = Object.entries(CHAINS).flatMap(([plantId, chain]) =>
    chain.segments.map((segment, k) => ({
      seq: chain.firstSeq + k, record_key: k, identity_id: 1, connections: 1, bytes_in: 1, bytes_out: 1, ingested_ms: 0, first_seen_ms: 0, last_seen_ms: 0,
      segment, port: 502, plant_id: plantId, record_id: `${plantId}:${k}`, destination_ip: '172.16.0.17', device_ip: '10.0.0.17', protocol: 'tcp', session: null, hash: Buffer.alloc(32, k),
    })),
  );
  await db.insertInto('audit_flows').values(rows).execute();
  return db;
}

describe('query-store: a window on SQLite is a seq range of the plant chain (migration 0021)', () => {
  it('seqRangeOfSegments holds exactly the records of the segments asked, for every plant and every pair of segments', async () => {
    const db = await auditDb();
    try {
      for (const [plantId, chain] of Object.entries(CHAINS)) {
        for (let first = D - 1; first <= D + 8; first++) {
          for (const last of [null, ...Array.from({ length: D + 9 - first }, (_, k) => first + k)]) {
            const range = await seqRangeOfSegments(db, plantId, first, last);
            const inRange = chain.segments.map((_, k) => chain.firstSeq + k).filter((seq) => seq >= range.from && (range.below === null || seq < range.below));
            const wanted = chain.segments.flatMap((segment, k) => (segment >= first && (last === null || segment <= last) ? [chain.firstSeq + k] : []));
            assert.deepEqual(inRange, wanted, `${plantId} segments ${first}..${last ?? 'newest'}: range ${JSON.stringify(range)}`);
          }
        }
      }
      assert.deepEqual(await seqRangeOfSegments(db, 'plant-none', D, D + 1), { from: 0, below: 0 }, 'a plant without records reads nothing');
    } finally {
      await db.destroy();
    }
  });

  it('the day query reads the plant chain on its primary key, not the segment index (B7)', async () => {
    const db = await auditDb();
    try {
      const filter = { plantId: 'plant-a', from: '2025-11-09T00:00:00.000Z', to: '2025-11-10T00:00:00.000Z', afterSeq: 0, limit: 500 };
      const segments = [D + 2, D + 3, D + 4];
      const range = await windowSeqRange(db, filter.plantId, filter.from, segments);
      assert.deepEqual(range, { from: 6, below: 11 });
      const compiled = recordsQuery(db, filter, segments, range).compile();
      const plan = (await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]))).rows.map((r) => r.detail).join('\n');
      assert.match(plan, /SEARCH f USING INDEX sqlite_autoindex_audit_flows_1 \(plant_id=\? AND seq>\? AND seq<\?\)/, plan);
    } finally {
      await db.destroy();
    }
  });
});
