import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommitGroup } from './commit-group.ts';

/** A transaction that records which jobs ran in it and whether it committed. */
function fakeStore() {
  const committed: string[][] = [];
  const rolledBack: string[][] = [];
  const transaction = async <T>(work: (trx: string[]) => Promise<T>): Promise<T> => {
    const ran: string[] = [];
    try {
      const result = await work(ran);
      committed.push(ran);
      return result;
    } catch (error) {
      rolledBack.push(ran);
      throw error;
    }
  };
  return { committed, rolledBack, transaction };
}

function deferred() {
  let release = () => {};
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { done, release };
}

describe('CommitGroup (SQLite ingest, B6)', () => {
  it('batches queued while one is written join its transaction, up to the bound; each gets its own answer', async () => {
    const store = fakeStore();
    const group = new CommitGroup<string[]>(store.transaction, 3);
    const first = deferred();
    const job = (name: string, wait?: Promise<void>) => (ran: string[]) => (async () => {
      await wait;
      ran.push(name);
      return `ack ${name}`;
    })();
    const answers = [group.run(job('a', first.done)), group.run(job('b')), group.run(job('c')), group.run(job('d')), group.run(job('e'))];
    first.release();
    assert.deepEqual(await Promise.all(answers), ['ack a', 'ack b', 'ack c', 'ack d', 'ack e']);
    assert.deepEqual(store.committed, [['a', 'b', 'c'], ['d', 'e']]);
    assert.deepEqual([group.commits, group.batches], [2, 5]);
  });

  it('one failing batch rolls its group back; the others run again alone and succeed, the failing one alone fails', async () => {
    const store = fakeStore();
    const group = new CommitGroup<string[]>(store.transaction, 3);
    const first = deferred();
    const ok = (name: string, wait?: Promise<void>) => (ran: string[]) => (async () => {
      await wait;
      ran.push(name);
      return name;
    })();
    const bad = (ran: string[]) => (async () => {
      ran.push('bad');
      throw new Error('disk full');
    })();
    const a = group.run(ok('a', first.done));
    const b = group.run(bad);
    const c = group.run(ok('c'));
    first.release();
    assert.equal(await a, 'a');
    await assert.rejects(b, /disk full/);
    assert.equal(await c, 'c');
    assert.deepEqual(store.rolledBack, [['a', 'bad'], ['bad']]);
    assert.deepEqual(store.committed, [['a'], ['c']], 'nothing of the failed group committed; the good batches each once');
  });

  it('a transaction that cannot begin refuses the batches waiting for it (no retry loop); later batches run', async () => {
    let begins = 0;
    const group = new CommitGroup<string[]>(async (work) => {
      if (++begins === 1) throw new Error('database is locked');
      return work([]);
    }, 3);
    const waiting = [group.run(async () => 'a'), group.run(async () => 'b')];
    for (const answer of waiting) await assert.rejects(answer, /database is locked/);
    assert.equal(await group.run(async () => 'c'), 'c');
    assert.equal(begins, 2);
  });

  it('a batch alone that fails is refused; the queue goes on', async () => {
    const store = fakeStore();
    const group = new CommitGroup<string[]>(store.transaction, 3);
    await assert.rejects(group.run(async () => {
      throw new Error('constraint');
    }), /constraint/);
    assert.equal(await group.run(async (ran) => {
      ran.push('next');
      return 'next';
    }), 'next');
    assert.deepEqual(store.committed, [['next']]);
  });
});
