import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INITIAL_LIVENESS, type CounterSample, observe } from './liveness.ts';

const run = (samples: Array<[number, number, number]>, staleAfterMs = 5000): boolean[] => {
  let state = INITIAL_LIVENESS;
  return samples.map(([atMs, rxBytes, txBytes]) => {
    const sample: CounterSample = { atMs, rxBytes, txBytes };
    const next = observe(state, sample, staleAfterMs);
    state = next.state;
    return next.stale;
  });
};

describe('own client liveness (issue 11 item 3: fail over when sends go unanswered)', () => {
  const rows: Array<{ name: string; samples: Array<[number, number, number]>; stale: boolean[] }> = [
    { name: 'idle tunnel with keepalives only never fails over', samples: [[0, 100, 100], [25_000, 100, 132], [50_000, 100, 164]], stale: [false, false, false] },
    { name: 'answered traffic is alive', samples: [[0, 100, 100], [1000, 400, 400], [6000, 900, 900], [12_000, 1500, 1500]], stale: [false, false, false, false] },
    { name: 'sends without any answer for 5 s are stale', samples: [[0, 100, 100], [1000, 100, 400], [3000, 100, 700], [6000, 100, 900]], stale: [false, false, false, true] },
    { name: 'an answer before 5 s resets the clock', samples: [[0, 100, 100], [1000, 100, 400], [4000, 300, 700], [7000, 300, 800], [8500, 300, 900]], stale: [false, false, false, false, false] },
    { name: 'counters restart (peer re-created after a failover): no stale verdict from old numbers', samples: [[0, 100, 100], [1000, 100, 400], [2000, 0, 0], [6500, 0, 0]], stale: [false, false, false, false] },
    { name: 'one keepalive then real sends: the clock starts at the real sends', samples: [[0, 100, 100], [1000, 100, 132], [2000, 100, 400], [5500, 100, 800], [7000, 100, 900]], stale: [false, false, false, false, true] },
  ];
  for (const row of rows) {
    it(row.name, () => assert.deepEqual(run(row.samples), row.stale));
  }
});
