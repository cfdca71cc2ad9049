import { createHash } from 'node:crypto';
import { canonicalFlow } from './canonical.ts';
import type { StoredFlow } from './flow.ts';

/**
 * Each plant's records form a hash chain (SPEC A3): record n's hash covers record n's
 * canonical bytes and record n-1's hash, so changing, removing, adding or moving one
 * record changes every hash after it. The chain of a plant starts at GENESIS.
 */
export const GENESIS = '0'.repeat(64);

export type ChainHead = { seq: number; hash: string; segment: number };

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS, segment: 0 };

export function chainHash(previous: string, record: StoredFlow): string {
  return createHash('sha256').update(previous).update('\n').update(canonicalFlow(record)).digest('hex');
}

/**
 * Appends records (without seq) to a head: numbers them, hashes them, returns the new head.
 * Records are appended in the given order.
 */
export function appendToChain(
  head: ChainHead,
  records: ReadonlyArray<Omit<StoredFlow, 'seq'>>,
): { records: Array<StoredFlow & { hash: string }>; head: ChainHead } {
  let { seq, hash } = head;
  let segment = head.segment;
  const out: Array<StoredFlow & { hash: string }> = [];
  for (const r of records) {
    seq += 1;
    const record: StoredFlow = { ...r, seq };
    hash = chainHash(hash, record);
    segment = Math.max(segment, r.segment);
    out.push({ ...record, hash });
  }
  return { records: out, head: { seq, hash, segment } };
}
