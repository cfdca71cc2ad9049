import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Issue 6: each revision's change to the gateways' document, written in the same
 * transaction as the revision itself, so another replica on the same database can serve
 * deltas without reloading first and wake the agents of exactly the plants that moved.
 * `changes` is null when the change was too large to keep (a delta may not span it).
 * Pruned to a bounded history by the writer.
 */
export const stateChanges: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('state_changes')
      .addColumn('revision', 'bigint', (c) => c.primaryKey())
      .addColumn('changes', 'text')
      .addColumn('plants', 'text', (c) => c.notNull())
      .addColumn('gateways', 'integer', (c) => c.notNull())
      .execute();
  },
};
