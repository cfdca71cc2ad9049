import type { Kysely } from 'kysely';
import type { StoredFlow } from '../../../core/audit/flow.ts';
import type { AuditDatabase } from '../../db/audit-schema.ts';
import { chainedOf, flowsWithIdentity } from './query-store.ts';
import { withHttpRequests } from './http-requests-store.ts';

/** SQL of SIEM streaming (issue 10 item 5): the sinks' cursors and the records to send. */
type AuditDb = Kysely<AuditDatabase>;

export async function readCursors(db: AuditDb, sink: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('audit_stream_cursors').select(['stream', 'position']).where('sink', '=', sink).execute();
  return new Map(rows.map((r) => [r.stream, Number(r.position)]));
}

/** Stores the positions a sink acknowledged (or rewound to), in one transaction. */
export async function saveCursors(db: AuditDb, sink: string, positions: ReadonlyMap<string, number>, at: string): Promise<void> {
  if (positions.size === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const [stream, position] of positions) {
      await trx
        .insertInto('audit_stream_cursors')
        .values({ sink, stream, position, updated_at: at })
        .onConflict((oc) => oc.columns(['sink', 'stream']).doUpdateSet({ position, updated_at: at }))
        .execute();
    }
  });
}

/** Every plant's chain head position (what exists to stream). */
export async function chainHeads(db: AuditDb): Promise<Map<string, number>> {
  const rows = await db.selectFrom('audit_chain_heads').select(['plant_id', 'seq']).execute();
  return new Map(rows.map((r) => [r.plant_id, Number(r.seq)]));
}

/** A plant's records after `afterSeq` in chain order, only those of `orgId` when given (an organization's sink, SPEC A2). */
export async function recordsToStream(db: AuditDb, plantId: string, afterSeq: number, orgId: string | null, limit: number): Promise<Array<StoredFlow & { hash: string }>> {
  let q = flowsWithIdentity(db).where('f.plant_id', '=', plantId).where('f.seq', '>', afterSeq);
  if (orgId !== null) q = q.where('i.org_id', '=', orgId);
  const rows = await q.orderBy('f.seq').limit(limit).execute();
  return withHttpRequests(db, rows.map(chainedOf));
}
