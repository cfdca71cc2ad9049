import { type Checkpoint, signCheckpoint } from '../../../core/audit/checkpoint.ts';
import { firstKeptSegment, purgeAnchor } from '../../../core/audit/retention.ts';
import type { AppContext } from '../../context.ts';
import { insertCheckpoints, lockHeads, updateHead } from './ingest-store.ts';
import { dropSegment, replaceCheckpoints, headsDue, keptCheckpointsAt, lastRecordsBefore, segmentsBefore } from './retention-store.ts';

export type PurgeResult = { segments: number[]; anchors: number };

/**
 * Retention (SPEC A3): drops every day segment wholly older than the retention. First it
 * signs, for each plant losing records, a checkpoint of the last record purged, stored
 * in the first kept segment, so the rest of the chain still verifies.
 */
export async function purgeExpired(ctx: AppContext): Promise<PurgeResult> {
  const audit = ctx.audit;
  const now = ctx.now();
  const keepFrom = firstKeptSegment(now, audit.retentionDays);
  const segments = await segmentsBefore(audit.store.db, keepFrom);
  if (segments.length === 0) return { segments: [], anchors: 0 };
  const anchors: Checkpoint[] = [];
  for (const last of await lastRecordsBefore(audit.store.db, keepFrom)) {
    const kept = await keptCheckpointsAt(audit.store.db, last.plantId, last.seq, keepFrom);
    const anchor = purgeAnchor(last.plantId, last, kept, keepFrom, now.toISOString());
    if (anchor) anchors.push(signCheckpoint(audit.key.privateKeyPem, anchor));
  }
  // A checkpoint already stored at that position (older segment) is replaced by the anchor in the kept segment.
  await replaceCheckpoints(audit.store.db, anchors);
  for (const segment of segments) await dropSegment(audit.store.db, audit.store.engine, segment);
  return { segments, anchors: anchors.length };
}

/** Signs the heads of chains that moved and have not been checkpointed for an interval (the tail of a quiet plant). */
export async function checkpointQuietHeads(ctx: AppContext): Promise<number> {
  const audit = ctx.audit;
  const now = ctx.now();
  const due = await headsDue(audit.store.db, new Date(now.getTime() - audit.checkpointIntervalMs).toISOString());
  if (due.length === 0) return 0;
  return audit.store.db.transaction().execute(async (trx) => {
    const heads = await lockHeads(trx, audit.store.engine, due);
    const checkpoints: Checkpoint[] = [];
    for (const [plantId, head] of heads) {
      if (head.seq <= head.checkpointSeq) continue;
      checkpoints.push(signCheckpoint(audit.key.privateKeyPem, { plantId, seq: head.seq, hash: head.hash, recordSegment: head.segment, segment: head.segment, createdAt: now.toISOString() }));
      await updateHead(trx, plantId, { ...head, checkpointSeq: head.seq, checkpointAt: now.toISOString() });
    }
    await insertCheckpoints(trx, checkpoints);
    return checkpoints.length;
  });
}
