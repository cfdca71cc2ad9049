import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../migrations.ts';

/**
 * Audit store, SQLite (B6 over many plants): no `audit_flows_plant_window` index. Keyed by
 * plant first, it took one entry per record in every plant's run and so wrote a page per plant
 * per commit to the WAL (2,000 plants: 2,000 pages beside the primary key's 2,000); with it a
 * full 10,000-record batch over 2,000 plants cost ~40 % more of the single SQLite thread.
 * A windowed query reads the plant's chain instead: the segment never decreases along a chain,
 * so the window's segments are one seq range of the primary key (plant_id, seq), found by
 * bisection (query-store.ts, seqRangeOfSegments). PostgreSQL keeps the index (B7, 100 million
 * rows: its plan reads the window by it, and its batches do not pay for it on one thread).
 */
export function auditWindowByChain(engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (engine === 'postgres') return;
      await db.schema.dropIndex('audit_flows_plant_window').execute();
    },
  };
}
