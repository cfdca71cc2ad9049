import { hash } from 'node:crypto';
import { canonicalAroundSeq, canonicalFlow } from './canonical.ts';
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
  // One-shot hash of one string: the same bytes as three updates, without a Hash object per record (B6).
  return hash('sha256', `${previous}\n${canonicalFlow(record)}`, 'hex');
}

/**
 * Appends records (without seq; `common` gives the fields they share, such as the gateway
 * and the segment) to a head: numbers them, hashes them, returns the new head. Records are
 * appended in the given order; each becomes one new object (B6: no copy per step).
 */
export function appendToChain<R extends Partial<StoredFlow>>(
  head: ChainHead,
  records: ReadonlyArray<R>,
  common: Partial<StoredFlow> = {},
): { records: Array<StoredFlow & { hash: string }>; head: ChainHead } {
  let { seq, hash } = head;
  let segment = head.segment;
  const out: Array<StoredFlow & { hash: string }> = [];
  for (const r of records) {
    seq += 1;
    const record = { ...r, ...common, seq, hash: '' } as StoredFlow & { hash: string };
    hash = chainHash(hash, record);
    record.hash = hash;
    segment = Math.max(segment, record.segment);
    out.push(record);
  }
  return { records: out, head: { seq, hash, segment } };
}

/** A record whose canonical bytes before and after its seq are already known (`canonicalAroundSeq`). */
export type ChainDraft = { record: StoredFlow & { hash: string }; before: string; after: string };

/** A draft of a complete record (seq and hash still to come): its canonical bytes around the seq. */
export function chainDraft(record: StoredFlow & { hash: string }): ChainDraft {
  const [before, after] = canonicalAroundSeq(record);
  return { record, before, after };
}

/** Drafts for `appendDrafts`: the records (with `common` the fields they share) and their canonical bytes. */
export function chainDrafts<R extends Partial<StoredFlow>>(records: ReadonlyArray<R>, common: Partial<StoredFlow> = {}): ChainDraft[] {
  return records.map((r) => chainDraft({ ...r, ...common, seq: 0, hash: '' } as StoredFlow & { hash: string }));
}

/**
 * appendToChain for drafts: numbers and hashes them in place (the same hashes as
 * appendToChain of the same records), so the work done while the chain head is locked is
 * one SHA-256 per record. Every draft must carry the segment the chain continues in.
 */
export function appendDrafts(head: ChainHead, drafts: readonly ChainDraft[]): ChainHead {
  let { seq, hash: previous } = head;
  let segment = head.segment;
  for (const { record, before, after } of drafts) {
    seq += 1;
    previous = hash('sha256', `${previous}\n${before}${seq}${after}`, 'hex');
    record.seq = seq;
    record.hash = previous;
    segment = Math.max(segment, record.segment);
  }
  return { seq, hash: previous, segment };
}
