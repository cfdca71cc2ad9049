import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { applyGatewayDelta, canonicalGatewayState } from '../../core/state/gateway-delta.ts';
import { GatewayStateMessage } from '../../core/wire/gateway-delta.ts';
import type { GatewayDesiredState } from '../../core/wire/gateway-state.ts';
import { RandomFleet } from '../../core/testing/random-fleet.ts';
import { openStore, type Store } from '../db/connect.ts';
import { FleetState } from './fleet-state.ts';

/**
 * Issue 6 "Delta sync": on the real FleetModel and FleetState, after every random fleet
 * change the delta served for `after=<previous>` applied to the previous full document
 * gives exactly the new full document — and so does the merged delta from any earlier
 * kept revision.
 */

const service = { servicePublicKey: 'svc', serviceTunnelIp: '100.64.0.1', tunnelRange: '100.64.0.0/12', mappedSpace: '100.80.0.0/12' };
const stores: Store[] = [];
after(async () => {
  for (const s of stores) await s.close();
});

async function fullDocument(fleet: FleetState): Promise<GatewayDesiredState> {
  const message = GatewayStateMessage.parse(JSON.parse(await fleet.gatewayStateJson('eu', null, undefined, 'message')));
  assert.equal(message.kind, 'full');
  return (message as { state: GatewayDesiredState }).state;
}

async function newFleet(): Promise<FleetState> {
  const store = await openStore('sqlite::memory:');
  stores.push(store);
  const fleet = new FleetState(store, () => service);
  await fleet.load();
  return fleet;
}

describe('FleetState deltas (property, real FleetModel)', () => {
  it('delta sync: after=previous applied to the previous document gives the next document; merged deltas from older revisions too', async () => {
    const op = fc.record({ kind: fc.integer({ min: 0, max: 17 }), a: fc.nat(50), b: fc.nat(50), c: fc.nat(50) });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40, size: 'max' }), async (ops) => {
        const fleet = await newFleet();
        const world = new RandomFleet();
        await fleet.write(
          async () => undefined,
          (m) => world.setup(m),
        );
        const history: GatewayDesiredState[] = [await fullDocument(fleet)];
        for (const o of ops) {
          await fleet.write(
            async () => undefined,
            (m) => world.step(m, o),
          );
          const next = await fullDocument(fleet);
          for (const from of history.slice(-6)) {
            const message = GatewayStateMessage.parse(JSON.parse(await fleet.gatewayStateJson('eu', null, from.revision, 'message')));
            assert.equal(message.kind, 'delta', `after=${from.revision} is within the kept history`);
            if (message.kind !== 'delta') return;
            const applied = applyGatewayDelta(from, message);
            assert.ok(applied.ok);
            if (applied.ok)
              assert.deepEqual(
                canonicalGatewayState(applied.state),
                canonicalGatewayState(next),
                `after=${from.revision} → ${next.revision}, op ${JSON.stringify(o)}`,
              );
          }
          history.push(next);
        }
      }),
      { numRuns: 60 },
    );
  });
});
