import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { JobRoleId, ProfileId, UserId } from '../model.ts';
import { FleetFixture } from '../testing/fleet-fixture.ts';
import { GatewayStateIndex } from './gateway-state.ts';

const service = { servicePublicKey: 'k', serviceTunnelIp: '100.64.0.1', tunnelRange: '100.64.0.0/12', mappedSpace: '100.80.0.0/12' };

function sorted(index: GatewayStateIndex) {
  const doc = index.document('r', 1, service);
  const key = (x: unknown) => JSON.stringify(x);
  return { peers: doc.peers.map(key).sort(), allowed: doc.allowed.map(key).sort(), native: doc.native.map(key).sort(), sites: doc.sites.map(key).sort() };
}

describe('GatewayStateIndex', () => {
  it('P3: a user without an active profile contributes nothing', () => {
    const f = new FleetFixture();
    f.org('O');
    f.member('O', 'u', 'member');
    f.plant('O', 'A', ['192.168.1.0/24']);
    f.jobRole('u', { plant: 'A' }, 'operator');
    const index = new GatewayStateIndex();
    index.rebuild(f.model);
    assert.equal(index.document('r', 1, service).allowed.length, 0);
    f.model.setProfile('u' as UserId, { id: 'p' as ProfileId, userId: 'u' as UserId, publicKey: 'pk', tunnelIp: 0x64410001 });
    index.recomputeUsers(f.model, ['u' as UserId]);
    assert.deepEqual(index.document('r', 1, service).allowed, [{ userIp: '100.65.0.1', mapped: '100.80.0.0/24' }]);
  });

  it('property: incremental recompute of the affected users equals a rebuild', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ user: fc.integer({ min: 0, max: 4 }), plant: fc.integer({ min: 0, max: 3 }), op: fc.integer({ min: 0, max: 3 }) }), {
          maxLength: 40,
        }),
        (steps) => {
          const f = new FleetFixture();
          f.org('O');
          const plants = ['A', 'B', 'C', 'D'].map((p, i) => f.plant('O', p, [i < 2 ? '192.168.1.0/24' : `10.${i}.0.0/24`]));
          for (let u = 0; u < 5; u++) {
            f.member('O', `u${u}`, 'member');
            f.model.setProfile(`u${u}` as UserId, { id: `p${u}` as ProfileId, userId: `u${u}` as UserId, publicKey: `k${u}`, tunnelIp: 0x64410000 + u + 1 });
          }
          const index = new GatewayStateIndex();
          index.rebuild(f.model);
          const held: JobRoleId[] = [];
          for (const step of steps) {
            const user = `u${step.user}`;
            let affected: Set<UserId>;
            if (step.op === 0) {
              const id = f.jobRole(user, { plant: plants[step.plant] as string }, 'operator');
              held.push(id);
              affected = new Set([user as UserId]);
            } else if (step.op === 1 && held.length > 0) {
              affected = f.model.removeJobRole(held.splice(step.plant % held.length, 1)[0] as JobRoleId);
            } else if (step.op === 2) {
              affected = f.model.setMembership({ orgId: 'O' as never, userId: user as UserId, role: step.plant % 2 ? 'guest' : 'member' });
            } else {
              affected = f.model.setProfile(user as UserId, null);
            }
            index.recomputeUsers(f.model, affected);
          }
          const fresh = new GatewayStateIndex();
          fresh.rebuild(f.model);
          assert.deepEqual(sorted(index), sorted(fresh));
        },
      ),
      { numRuns: 200 },
    );
  });
});
