import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../migrations.ts';

/**
 * Audit store, SQLite (B6 over many plants): `audit_flows_segment` on `(segment)` instead of
 * `(segment, plant_id)`. The purge deletes a whole segment by it and reads nothing else from
 * it; with the plant in the key, each batch wrote one entry into every plant's run within the
 * day — a dirty page per plant per commit (2,000 plants: 2,000 pages of this index alone).
 * Keyed by segment alone, the entries (segment, rowid) of a day are appended in ingest order.
 * PostgreSQL has no such index (each segment is its own partition).
 */
export function auditSegmentIndex(engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (engine === 'postgres') return;
      await db.schema.dropIndex('audit_flows_segment').execute();
      await db.schema.createIndex('audit_flows_segment').on('audit_flows').column('segment').execute();
    },
  };
}
