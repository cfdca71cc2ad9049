import { type Kysely, sql } from 'kysely';
import type { AuditDatabase } from '../../db/audit-schema.ts';
import type { Engine } from '../../db/migrations.ts';
import type { Checkpoint } from '../../../core/audit/checkpoint.ts';
import { hashHex } from '../../../core/audit/identity.ts';
import { insertCheckpoints, partitionName } from './ingest-store.ts';
import { deleteHttpRequestsOfSegment } from './http-requests-store.ts';

type AuditDb = Kysely<AuditDatabase>;

export async function segmentsBefore(db: AuditDb, keepFrom: number): Promise<number[]> {
  const rows = await db.selectFrom('audit_segments').select('segment').where('segment', '<', keepFrom).orderBy('segment').execute();
  return rows.map((r) => r.segment);
}

/** Per plant, the last record a purge below `keepFrom` removes. */
export async function lastRecordsBefore(db: AuditDb, keepFrom: number): Promise<Array<{ plantId: string; seq: number; hash: string; segment: number }>> {
  const last = await db
    .selectFrom('audit_flows')
    .select(['plant_id', (eb) => eb.fn.max('seq').as('seq')])
    .where('segment', '<', keepFrom)
    .groupBy('plant_id')
    .execute();
  const out: Array<{ plantId: string; seq: number; hash: string; segment: number }> = [];
  for (const r of last) {
    const row = await db
      .selectFrom('audit_flows')
      .select(['hash', 'segment'])
      .where('plant_id', '=', r.plant_id)
      .where('seq', '=', Number(r.seq))
      .executeTakeFirstOrThrow();
    out.push({ plantId: r.plant_id, seq: Number(r.seq), hash: hashHex(row.hash), segment: row.segment });
  }
  return out;
}

export async function keptCheckpointsAt(db: AuditDb, plantId: string, seq: number, keepFrom: number): Promise<Array<{ seq: number; hash: string }>> {
  const rows = await db
    .selectFrom('audit_checkpoints')
    .select(['seq', 'hash'])
    .where('plant_id', '=', plantId)
    .where('seq', '=', seq)
    .where('segment', '>=', keepFrom)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), hash: r.hash }));
}

/**
 * Drops one whole segment: PostgreSQL drops the day's partition (no row-by-row delete, no
 * bloat); SQLite deletes the segment's rows by its indexed id. Gaps, checkpoints, batch
 * ids and the records' HTTP detail of the segment go with it.
 */
export async function dropSegment(db: AuditDb, engine: Engine, segment: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (engine === 'postgres') await sql`drop table if exists ${sql.id(partitionName(segment))}`.execute(trx);
    else await trx.deleteFrom('audit_flows').where('segment', '=', segment).execute();
    await deleteHttpRequestsOfSegment(trx, segment);
    await trx.deleteFrom('audit_gaps').where('segment', '=', segment).execute();
    await trx.deleteFrom('audit_checkpoints').where('segment', '=', segment).execute();
    await trx.deleteFrom('audit_batches').where('segment', '=', segment).execute();
    await trx.deleteFrom('audit_segments').where('segment', '=', segment).execute();
  });
}

/** Heads that moved past their last checkpoint longer ago than the interval. */
export async function headsDue(db: AuditDb, before: string): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_chain_heads')
    .select('plant_id')
    .whereRef('seq', '>', 'checkpoint_seq')
    .where('checkpoint_at', '<=', before)
    .execute();
  return rows.map((r) => r.plant_id);
}

/** Stores purge anchors, replacing a checkpoint at the same position kept in a segment about to go. */
export async function replaceCheckpoints(db: AuditDb, anchors: readonly Checkpoint[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const a of anchors) await trx.deleteFrom('audit_checkpoints').where('plant_id', '=', a.plantId).where('seq', '=', a.seq).execute();
    await insertCheckpoints(trx, anchors);
  });
}
