import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../migrations.ts';

/**
 * The audit store's own schema (issue 10): flow records, capture gaps, per-plant chain
 * heads, signed checkpoints, ingested batch ids, the segment registry and the sealed
 * checkpoint key. It lives apart from the fleet schema (SQLite: its own database file;
 * PostgreSQL: its own tables, pool and migration table), so flow ingest never holds a
 * lock a fleet write waits for; see docs/decisions/audit-store.md.
 *
 * Records are kept in day segments, the unit of purge: on PostgreSQL audit_flows is
 * partitioned by segment (a partition per day, created on first use and dropped whole by
 * the purge); on SQLite the purge deletes one segment at a time by its indexed id.
 */
export function auditSchema(engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const text = 'text' as const;
      let flows = db.schema
        .createTable('audit_flows')
        .addColumn('plant_id', text, (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('segment', 'integer', (c) => c.notNull())
        .addColumn('record_id', text, (c) => c.notNull())
        .addColumn('gateway_id', text, (c) => c.notNull())
        .addColumn('ingested_at', text, (c) => c.notNull())
        .addColumn('user_id', text)
        .addColumn('user_email', text)
        .addColumn('tunnel_ip', text, (c) => c.notNull())
        .addColumn('org_id', text, (c) => c.notNull())
        .addColumn('plant_name', text, (c) => c.notNull())
        .addColumn('subnet_id', text, (c) => c.notNull())
        .addColumn('subnet_cidr', text, (c) => c.notNull())
        .addColumn('subnet_mapped', text, (c) => c.notNull())
        .addColumn('destination_ip', text, (c) => c.notNull())
        .addColumn('device_ip', text, (c) => c.notNull())
        .addColumn('device_name', text)
        .addColumn('protocol', text, (c) => c.notNull())
        .addColumn('port', 'integer')
        .addColumn('connections', 'bigint', (c) => c.notNull())
        .addColumn('bytes_in', 'bigint', (c) => c.notNull())
        .addColumn('bytes_out', 'bigint', (c) => c.notNull())
        .addColumn('first_seen', text, (c) => c.notNull())
        .addColumn('last_seen', text, (c) => c.notNull())
        .addColumn('session', text)
        .addColumn('hash', text, (c) => c.notNull());
      // A partitioned table's keys must hold the partition column.
      flows =
        engine === 'postgres'
          ? flows.addPrimaryKeyConstraint('audit_flows_pk', ['plant_id', 'seq', 'segment']).modifyEnd(sql`partition by range (segment)`)
          : flows.addPrimaryKeyConstraint('audit_flows_pk', ['plant_id', 'seq']);
      await flows.execute();
      await db.schema.createIndex('audit_flows_record').on('audit_flows').columns(['gateway_id', 'record_id']).execute();
      await db.schema.createIndex('audit_flows_segment').on('audit_flows').columns(['segment', 'plant_id']).execute();
      await db.schema.createIndex('audit_flows_plant_time').on('audit_flows').columns(['plant_id', 'last_seen']).execute();

      await db.schema
        .createTable('audit_segments')
        .addColumn('segment', 'integer', (c) => c.primaryKey())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('audit_gaps')
        .addColumn('gateway_id', text, (c) => c.notNull())
        .addColumn('gap_id', text, (c) => c.notNull())
        .addColumn('segment', 'integer', (c) => c.notNull())
        .addColumn('from_at', text, (c) => c.notNull())
        .addColumn('to_at', text, (c) => c.notNull())
        .addColumn('reason', text, (c) => c.notNull())
        .addColumn('ingested_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_gaps_pk', ['gateway_id', 'gap_id'])
        .execute();
      await db.schema.createIndex('audit_gaps_time').on('audit_gaps').columns(['to_at']).execute();
      await db.schema
        .createTable('audit_chain_heads')
        .addColumn('plant_id', text, (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('hash', text, (c) => c.notNull())
        .addColumn('segment', 'integer', (c) => c.notNull())
        .addColumn('checkpoint_seq', 'bigint', (c) => c.notNull())
        .addColumn('checkpoint_at', text, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('plant_id', text, (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('hash', text, (c) => c.notNull())
        .addColumn('record_segment', 'integer', (c) => c.notNull())
        .addColumn('segment', 'integer', (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('signature', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_checkpoints_pk', ['plant_id', 'seq'])
        .execute();
      await db.schema
        .createTable('audit_batches')
        .addColumn('gateway_id', text, (c) => c.notNull())
        .addColumn('batch_id', text, (c) => c.notNull())
        .addColumn('segment', 'integer', (c) => c.notNull())
        .addColumn('ack', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_batches_pk', ['gateway_id', 'batch_id'])
        .execute();
      await db.schema
        .createTable('audit_keys')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('private_sealed', text, (c) => c.notNull())
        .addColumn('public_pem', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
    },
  };
}
