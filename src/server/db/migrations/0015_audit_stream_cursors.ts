import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * SIEM streaming (issue 10 item 5, docs/audit.md "Streaming to a SIEM"): per configured
 * sink and stream, the position up to which the sink acknowledged. A stream is a plant's
 * chain (`flows:<plantId>`, position = seq) or the fleet's event log (`events`, position =
 * event id). Advanced only after the sink acknowledged, so a restart resumes from here.
 */
export const auditStreamCursors: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('audit_stream_cursors')
      .addColumn('sink', 'text', (c) => c.notNull())
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_stream_cursors_pk', ['sink', 'stream'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('audit_stream_cursors').execute();
  },
};
