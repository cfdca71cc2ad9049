import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Issue 11 (SPEC P8): an operator drains a region (`plantgate region drain NAME`); the
 * built-in DNS responder then leaves it out of its answers while another healthy region
 * exists. `drained_at` null: in service. The gateways' public addresses need no column:
 * they are the host part of `daemons.endpoint`, which every gateway registers.
 */
export const regionDrain: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('regions').addColumn('drained_at', 'text').execute();
  },
};
