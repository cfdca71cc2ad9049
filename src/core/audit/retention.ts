import type { UnsignedCheckpoint } from './checkpoint.ts';
import { segmentOf } from './flow.ts';

/** SPEC A3: at least 730 days; shorter only when the server config says so explicitly. */
export const DEFAULT_RETENTION_DAYS = 730;

export type RetentionSetting = { days?: number; allowBelowMinimum?: boolean };

export type Retention = { ok: true; days: number } | { ok: false; problem: string };

export function resolveRetention(setting: RetentionSetting): Retention {
  const days = setting.days ?? DEFAULT_RETENTION_DAYS;
  if (!Number.isInteger(days) || days < 1) return { ok: false, problem: `audit.retentionDays: ${days} is not a whole number of days ≥ 1` };
  if (days < DEFAULT_RETENTION_DAYS && setting.allowBelowMinimum !== true) {
    return {
      ok: false,
      problem: `audit.retentionDays: ${days} is below the ${DEFAULT_RETENTION_DAYS} days SPEC A3 requires; set audit.allowRetentionBelow730Days: true to override`,
    };
  }
  return { ok: true, days };
}

/**
 * Segments below the returned one are purged: a segment goes only when all of its day
 * is older than the retention, so no record younger than `days` is ever dropped.
 */
export function firstKeptSegment(now: Date, days: number): number {
  return segmentOf(now) - days;
}

/**
 * The checkpoint a purge must leave behind so the rest of a plant's chain stays anchored
 * (SPEC A3: still verifies after a purge): one signing the last purged record, stored in
 * the first kept segment. Null when nothing is purged or such a checkpoint already exists
 * (the one made when the next segment opened).
 */
export function purgeAnchor(
  plantId: string,
  lastPurged: { seq: number; hash: string; segment: number } | null,
  keptCheckpoints: ReadonlyArray<{ seq: number; hash: string }>,
  firstKept: number,
  createdAt: string,
): UnsignedCheckpoint | null {
  if (!lastPurged) return null;
  if (keptCheckpoints.some((c) => c.seq === lastPurged.seq && c.hash === lastPurged.hash)) return null;
  return { plantId, seq: lastPurged.seq, hash: lastPurged.hash, recordSegment: lastPurged.segment, segment: firstKept, createdAt };
}
