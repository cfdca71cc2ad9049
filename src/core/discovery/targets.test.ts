import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discoveryTargets, probeSlotMs } from './targets.ts';

describe('D11 discoveryTargets: host addresses of the plant subnets, bounded', () => {
  const cases: Array<{ name: string; subnets: string[]; max: number; first: string[]; count: number; truncated: boolean }> = [
    { name: 'a /24 has 254 hosts (no network, no broadcast)', subnets: ['10.40.0.0/24'], max: 1000, first: ['10.40.0.1', '10.40.0.2'], count: 254, truncated: false },
    { name: 'a /30 has 2', subnets: ['10.0.0.0/30'], max: 10, first: ['10.0.0.1', '10.0.0.2'], count: 2, truncated: false },
    { name: 'a /31 has both', subnets: ['10.0.0.0/31'], max: 10, first: ['10.0.0.0', '10.0.0.1'], count: 2, truncated: false },
    { name: 'a /32 is one host', subnets: ['10.0.0.7/32'], max: 10, first: ['10.0.0.7'], count: 1, truncated: false },
    { name: 'cut at maxHosts and says so', subnets: ['10.0.0.0/16'], max: 100, first: ['10.0.0.1'], count: 100, truncated: true },
    { name: 'overlapping subnets probe an address once', subnets: ['10.0.0.0/30', '10.0.0.0/30'], max: 10, first: ['10.0.0.1'], count: 2, truncated: false },
    { name: 'a malformed subnet is skipped', subnets: ['nonsense', '10.0.0.4/30'], max: 10, first: ['10.0.0.5'], count: 2, truncated: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = discoveryTargets(c.subnets, c.max);
      assert.deepEqual(result.hosts.slice(0, c.first.length), c.first);
      assert.equal(result.hosts.length, c.count);
      assert.equal(result.truncated, c.truncated);
    });
  }
  it('probe slots spread probes evenly at the rate', () => {
    assert.deepEqual([0, 1, 2, 100].map((i) => probeSlotMs(i, 100)), [0, 10, 20, 1000]);
  });
});
