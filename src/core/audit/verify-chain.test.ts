import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { chainHash } from './chain.ts';
import { signCheckpoint, verifyCheckpoint } from './checkpoint.ts';
import type { StoredFlow } from './flow.ts';
import { purgeAnchor } from './retention.ts';
import { buildChain, testKeys } from './testing.ts';
import { type ChainVerdict, ChainVerifier, verifyChain } from './verify-chain.ts';

const keys = testKeys();
const other = testKeys();
type Chained = StoredFlow & { hash: string };
const base = buildChain(keys.privateKeyPem, [7, 6, 8]);

function run(records: Chained[], checkpoints = base.checkpoints, head: typeof base.head | null = base.head, publicKeyPem = keys.publicKeyPem, keepFrom: number | null = 20_000): ChainVerdict {
  return verifyChain({ plantId: 'plant-a', records, checkpoints, head, publicKeyPem, keepFrom });
}
const copy = () => base.records.map((r) => ({ ...r }));

describe('verifyChain (SPEC A3, R10)', () => {
  it('an untouched chain verifies: every record and every checkpoint counted', () => {
    const v = run(copy());
    assert.equal(v.ok, true);
    assert.deepEqual(v, { ok: true, records: 21, checkpoints: base.checkpoints.length, firstSeq: 1, unsignedTail: 21 - Math.max(...base.checkpoints.map((c) => c.seq)) });
  });

  const tampers: Array<{ name: string; tamper: (r: Chained[]) => Chained[]; seq: number; problem: RegExp }> = [
    { name: 'R10: an edited record (bytes changed) fails at that record', tamper: (r) => r.map((x) => (x.seq === 10 ? { ...x, bytesIn: 1 } : x)), seq: 10, problem: /edited/ },
    { name: 'R10: an edited user fails at that record', tamper: (r) => r.map((x) => (x.seq === 4 ? { ...x, userEmail: 'mallory@x.example' } : x)), seq: 4, problem: /edited/ },
    { name: 'R10: a deleted record fails at its position', tamper: (r) => r.filter((x) => x.seq !== 12), seq: 12, problem: /missing/ },
    {
      name: 'R10: a deleted record with the rest renumbered fails at the renumbered one',
      tamper: (r) => r.filter((x) => x.seq !== 12).map((x) => (x.seq > 12 ? { ...x, seq: x.seq - 1 } : x)),
      seq: 12,
      problem: /edited/,
    },
    {
      name: 'R10: an inserted record (positions shifted) fails at the inserted one',
      tamper: (r) => [...r.slice(0, 4), { ...(r[4] as Chained), recordId: 'forged', seq: 5 }, ...r.slice(4).map((x) => ({ ...x, seq: x.seq + 1 }))],
      seq: 5,
      problem: /edited/,
    },
    {
      name: 'R10: two records swapped (reordered) fail at the first',
      tamper: (r) => {
        const [a, b] = [r[2] as Chained, r[6] as Chained];
        r[2] = { ...b, seq: a.seq };
        r[6] = { ...a, seq: b.seq };
        return r;
      },
      seq: 3,
      problem: /edited/,
    },
    { name: 'R10: records removed from the end fail against the head', tamper: (r) => r.slice(0, 18), seq: 19, problem: /missing/ },
    {
      name: 'R10: an appended record beyond the head fails',
      tamper: (r) => [...r, { ...(r.at(-1) as Chained), seq: 22, recordId: 'forged', hash: chainHash((r.at(-1) as Chained).hash, { ...(r.at(-1) as Chained), seq: 22, recordId: 'forged' }) }],
      seq: 22,
      problem: /inserted/,
    },
    { name: 'R10: the first records removed (not a whole-segment purge) fail: nothing anchors the rest', tamper: (r) => r.slice(2), seq: 3, problem: /no checkpoint anchors/ },
  ];
  for (const t of tampers) {
    it(t.name, () => {
      const v = run(t.tamper(copy()));
      assert.equal(v.ok, false, JSON.stringify(v));
      if (v.ok) return;
      assert.equal(v.seq, t.seq);
      assert.match(v.problem, t.problem);
    });
  }

  it('R10: an edit with every later hash and the head recomputed still fails at the next checkpoint', () => {
    const records = copy();
    (records[1] as Chained).bytesOut = 99;
    let previous = '0'.repeat(64);
    for (const r of records) {
      r.hash = chainHash(previous, r);
      previous = r.hash;
    }
    const v = run(records, base.checkpoints, { ...base.head, hash: previous });
    assert.equal(v.ok, false);
    if (!v.ok) assert.match(v.problem, /differs from what checkpoint #5 signed/);
  });

  it('A3: after a purge of whole old segments the chain still verifies from the boundary checkpoint', () => {
    const firstKept = 20_001;
    const v = run(
      copy().filter((r) => r.segment >= firstKept),
      base.checkpoints.filter((c) => c.segment >= firstKept),
      base.head,
      keys.publicKeyPem,
      firstKept,
    );
    assert.equal(v.ok, true, JSON.stringify(v));
    if (v.ok) assert.equal(v.firstSeq, 8);
  });

  it('A3: everything purged still verifies when a checkpoint signs the chain head', () => {
    const chain = buildChain(keys.privateKeyPem, [3, 0]);
    assert.equal(verifyChain({ plantId: 'plant-a', records: [], checkpoints: chain.checkpoints.filter((c) => c.segment >= 20_001), head: chain.head, publicKeyPem: keys.publicKeyPem, keepFrom: 20_001 }).ok, true);
  });

  it('A3: a purge that leaves no boundary checkpoint adds an anchor; without it the rest would not verify', () => {
    const chain = buildChain(keys.privateKeyPem, [4], 100);
    const purged = chain.records.at(-1) ?? null;
    assert.equal(verifyChain({ plantId: 'plant-a', records: [], checkpoints: [], head: chain.head, publicKeyPem: keys.publicKeyPem, keepFrom: 20_001 }).ok, false);
    const anchor = purgeAnchor('plant-a', purged, [], 20_001, '2030-01-01T00:00:00.000Z');
    assert.ok(anchor);
    assert.deepEqual([anchor.seq, anchor.recordSegment, anchor.segment], [4, 20_000, 20_001]);
    assert.equal(verifyChain({ plantId: 'plant-a', records: [], checkpoints: [signCheckpoint(keys.privateKeyPem, anchor)], head: chain.head, publicKeyPem: keys.publicKeyPem, keepFrom: 20_001 }).ok, true);
    assert.equal(purgeAnchor('plant-a', purged, [{ seq: 4, hash: chain.head.hash }], 20_001, 'x'), null);
  });

  it('R10: a whole young segment deleted (looks like a purge) fails: the retention still keeps it', () => {
    const v = run(
      copy().filter((r) => r.segment >= 20_001),
      base.checkpoints.filter((c) => c.segment >= 20_001),
    );
    assert.equal(v.ok, false);
    if (!v.ok) assert.match(v.problem, /though the retention keeps them/);
  });

  it('a checkpoint signed by another key, or with its hash changed, fails', () => {
    const forged = base.checkpoints.map((c, i) => (i === 1 ? signCheckpoint(other.privateKeyPem, c) : c));
    const v = run(copy(), forged);
    assert.equal(v.ok, false);
    const changed = base.checkpoints.map((c, i) => (i === 0 ? { ...c, hash: 'f'.repeat(64) } : c));
    assert.equal(run(copy(), changed).ok, false);
    assert.equal(verifyCheckpoint(keys.publicKeyPem, base.checkpoints[0] as (typeof base.checkpoints)[number]), true);
  });

  it('an export verifies without the head (offline, public key only)', () => {
    assert.equal(run(copy(), base.checkpoints, null, keys.publicKeyPem, null).ok, true);
  });

  it('property: any single edit, deletion, insertion or swap in a random chain is detected', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('edit', 'delete', 'insert', 'swap'),
        fc.nat(),
        fc.nat(),
        (segments, kind, a, b) => {
          const chain = buildChain(keys.privateKeyPem, segments, 3);
          const records = chain.records.map((r) => ({ ...r }));
          const n = records.length;
          const i = a % n;
          if (kind === 'edit') (records[i] as Chained).connections += 1;
          if (kind === 'delete') records.splice(i, 1);
          if (kind === 'insert') records.splice(i, 0, { ...(records[i] as Chained), recordId: 'forged' });
          if (kind === 'swap') {
            const j = b % n;
            if (j === i || (records[i] as Chained).recordId === (records[j] as Chained).recordId) return;
            const [x, y] = [records[i] as Chained, records[j] as Chained];
            records[i] = { ...y, seq: x.seq };
            records[j] = { ...x, seq: y.seq };
          }
          const renumbered = kind === 'insert' ? records.map((r, k) => ({ ...r, seq: k + 1 })) : records;
          assert.equal(verifyChain({ plantId: 'plant-a', records: renumbered, checkpoints: chain.checkpoints, head: chain.head, publicKeyPem: keys.publicKeyPem, keepFrom: 20_000 }).ok, false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: purging any number of whole oldest segments leaves a chain that verifies', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 5 }), fc.nat(), (segments, cut) => {
        const chain = buildChain(keys.privateKeyPem, segments, 4);
        const firstKept = 20_000 + (cut % (segments.length + 1));
        const kept = chain.checkpoints.filter((c) => c.segment >= firstKept);
        const purged = chain.records.filter((r) => r.segment < firstKept).at(-1) ?? null;
        const anchor = purgeAnchor('plant-a', purged, kept, firstKept, '2030-01-01T00:00:00.000Z');
        const v = verifyChain({
          plantId: 'plant-a',
          records: chain.records.filter((r) => r.segment >= firstKept),
          checkpoints: anchor ? [...kept, signCheckpoint(keys.privateKeyPem, anchor)].sort((x, y) => x.seq - y.seq) : kept,
          head: chain.head,
          publicKeyPem: keys.publicKeyPem,
          keepFrom: firstKept,
        });
        assert.equal(v.ok, true, JSON.stringify(v));
      }),
      { numRuns: 150 },
    );
  });

  it('property: fed page by page, the verifier reaches the same verdict as on the whole chain', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 7 }), fc.option(fc.nat()), (segments, pageSize, editAt) => {
        const chain = buildChain(keys.privateKeyPem, segments, 3);
        const records = chain.records.map((r, i) => (editAt !== null && i === editAt % Math.max(1, chain.records.length) ? { ...r, bytesIn: r.bytesIn + 1 } : r));
        const input = { plantId: 'plant-a', checkpoints: chain.checkpoints, publicKeyPem: keys.publicKeyPem, keepFrom: 20_000 };
        const verifier = new ChainVerifier(input);
        let failure = null;
        for (let i = 0; i < records.length && failure === null; i += pageSize) failure = verifier.feed(records.slice(i, i + pageSize));
        assert.deepEqual(failure ?? verifier.finish(chain.head), verifyChain({ ...input, records, head: chain.head }));
      }),
      { numRuns: 100 },
    );
  });
});
