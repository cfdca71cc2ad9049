/**
 * SQLite's ingest (B6): batches that are ready while another batch is being written join its
 * transaction and share its commit. A commit writes every page the transaction dirtied to the
 * WAL — at least one primary-key page per plant the batch touched — and the checkpoints write
 * them again; two batches of one gateway span the same plants and dirty the same pages, so a
 * shared commit writes them once for both (4,000 plants per batch: about a third less time
 * per batch in the database). Bounded: at most `maxBatches` per transaction, so no batch
 * waits behind an unbounded queue. Each batch's work is the whole locking-first ingest, which
 * may run again: if any batch of a group fails, the group is rolled back and each of its
 * batches runs again in a transaction of its own, so one bad batch never fails another.
 */
export type GroupTransaction<Trx> = <T>(work: (trx: Trx) => Promise<T>) => Promise<T>;

type Job<Trx> = { work: (trx: Trx) => Promise<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void };

export class CommitGroup<Trx> {
  private readonly pending: Array<Job<Trx>> = [];
  private draining = false;
  /** Transactions committed, and batches they carried (diagnostics and the test's view). */
  commits = 0;
  batches = 0;

  private readonly transaction: GroupTransaction<Trx>;
  private readonly maxBatches: number;

  constructor(transaction: GroupTransaction<Trx>, maxBatches: number) {
    this.transaction = transaction;
    this.maxBatches = maxBatches;
  }

  run<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const taken: Array<Job<Trx>> = [];
        const results: unknown[] = [];
        try {
          await this.transaction(async (trx) => {
            // A batch queued while the ones before it were written joins, up to the bound.
            while (taken.length < this.maxBatches && this.pending.length > 0) {
              const job = this.pending.shift() as Job<Trx>;
              taken.push(job);
              results.push(await job.work(trx));
            }
          });
          this.commits++;
          this.batches += taken.length;
          for (const [k, job] of taken.entries()) job.resolve(results[k]);
        } catch (error) {
          // The transaction could not even begin: every batch waiting would meet the same.
          if (taken.length === 0) {
            for (const job of this.pending.splice(0)) job.reject(error);
            continue;
          }
          if (taken.length === 1) {
            (taken[0] as Job<Trx>).reject(error);
            continue;
          }
          for (const job of taken) await this.alone(job);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async alone(job: Job<Trx>): Promise<void> {
    try {
      job.resolve(await this.transaction(job.work));
      this.commits++;
      this.batches++;
    } catch (error) {
      job.reject(error);
    }
  }
}

const groups = new WeakMap<object, CommitGroup<unknown>>();

/** The store's commit group (one per audit store, like its chain tips). */
export function commitGroupOf<Trx>(store: object, transaction: GroupTransaction<Trx>, maxBatches = MAX_BATCHES_PER_COMMIT): CommitGroup<Trx> {
  let group = groups.get(store) as CommitGroup<Trx> | undefined;
  if (!group) {
    group = new CommitGroup<Trx>(transaction, maxBatches);
    groups.set(store, group as CommitGroup<unknown>);
  }
  return group;
}

/** Three full gateway batches (30,000 records) per transaction at most. */
export const MAX_BATCHES_PER_COMMIT = 3;

/** How many transactions the store's ingest committed and how many batches they carried (null: none yet). */
export function commitGroupStats(store: object): { commits: number; batches: number } | null {
  const group = groups.get(store);
  return group ? { commits: group.commits, batches: group.batches } : null;
}
