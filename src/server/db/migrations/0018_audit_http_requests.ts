import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Audit store (issue 12 item 4): the browser proxy's requests behind a flow record — per
 * method, path and status, with counts and bytes — as one JSON array per record, keyed like
 * the record (plant, seq). Its own table, so ordinary records (every conntrack flow) cost
 * nothing more to store or ingest; only records that carry detail get a row. The detail is
 * chained with its record (canonical form pgaf2). `segment` is the record's: a retention
 * purge deletes the segment's rows.
 */
export const auditHttpRequests: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('audit_http_requests')
      .addColumn('plant_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('segment', 'integer', (c) => c.notNull())
      .addColumn('requests', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_http_requests_pk', ['plant_id', 'seq'])
      .execute();
    await db.schema.createIndex('audit_http_requests_segment').on('audit_http_requests').column('segment').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('audit_http_requests').execute();
  },
};
