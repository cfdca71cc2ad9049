import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../migrations.ts';

/**
 * Audit store, PostgreSQL (B6 over many plants): `audit_chain_heads` pages filled to 20 %.
 * Every batch locks and updates the head row of each plant it touches (4,000 per batch over
 * 4,000 plants). On a full page an update cannot stay on its page (no HOT update): the dead
 * versions pile up in new pages and the primary key until autovacuum comes by (once a minute),
 * and the batch's own lookups and locks of the heads slowed to a third of the ingest rate for
 * the rest of that minute. With free room on each page the update stays there, and the next
 * access to a page prunes its dead versions. (A table written before this fills its pages this
 * way as rows move; SQLite updates in place and has no such setting.)
 */
export function auditHeadsFillfactor(engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (engine !== 'postgres') return;
      await sql`alter table audit_chain_heads set (fillfactor = 20)`.execute(db);
    },
  };
}
