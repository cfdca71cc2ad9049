import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../migrations.ts';

/**
 * Audit store (issue 10, B6/B7): the indexes the day query and the ingest need, no more.
 * - `audit_flows_plant_window (plant_id, last_seen, first_seen)` replaces `(plant_id,
 *   last_seen)`: "records of plant P overlapping [from, to]" is decided inside the index
 *   (last_seen ≥ from is the range, first_seen ≤ to is checked on the entry), so only
 *   matching rows are read from the table; on PostgreSQL the query also names the first
 *   day segment that can hold them, and older partitions are not planned at all.
 * - PostgreSQL drops `audit_flows_segment (segment, plant_id)`: each segment is its own
 *   partition there, so the index only cost every insert a fourth index write.
 */
export function auditQueryIndex(engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('audit_flows_plant_time').execute();
      await db.schema.createIndex('audit_flows_plant_window').on('audit_flows').columns(['plant_id', 'last_seen', 'first_seen']).execute();
      if (engine === 'postgres') await db.schema.dropIndex('audit_flows_segment').execute();
    },
  };
}
