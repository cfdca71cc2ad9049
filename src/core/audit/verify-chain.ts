import { type ChainHead, GENESIS, chainHash } from './chain.ts';
import { type Checkpoint, verifyCheckpoint } from './checkpoint.ts';
import { type StoredFlow, segmentStart } from './flow.ts';

export type ChainInput = {
  plantId: string;
  /** The stored records in chain order (by seq), each with the hash stored beside it. */
  records: ReadonlyArray<StoredFlow & { hash: string }>;
  /** The plant's stored checkpoints, by seq. */
  checkpoints: readonly Checkpoint[];
  /** The stored chain head (null: verifying an export, which has none). */
  head: ChainHead | null;
  publicKeyPem: string;
  /**
   * The first segment the retention keeps: records of older segments may be gone (purged),
   * younger ones must all be there. Null when unknown (an export verified offline).
   */
  keepFrom: number | null;
};

export type ChainVerdict =
  | {
      ok: true;
      records: number;
      checkpoints: number;
      /** Position of the first record still stored (> 1 after a purge); null when none is. */
      firstSeq: number | null;
      /** Records after the last checkpoint: covered by the chain and its head, not yet by a signature. */
      unsignedTail: number;
    }
  | { ok: false; seq: number; recordId: string | null; problem: string };

/**
 * Verifies one plant's chain (SPEC A3, R10): every checkpoint's signature; the first stored
 * record is either the chain's first or anchored by a checkpoint at the position before
 * it (what a purge of whole old segments leaves); every record's position and hash; every
 * checkpoint's hash against the recomputed chain; nothing missing at the end. The
 * verdict names the first record that fails.
 */
export function verifyChain(input: ChainInput): ChainVerdict {
  const { plantId, records, checkpoints, head, publicKeyPem, keepFrom } = input;
  const bySeq = new Map<number, Checkpoint>();
  for (const c of checkpoints) {
    if (c.plantId !== plantId || !verifyCheckpoint(publicKeyPem, c)) {
      return { ok: false, seq: c.seq, recordId: null, problem: `checkpoint #${c.seq} has no valid signature of this server's audit key` };
    }
    bySeq.set(c.seq, c);
  }
  const maxCheckpoint = checkpoints.reduce((m, c) => Math.max(m, c.seq), 0);
  const first = records[0];
  if (!first) {
    const end = Math.max(head?.seq ?? 0, maxCheckpoint);
    if (end === 0) return { ok: true, records: 0, checkpoints: 0, firstSeq: null, unsignedTail: 0 };
    const anchor = bySeq.get(end);
    if (anchor && (keepFrom === null || anchor.recordSegment < keepFrom) && (!head || (head.seq === anchor.seq && head.hash === anchor.hash))) {
      return { ok: true, records: 0, checkpoints: 1, firstSeq: null, unsignedTail: 0 };
    }
    return { ok: false, seq: 1, recordId: null, problem: `records #1…#${end} are missing and no checkpoint signs the chain's end` };
  }
  let previous = GENESIS;
  let verified = 0;
  if (first.seq !== 1) {
    const anchor = bySeq.get(first.seq - 1);
    if (!anchor) {
      return {
        ok: false,
        seq: first.seq,
        recordId: first.recordId,
        problem: `record #${first.seq} is the first stored but no checkpoint anchors it: records before it were removed other than by a purge of whole segments`,
      };
    }
    if (keepFrom !== null && anchor.recordSegment >= keepFrom) {
      return {
        ok: false,
        seq: first.seq - 1,
        recordId: null,
        problem: `records up to #${first.seq - 1} are missing (deleted) though the retention keeps them (stored ${segmentStart(anchor.recordSegment).slice(0, 10)})`,
      };
    }
    previous = anchor.hash;
    verified++;
  }
  let expected = first.seq;
  for (const r of records) {
    if (r.plantId !== plantId) return { ok: false, seq: r.seq, recordId: r.recordId, problem: `record #${r.seq} belongs to another plant's chain` };
    if (r.seq !== expected) {
      return {
        ok: false,
        seq: expected,
        recordId: r.recordId,
        problem: r.seq > expected ? `record #${expected} is missing (deleted); the next stored is #${r.seq}` : `record #${r.seq} appears twice`,
      };
    }
    const hash = chainHash(previous, r);
    if (hash !== r.hash) {
      return { ok: false, seq: r.seq, recordId: r.recordId, problem: `record #${r.seq} does not match its chain hash: edited, inserted or moved` };
    }
    const checkpoint = bySeq.get(r.seq);
    if (checkpoint) {
      if (checkpoint.hash !== hash) {
        return {
          ok: false,
          seq: r.seq,
          recordId: r.recordId,
          problem: `the chain up to record #${r.seq} differs from what checkpoint #${r.seq} signed: records up to it were rewritten`,
        };
      }
      verified++;
    }
    previous = hash;
    expected++;
  }
  const lastSeq = expected - 1;
  if (maxCheckpoint > lastSeq) {
    return { ok: false, seq: lastSeq + 1, recordId: null, problem: `records #${lastSeq + 1}…#${maxCheckpoint} are missing (deleted): checkpoint #${maxCheckpoint} signs them` };
  }
  if (head && (head.seq !== lastSeq || head.hash !== previous)) {
    return head.seq > lastSeq
      ? { ok: false, seq: lastSeq + 1, recordId: null, problem: `records #${lastSeq + 1}…#${head.seq} are missing (deleted): the chain head is at #${head.seq}` }
      : { ok: false, seq: head.seq + 1, recordId: records.find((r) => r.seq === head.seq + 1)?.recordId ?? null, problem: `record #${head.seq + 1} and after are not in the chain (inserted): the chain head is at #${head.seq}` };
  }
  const lastSigned = [...bySeq.keys()].filter((s) => s <= lastSeq).reduce((m, s) => Math.max(m, s), 0);
  return { ok: true, records: records.length, checkpoints: verified, firstSeq: first.seq, unsignedTail: lastSeq - Math.max(lastSigned, first.seq - 1) };
}
