import { formatCidr, type Ipv4Prefix, overlaps, prefixEnd, prefixSize } from './ipv4.ts';

export type AllocationResult = { ok: true; prefix: Ipv4Prefix } | { ok: false; reason: 'pool-exhausted' | 'larger-than-space'; message: string };

/**
 * Buddy allocator over the mapped space (DESIGN "Addressing"): every plant subnet gets
 * an aligned alias prefix of its own length. Blocks are split only when no free block
 * of the right size exists, and freed blocks merge with their buddy, so a fleet whose
 * subnets come and go does not fragment the space.
 *
 * It is rebuilt from the stored allocations; the stored prefix is what keeps a mapping
 * stable for the subnet's life, not this structure.
 */
export class MappedSpaceAllocator {
  readonly space: Ipv4Prefix;
  /** free[length] = starts of free aligned blocks of that length, ascending. */
  private readonly free: number[][] = [];

  constructor(space: Ipv4Prefix, allocated: readonly Ipv4Prefix[]) {
    this.space = space;
    for (let length = 0; length <= 32; length++) this.free.push([]);
    this.seedFreeBlocks(allocated);
  }

  allocate(length: number): AllocationResult {
    if (length < this.space.length) {
      return {
        ok: false,
        reason: 'larger-than-space',
        message: `a /${length} does not fit into the mapped space ${formatCidr(this.space)}`,
      };
    }
    for (let k = length; k >= this.space.length; k--) {
      const blocks = this.free[k] as number[];
      if (blocks.length === 0) continue;
      const start = blocks.shift() as number;
      for (let split = k + 1; split <= length; split++) {
        insertSorted(this.free[split] as number[], start + prefixSize(split));
      }
      return { ok: true, prefix: { start, length } };
    }
    return {
      ok: false,
      reason: 'pool-exhausted',
      message: `the mapped space ${formatCidr(this.space)} has no free /${length} left`,
    };
  }

  release(prefix: Ipv4Prefix): void {
    let { start, length } = prefix;
    while (length > this.space.length) {
      const size = prefixSize(length);
      const buddy = (start - this.space.start) % (2 * size) === 0 ? start + size : start - size;
      const siblings = this.free[length] as number[];
      const at = indexOfSorted(siblings, buddy);
      if (at < 0) break;
      siblings.splice(at, 1);
      start = Math.min(start, buddy);
      length--;
    }
    insertSorted(this.free[length] as number[], start);
  }

  /** Free addresses left, for capacity reporting. */
  freeAddressCount(): number {
    let total = 0;
    for (let length = 0; length <= 32; length++) total += (this.free[length] as number[]).length * prefixSize(length);
    return total;
  }

  private seedFreeBlocks(allocated: readonly Ipv4Prefix[]): void {
    const sorted = [...allocated].sort((a, b) => a.start - b.start);
    let cursor = this.space.start;
    const spaceEnd = prefixEnd(this.space);
    for (const block of sorted) {
      if (!overlaps(block, this.space) || block.start < this.space.start || prefixEnd(block) > spaceEnd) {
        throw new Error(`allocation ${formatCidr(block)} lies outside the mapped space ${formatCidr(this.space)}`);
      }
      if (block.start < cursor) throw new Error(`allocation ${formatCidr(block)} overlaps another allocation`);
      this.addGap(cursor, block.start - 1);
      cursor = prefixEnd(block) + 1;
    }
    this.addGap(cursor, spaceEnd);
  }

  /** Splits [first, last] into maximal aligned blocks. */
  private addGap(first: number, last: number): void {
    let at = first;
    while (at <= last) {
      let length = this.space.length;
      while (length < 32 && ((at - this.space.start) % prefixSize(length) !== 0 || at + prefixSize(length) - 1 > last)) {
        length++;
      }
      (this.free[length] as number[]).push(at); // gaps are visited in ascending order
      at += prefixSize(length);
    }
  }
}

function insertSorted(list: number[], value: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}

function indexOfSorted(list: number[], value: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = list[mid] as number;
    if (at === value) return mid;
    if (at < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
