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
  const verifier = new ChainVerifier(input);
  return verifier.feed(input.records) ?? verifier.finish(input.head);
}

type Failure = Extract<ChainVerdict, { ok: false }>;

/**
 * The same verification fed page by page (records in chain order), so a chain of millions
 * of records is checked without holding it in memory: `feed` returns the first failure,
 * `finish` the verdict.
 */
export class ChainVerifier {
  private readonly plantId: string;
  private readonly keepFrom: number | null;
  private readonly bySeq = new Map<number, Checkpoint>();
  private readonly maxCheckpoint: number;
  private failure: Failure | null = null;
  private previous = GENESIS;
  private expected: number | null = null;
  private firstSeq: number | null = null;
  private verified = 0;
  private count = 0;

  constructor(input: Omit<ChainInput, 'records' | 'head'>) {
    this.plantId = input.plantId;
    this.keepFrom = input.keepFrom;
    for (const c of input.checkpoints) {
      if (c.plantId !== input.plantId || !verifyCheckpoint(input.publicKeyPem, c)) {
        this.failure ??= { ok: false, seq: c.seq, recordId: null, problem: `checkpoint #${c.seq} has no valid signature of this server's audit key` };
      }
      this.bySeq.set(c.seq, c);
    }
    this.maxCheckpoint = input.checkpoints.reduce((m, c) => Math.max(m, c.seq), 0);
  }

  feed(records: ReadonlyArray<StoredFlow & { hash: string }>): Failure | null {
    if (this.failure) return this.failure;
    for (const r of records) {
      this.failure = this.step(r);
      if (this.failure) return this.failure;
    }
    return null;
  }

  finish(head: ChainHead | null): ChainVerdict {
    if (this.failure) return this.failure;
    const { bySeq, keepFrom, maxCheckpoint } = this;
    if (this.expected === null) {
      const end = Math.max(head?.seq ?? 0, maxCheckpoint);
      if (end === 0) return { ok: true, records: 0, checkpoints: 0, firstSeq: null, unsignedTail: 0 };
      const anchor = bySeq.get(end);
      if (anchor && (keepFrom === null || anchor.recordSegment < keepFrom) && (!head || (head.seq === anchor.seq && head.hash === anchor.hash))) {
        return { ok: true, records: 0, checkpoints: 1, firstSeq: null, unsignedTail: 0 };
      }
      return { ok: false, seq: 1, recordId: null, problem: `records #1…#${end} are missing and no checkpoint signs the chain's end` };
    }
    const lastSeq = this.expected - 1;
    if (maxCheckpoint > lastSeq) {
      return { ok: false, seq: lastSeq + 1, recordId: null, problem: `records #${lastSeq + 1}…#${maxCheckpoint} are missing (deleted): checkpoint #${maxCheckpoint} signs them` };
    }
    if (head && (head.seq !== lastSeq || head.hash !== this.previous)) {
      return head.seq > lastSeq
        ? { ok: false, seq: lastSeq + 1, recordId: null, problem: `records #${lastSeq + 1}…#${head.seq} are missing (deleted): the chain head is at #${head.seq}` }
        : { ok: false, seq: head.seq + 1, recordId: null, problem: `record #${head.seq + 1} and after are not in the chain (inserted): the chain head is at #${head.seq}` };
    }
    const firstSeq = this.firstSeq as number;
    const lastSigned = [...bySeq.keys()].filter((s) => s <= lastSeq).reduce((m, s) => Math.max(m, s), 0);
    return { ok: true, records: this.count, checkpoints: this.verified, firstSeq, unsignedTail: lastSeq - Math.max(lastSigned, firstSeq - 1) };
  }

  private step(r: StoredFlow & { hash: string }): Failure | null {
    if (this.expected === null) {
      const anchored = this.start(r);
      if (anchored) return anchored;
    }
    if (r.plantId !== this.plantId) return { ok: false, seq: r.seq, recordId: r.recordId, problem: `record #${r.seq} belongs to another plant's chain` };
    const expected = this.expected as number;
    if (r.seq !== expected) {
      return {
        ok: false,
        seq: expected,
        recordId: r.recordId,
        problem: r.seq > expected ? `record #${expected} is missing (deleted); the next stored is #${r.seq}` : `record #${r.seq} appears twice`,
      };
    }
    const hash = chainHash(this.previous, r);
    if (hash !== r.hash) {
      return { ok: false, seq: r.seq, recordId: r.recordId, problem: `record #${r.seq} does not match its chain hash: edited, inserted or moved` };
    }
    const checkpoint = this.bySeq.get(r.seq);
    if (checkpoint) {
      if (checkpoint.hash !== hash) {
        return {
          ok: false,
          seq: r.seq,
          recordId: r.recordId,
          problem: `the chain up to record #${r.seq} differs from what checkpoint #${r.seq} signed: records up to it were rewritten`,
        };
      }
      this.verified++;
    }
    this.previous = hash;
    this.expected = expected + 1;
    this.count++;
    return null;
  }

  /** The first stored record: the chain's first, or anchored by a checkpoint after a purge. */
  private start(first: StoredFlow & { hash: string }): Failure | null {
    this.firstSeq = first.seq;
    this.expected = first.seq;
    if (first.seq === 1) return null;
    const anchor = this.bySeq.get(first.seq - 1);
    if (!anchor) {
      return {
        ok: false,
        seq: first.seq,
        recordId: first.recordId,
        problem: `record #${first.seq} is the first stored but no checkpoint anchors it: records before it were removed other than by a purge of whole segments`,
      };
    }
    if (this.keepFrom !== null && anchor.recordSegment >= this.keepFrom) {
      return {
        ok: false,
        seq: first.seq - 1,
        recordId: null,
        problem: `records up to #${first.seq - 1} are missing (deleted) though the retention keeps them (stored ${segmentStart(anchor.recordSegment).slice(0, 10)})`,
      };
    }
    this.previous = anchor.hash;
    this.verified++;
    return null;
  }
}
