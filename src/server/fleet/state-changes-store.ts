import { type Kysely, type Transaction, sql } from 'kysely';
import { type GatewayChanges, loadChanges, type StoredGatewayChanges, storeChanges } from '../../core/state/gateway-changes.ts';
import type { PlantId } from '../../core/model.ts';
import type { Engine } from '../db/migrations.ts';
import type { Database } from '../db/schema.ts';

/** The channel every replica LISTENs on; the payload is the new revision. */
export const STATE_CHANNEL = 'plantgate_state';

/** Revisions of history kept in `state_changes` (the in-memory ring keeps at most as many). */
export const STORED_REVISIONS = 2000;

/** A change larger than this (JSON characters) is stored as "unknown": deltas never span it, daemons get the full document. */
const MAX_STORED_CHARS = 8 * 1024 * 1024;

export type RevisionRecord = { revision: number; changes: GatewayChanges | null; plants: PlantId[]; gateways: boolean };

/**
 * Writes revision `record.revision`'s change in the write's own transaction, prunes the
 * history and (PostgreSQL) queues the notification, which PostgreSQL delivers at commit.
 */
export async function recordRevision(trx: Transaction<Database>, engine: Engine, record: RevisionRecord): Promise<void> {
  let changes: string | null = record.changes ? JSON.stringify(storeChanges(record.changes)) : null;
  if (changes !== null && changes.length > MAX_STORED_CHARS) changes = null;
  await trx
    .insertInto('state_changes')
    .values({ revision: record.revision, changes, plants: JSON.stringify(record.plants), gateways: record.gateways ? 1 : 0 })
    .execute();
  if (record.revision % 100 === 0)
    await trx
      .deleteFrom('state_changes')
      .where('revision', '<=', record.revision - STORED_REVISIONS)
      .execute();
  if (engine === 'postgres') await sql`select pg_notify(${STATE_CHANNEL}, ${String(record.revision)})`.execute(trx);
}

/** The stored changes of revisions after `after` up to `upTo`, in order. */
export async function readRevisions(db: Kysely<Database>, after: number, upTo: number): Promise<RevisionRecord[]> {
  if (upTo <= after) return [];
  const rows = await db.selectFrom('state_changes').selectAll().where('revision', '>', after).where('revision', '<=', upTo).orderBy('revision').execute();
  return rows.map((r) => ({
    revision: Number(r.revision),
    changes: r.changes === null ? null : loadChanges(JSON.parse(r.changes) as StoredGatewayChanges),
    plants: JSON.parse(r.plants) as PlantId[],
    gateways: r.gateways === 1,
  }));
}

export async function readRevision(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('state_revision').select('revision').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.revision);
}

export async function bumpRevision(trx: Transaction<Database>): Promise<number> {
  const row = await trx
    .updateTable('state_revision')
    .set((eb) => ({ revision: eb('revision', '+', 1) }))
    .where('id', '=', 1)
    .returning('revision')
    .executeTakeFirstOrThrow();
  return Number(row.revision);
}
