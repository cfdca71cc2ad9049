import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FleetModel } from '../fleet-model.ts';
import type { PlantId, UserId } from '../model.ts';
import { RandomFleet } from '../testing/random-fleet.ts';
import { grantedPlants, reachesPlant } from './access.ts';

describe('reachesPlant', () => {
  it('SPEC P4: for every user and plant of random fleets (job roles, memberships, cooperations ending) it answers what grantedPlants answers', () => {
    const op = fc.record({ kind: fc.integer({ min: 0, max: 17 }), a: fc.nat(50), b: fc.nat(50), c: fc.nat(50) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const world = new RandomFleet();
        const model = new FleetModel();
        world.setup(model);
        for (const o of ops) world.step(model, o);
        for (const userId of model.users.keys()) {
          const granted = grantedPlants(model, userId as UserId);
          for (const plantId of model.plants.keys()) assert.equal(reachesPlant(model, userId, plantId as PlantId), granted.has(plantId), `${userId} on ${plantId}`);
        }
      }),
      { numRuns: 200 },
    );
  });
});
