import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowBatch } from '../core/wire/audit.ts';
import { batchId, planOverflow, retryDelay, type SpooledBatch } from './flow-spool-plan.ts';

function batch(name: string, minutes: number[], gaps: FlowBatch['gaps'] = []): SpooledBatch {
  return {
    name,
    batch: {
      batchId: name,
      records: minutes.map((m, i) => ({
        id: `${name}-${i}`,
        tunnelIp: '100.64.0.2',
        destinationIp: '100.80.1.17',
        protocol: 'tcp',
        port: 80,
        connections: 1,
        bytesIn: 1,
        bytesOut: 1,
        firstSeen: `2026-11-30T10:${String(m).padStart(2, '0')}:00.000Z`,
        lastSeen: `2026-11-30T10:${String(m).padStart(2, '0')}:30.000Z`,
        session: null,
      })),
      gaps,
    },
  };
}

describe('flow spool plan (SPEC A5: bounded spool, overflow recorded as a gap)', () => {
  it('batch ids sort by creation time, also across a change in the number of digits', () => {
    const ids = [batchId('gw', 999, 0), batchId('gw', 1000, 0), batchId('gw', 1000, 1)];
    assert.deepEqual([...ids].sort(), ids);
    assert.match(ids[0], /^[A-Za-z0-9._:-]+$/);
  });

  it('within the bound nothing is dropped', () => {
    assert.deepEqual(planOverflow([batch('a', [1]), batch('b', [2])], 2, 'n', 0), { drop: [], gapBatch: null });
  });

  it('past the bound the oldest batches are dropped and one gap spans their records (room kept for the gap batch)', () => {
    const plan = planOverflow([batch('a', [1, 3]), batch('b', [5]), batch('c', [7]), batch('d', [9])], 3, 'n', 0);
    assert.deepEqual(plan.drop, ['a', 'b']);
    assert.equal(plan.gapBatch?.records.length, 0);
    assert.deepEqual(plan.gapBatch?.gaps, [
      {
        id: 'n.overflow',
        from: '2026-11-30T10:01:00.000Z',
        to: '2026-11-30T10:05:30.000Z',
        reason: 'gateway flow spool full: 3 flow records of 2 batches dropped (oldest first) while the control plane was unreachable',
      },
    ]);
  });

  it('gaps of dropped batches (an earlier overflow, lost conntrack events) are carried over, never lost', () => {
    const earlier = { id: 'g1', from: '2026-11-30T09:00:00.000Z', to: '2026-11-30T09:01:00.000Z', reason: 'conntrack events lost' };
    const plan = planOverflow([batch('a', [], [earlier]), batch('b', [2]), batch('c', [3])], 2, 'n', 0);
    assert.deepEqual(plan.drop, ['a', 'b']);
    assert.deepEqual(plan.gapBatch?.gaps.map((g) => g.id), ['g1', 'n.overflow']);
  });

  it('refuses a bound that leaves no room for the gap batch', () => {
    assert.throws(() => planOverflow([], 1, 'n', 0), /at least 2/);
  });

  it('retry delay doubles from 1 s to the cap, with jitter between half and all of it', () => {
    assert.deepEqual([1, 2, 3, 7, 20].map((n) => retryDelay(n, 1)), [1000, 2000, 4000, 60_000, 60_000]);
    assert.equal(retryDelay(1, 0), 500);
  });
});
