import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cidr, formatCidr, type Ipv4Prefix, overlaps, prefixSize } from './ipv4.ts';
import { MappedSpaceAllocator } from './mapped-prefix.ts';

const space = cidr('100.80.0.0/12');

describe('MappedSpaceAllocator', () => {
  it('gives the lowest aligned block of the requested length first', () => {
    const allocator = new MappedSpaceAllocator(space, []);
    const a = allocator.allocate(24);
    const b = allocator.allocate(24);
    const c = allocator.allocate(16);
    assert.ok(a.ok && b.ok && c.ok);
    assert.deepEqual([formatCidr(a.prefix), formatCidr(b.prefix), formatCidr(c.prefix)], ['100.80.0.0/24', '100.80.1.0/24', '100.81.0.0/16']);
  });

  it('does not move existing allocations when rebuilt from storage', () => {
    const stored = [cidr('100.80.3.0/24'), cidr('100.80.0.0/26')];
    const allocator = new MappedSpaceAllocator(space, stored);
    const next = allocator.allocate(24);
    assert.ok(next.ok);
    assert.ok(stored.every((s) => !overlaps(s, next.prefix)));
    assert.equal(formatCidr(next.prefix), '100.80.1.0/24');
  });

  it('reports exhaustion instead of overlapping', () => {
    const allocator = new MappedSpaceAllocator(cidr('100.80.0.0/23'), []);
    assert.ok(allocator.allocate(24).ok);
    assert.ok(allocator.allocate(24).ok);
    const third = allocator.allocate(24);
    assert.deepEqual(third.ok ? null : third.reason, 'pool-exhausted');
  });

  it('refuses a prefix larger than the space', () => {
    const result = new MappedSpaceAllocator(space, []).allocate(8);
    assert.deepEqual(result.ok ? null : result.reason, 'larger-than-space');
  });

  it('merges released buddies back into a whole block', () => {
    const allocator = new MappedSpaceAllocator(cidr('100.80.0.0/23'), []);
    const a = allocator.allocate(24);
    const b = allocator.allocate(24);
    assert.ok(a.ok && b.ok);
    allocator.release(a.prefix);
    allocator.release(b.prefix);
    const whole = allocator.allocate(23);
    assert.ok(whole.ok);
    assert.equal(formatCidr(whole.prefix), '100.80.0.0/23');
  });

  it('property: allocations never overlap, stay aligned and inside the space, and account for every address', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ length: fc.integer({ min: 20, max: 30 }), releaseIndex: fc.option(fc.nat(), { nil: undefined }) }), { maxLength: 200 }),
        (steps) => {
          const small = cidr('100.80.0.0/16');
          const allocator = new MappedSpaceAllocator(small, []);
          const live: Ipv4Prefix[] = [];
          for (const step of steps) {
            if (step.releaseIndex !== undefined && live.length > 0) {
              const [gone] = live.splice(step.releaseIndex % live.length, 1);
              allocator.release(gone as Ipv4Prefix);
            }
            const result = allocator.allocate(step.length);
            if (!result.ok) continue;
            const p = result.prefix;
            assert.equal(p.start % prefixSize(p.length), 0, 'aligned');
            assert.ok(overlaps(p, small));
            for (const other of live) assert.ok(!overlaps(p, other), `${formatCidr(p)} overlaps ${formatCidr(other)}`);
            live.push(p);
          }
          const used = live.reduce((sum, p) => sum + prefixSize(p.length), 0);
          assert.equal(allocator.freeAddressCount() + used, prefixSize(small.length));
          // Rebuilding from what is stored yields the same free space.
          assert.equal(new MappedSpaceAllocator(small, live).freeAddressCount(), allocator.freeAddressCount());
        },
      ),
      { numRuns: 200 },
    );
  });
});
