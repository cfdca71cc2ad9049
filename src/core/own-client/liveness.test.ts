import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INITIAL_LIVENESS, type LivenessAction, observe } from './liveness.ts';

const times = { suspectAfterMs: 2000, probeMs: 3000 };

const run = (samples: Array<[number, number, number]>): LivenessAction[] => {
  let state = INITIAL_LIVENESS;
  return samples.map(([atMs, rxBytes, txBytes]) => {
    const next = observe(state, { atMs, rxBytes, txBytes }, times);
    state = next.state;
    return next.action;
  });
};

describe('own client liveness (issue 11 item 3: probe when sends go unanswered, fail over when the probe is not answered)', () => {
  const rows: Array<{ name: string; samples: Array<[number, number, number]>; actions: LivenessAction[] }> = [
    { name: 'idle tunnel with keepalives only never probes', samples: [[0, 100, 100], [25_000, 100, 132], [50_000, 100, 164]], actions: ['none', 'none', 'none'] },
    { name: 'answered traffic is alive', samples: [[0, 100, 100], [1000, 400, 400], [3000, 900, 900], [6000, 1500, 1500]], actions: ['none', 'none', 'none', 'none'] },
    {
      name: 'sends unanswered for 2 s → probe; probe unanswered for 3 s → fail over',
      samples: [[0, 100, 100], [500, 100, 400], [2000, 100, 700], [2500, 0, 148], [4000, 0, 296], [5000, 0, 296]],
      actions: ['none', 'none', 'probe', 'none', 'none', 'failover'],
    },
    {
      name: 'a forbidden destination (no answer) probes, the live gateway answers each handshake: never a failover',
      samples: [[0, 100, 100], [500, 100, 400], [2000, 100, 700], [2500, 92, 300], [6000, 92, 600], [6500, 92, 148], [7000, 184, 300], [9500, 184, 300]],
      actions: ['none', 'none', 'probe', 'none', 'probe', 'none', 'none', 'none'],
    },
    { name: 'an answer before 2 s resets the clock', samples: [[0, 100, 100], [1000, 100, 400], [1500, 300, 700], [3000, 300, 800]], actions: ['none', 'none', 'none', 'none'] },
    { name: 'one keepalive, then real sends: the clock starts at the real sends', samples: [[0, 100, 100], [1000, 100, 132], [2000, 100, 400], [2900, 100, 500], [3000, 100, 600]], actions: ['none', 'none', 'none', 'none', 'probe'] },
  ];
  for (const row of rows) {
    it(row.name, () => assert.deepEqual(run(row.samples), row.actions));
  }
});
