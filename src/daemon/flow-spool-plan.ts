import type { FlowBatch } from '../core/wire/audit.ts';

/**
 * Pure rules of a daemon's flow spool (SPEC A5, no silent loss): batch ids that sort
 * by age, and what to drop when the spool is full — the oldest batches, whose records
 * become one gap (with the dropped batches' own gaps carried over, so a gap is never lost).
 */

/** `gw.000001796045528745.000003`: sorts by creation time, then by a counter within the millisecond. */
export function batchId(daemonId: string, now: number, counter: number): string {
  return `${daemonId}.${String(now).padStart(18, '0')}.${String(counter % 1_000_000).padStart(6, '0')}`;
}

export type SpooledBatch = { name: string; batch: FlowBatch };

export type OverflowPlan = {
  /** File names to delete, oldest first. */
  drop: string[];
  /** The batch that records the loss (null when nothing is dropped). */
  gapBatch: FlowBatch | null;
};

/**
 * Keeps at most `maxBatches` batches (`spooled` oldest first; the gap batch itself counts).
 * The gap spans the dropped records' first and last seen, or the time of the drop when the
 * dropped batches held only gaps.
 */
export function planOverflow(spooled: SpooledBatch[], maxBatches: number, newBatchId: string, now: number, kind: 'gateway' | 'agent' = 'gateway'): OverflowPlan {
  if (maxBatches < 2) throw new Error('maxBatches must be at least 2 (one batch and the gap recording a drop)');
  if (spooled.length <= maxBatches) return { drop: [], gapBatch: null };
  const dropped = spooled.slice(0, spooled.length - maxBatches + 1);
  let records = 0;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  const carried: FlowBatch['gaps'] = [];
  for (const { batch } of dropped) {
    records += batch.records.length;
    for (const record of batch.records) {
      from = Math.min(from, Date.parse(record.firstSeen));
      to = Math.max(to, Date.parse(record.lastSeen));
    }
    carried.push(...batch.gaps);
  }
  const gaps = [...carried];
  if (records > 0) {
    gaps.push({
      id: `${newBatchId}.overflow`,
      from: new Date(Number.isFinite(from) ? from : now).toISOString(),
      to: new Date(Number.isFinite(to) ? to : now).toISOString(),
      reason: `${kind} flow spool full: ${records} flow records of ${dropped.length} batches dropped (oldest first) while the control plane was unreachable`,
    });
  }
  return { drop: dropped.map((entry) => entry.name), gapBatch: gaps.length === 0 ? null : { batchId: newBatchId, records: [], gaps: gaps.slice(-1000) } };
}

/** Retry delay after `failures` failed uploads in a row: 1 s doubling to at most `maxMs`, with jitter from `random`. */
export function retryDelay(failures: number, random: number, maxMs = 60_000): number {
  const base = Math.min(maxMs, 1000 * 2 ** Math.min(failures - 1, 16));
  return Math.round(base * (0.5 + random / 2));
}
