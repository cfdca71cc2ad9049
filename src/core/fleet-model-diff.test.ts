import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FleetModel } from './fleet-model.ts';
import { fleetModelDiff } from './fleet-model-diff.ts';
import { changesToDelta } from './state/gateway-changes.ts';
import { applyGatewayDelta, canonicalGatewayState } from './state/gateway-delta.ts';
import { GatewayStateIndex } from './state/gateway-state.ts';
import { RandomFleet, type RandomFleetOp } from './testing/random-fleet.ts';

const service = { servicePublicKey: 'svc', serviceTunnelIp: '100.64.0.1', tunnelRange: '100.64.0.0/12', mappedSpace: '100.80.0.0/12' };

/** The same fleet built from scratch by replaying `ops` (deterministic). */
function build(ops: RandomFleetOp[]): FleetModel {
  const world = new RandomFleet();
  const model = new FleetModel();
  world.setup(model);
  for (const o of ops) world.step(model, o);
  return model;
}

describe('fleetModelDiff', () => {
  it('issue 6 fleet apply: recomputing only the diffed users and plants of a reloaded model gives the document of a full rebuild, and its delta applies', () => {
    const op = fc.record({ kind: fc.integer({ min: 0, max: 17 }), a: fc.nat(50), b: fc.nat(50), c: fc.nat(50) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.array(op, { minLength: 1, maxLength: 8 }), (first, more) => {
        const before = build(first);
        const after = build([...first, ...more]);
        const incremental = new GatewayStateIndex();
        incremental.rebuild(before);
        incremental.takeChanges();
        const previous = incremental.document('eu', 1, service);
        const diff = fleetModelDiff(before, after);
        incremental.recomputeUsers(after, diff.users);
        incremental.recomputePlants(after, diff.plants);
        const full = new GatewayStateIndex();
        full.rebuild(after);
        const expected = canonicalGatewayState(full.document('eu', 2, service));
        assert.deepEqual(canonicalGatewayState(incremental.document('eu', 2, service)), expected);
        const applied = applyGatewayDelta(previous, changesToDelta(incremental.takeChanges(), 1, 2));
        assert.ok(applied.ok);
        if (applied.ok) assert.deepEqual(canonicalGatewayState(applied.state), expected);
      }),
      { numRuns: 300 },
    );
  });

  it('an unchanged fleet has no affected user or plant', () => {
    const ops: RandomFleetOp[] = [
      { kind: 4, a: 1, b: 1, c: 0 },
      { kind: 9, a: 0, b: 2, c: 1 },
    ];
    const diff = fleetModelDiff(build(ops), build(ops));
    assert.deepEqual([diff.users.size, diff.plants.size], [0, 0]);
  });
});
