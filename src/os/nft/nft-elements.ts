import type { GatewayDesiredState } from '../../core/wire/gateway-state.ts';
import {
  compareAddresses,
  comparePrefixes,
  type CanonicalCidr,
  ipv4ToInt,
  memoCanonicalAddress,
  memoCanonicalPrefix,
  prefixLength,
} from '../../core/net/ipv4.ts';

/**
 * The elements of plantgate's two nft collections, in canonical form, so that desired
 * state (from the control plane) and observed state (from `nft -j`) compare by string.
 */

/** Element of set `allowed`: the user's tunnel IP may reach this mapped prefix. */
export type AllowedElement = { userIp: string; mapped: CanonicalCidr };

/** Element of the `native_A_B_C` map of its user (decision 0003): the user's traffic to `native` is translated to `mapped`. */
export type NativeElement = {
  userIp: string;
  native: CanonicalCidr;
  mapped: CanonicalCidr;
};

export type GatewayElements = {
  allowed: AllowedElement[];
  native: NativeElement[];
};

/** An `allowed` pair of a desired state in canonical form. */
export function canonicalAllowedElement(pair: { userIp: string; mapped: string }): AllowedElement {
  return {
    userIp: memoCanonicalAddress(pair.userIp),
    mapped: memoCanonicalPrefix(pair.mapped),
  };
}

/** A `native` mapping of a desired state in canonical form; throws if the lengths differ. */
export function canonicalNativeElement(mapping: { userIp: string; native: string; mapped: string }): NativeElement {
  const element = {
    userIp: memoCanonicalAddress(mapping.userIp),
    native: memoCanonicalPrefix(mapping.native),
    mapped: memoCanonicalPrefix(mapping.mapped),
  };
  // `dnat ip prefix to` keeps the host part, which only means something when both
  // prefixes have the same length; anything else is a control-plane bug.
  if (prefixLength(element.native) !== prefixLength(element.mapped)) {
    throw new Error(`native ${element.native} and mapped ${element.mapped} differ in length`);
  }
  return element;
}

/** Canonical, de-duplicated, sorted elements of a desired state. */
export function desiredGatewayElements(state: Pick<GatewayDesiredState, 'allowed' | 'native'>): GatewayElements {
  const allowed = new Map<string, AllowedElement>();
  for (const pair of state.allowed) {
    const element = canonicalAllowedElement(pair);
    allowed.set(allowedKey(element), element);
  }
  const native = new Map<string, NativeElement>();
  for (const mapping of state.native) {
    const element = canonicalNativeElement(mapping);
    const key = nativeKey(element);
    const existing = native.get(key);
    if (existing && existing.mapped !== element.mapped) {
      throw new Error(`native ${key} is mapped to both ${existing.mapped} and ${element.mapped}`);
    }
    native.set(key, element);
  }
  return {
    allowed: sortByNumbers([...allowed.values()], (element) => [element.userIp, element.mapped]),
    native: sortByNumbers([...native.values()], (element) => [element.userIp, element.native]),
  };
}

/**
 * Sorts like compareAllowed/compareNative, but parses each element's address and prefix
 * once (not once per comparison: 100,000 elements make ~1.7 million comparisons).
 */
function sortByNumbers<T>(items: T[], fields: (item: T) => [string, string]): T[] {
  const keys = new Float64Array(items.length * 3);
  items.forEach((item, index) => {
    const [address, prefix] = fields(item);
    const slash = prefix.indexOf('/');
    keys[index * 3] = ipv4ToInt(address);
    keys[index * 3 + 1] = ipv4ToInt(prefix.slice(0, slash));
    keys[index * 3 + 2] = Number(prefix.slice(slash + 1));
  });
  const order = Array.from({ length: items.length }, (_, index) => index);
  order.sort(
    (a, b) => keys[a * 3] - keys[b * 3] || keys[a * 3 + 1] - keys[b * 3 + 1] || keys[a * 3 + 2] - keys[b * 3 + 2],
  );
  return order.map((index) => items[index]);
}

/** Identity of an `allowed` element (also its nft spelling). */
export function allowedKey(element: AllowedElement): string {
  return `${element.userIp} . ${element.mapped}`;
}

/** Identity of a `native` element: its key, without the value. */
export function nativeKey(element: Pick<NativeElement, 'userIp' | 'native'>): string {
  return `${element.userIp} . ${element.native}`;
}

export function compareAllowed(a: AllowedElement, b: AllowedElement): number {
  return compareAddresses(a.userIp, b.userIp) || comparePrefixes(a.mapped, b.mapped);
}

export function compareNative(a: NativeElement, b: NativeElement): number {
  return compareAddresses(a.userIp, b.userIp) || comparePrefixes(a.native, b.native);
}

/**
 * `allowed` is stored as one plain hash set per mapped prefix length in use
 * (`allowed_24`, `allowed_32`, …; decision 0003): an element is `user ip . network
 * address`, and the forward rule of that set masks the destination with the length's
 * netmask before the lookup. Lookups and deletes stay O(1) whatever the fill, unlike the
 * single concatenated interval set (pipapo) DESIGN started with.
 */
export const ALLOWED_SET_PREFIX = 'allowed_';

export function allowedSetName(length: number): string {
  if (!Number.isInteger(length) || length < 1 || length > 32) throw new Error(`invalid mapped prefix length ${length}`);
  return `${ALLOWED_SET_PREFIX}${length}`;
}

/** The length of a set named `allowed_N` (1 ≤ N ≤ 32, no leading zero), else null. */
export function allowedSetLength(name: string): number | null {
  const match = /^allowed_([1-9][0-9]?)$/.exec(name);
  const length = match ? Number(match[1]) : null;
  return length !== null && length <= 32 ? length : null;
}

/** The element's mapped prefix length: which `allowed_N` set it lives in. */
export function allowedLength(element: AllowedElement): number {
  return prefixLength(element.mapped);
}

/** The element as written into its `allowed_N` set: `user ip . network address`. */
export function allowedSetElement(element: AllowedElement): string {
  return `${element.userIp} . ${element.mapped.slice(0, element.mapped.indexOf('/'))}`;
}

export { netmask } from '../../core/net/ipv4.ts';

/** Element count per mapped prefix length. */
export function countByLength(elements: Iterable<AllowedElement>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const element of elements) {
    const length = allowedLength(element);
    counts.set(length, (counts.get(length) ?? 0) + 1);
  }
  return counts;
}

/**
 * Forward-rule order of the lengths in use: most elements first (most packets match the
 * first rule they try), longer prefix first on a tie. Order is a performance matter
 * only: every rule accepts, so the planner does not compare it.
 */
export function orderedLengths(counts: Map<number, number>): number[] {
  return [...counts.keys()].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || b - a);
}

/**
 * `native` is sharded by the user's /24 (`native_100_64_0` holds the entries of users
 * 100.64.0.0–255; decision 0003): it must stay an interval map (`dnat ip prefix to`
 * needs prefix keys, and nft 1.0.6 takes no mask inside a dnat map key), and deleting
 * from a concatenated interval set costs kernel time that grows with the set, so each
 * shard is kept small. One prerouting rule per shard, keyed on `ip saddr`; shards are
 * disjoint, so their order does not matter. A new shard is a structure change.
 */
export const NATIVE_MAP_PREFIX = 'native_';

/** The shard of a user: the first three octets of its address ("100.64.0"). */
export function nativeShard(userIp: string): string {
  return userIp.slice(0, userIp.lastIndexOf('.'));
}

export function nativeMapName(shard: string): string {
  if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(shard)) throw new Error(`invalid native shard ${shard}`);
  return `${NATIVE_MAP_PREFIX}${shard.replaceAll('.', '_')}`;
}

/** The shard of a map named `native_A_B_C` (canonical octets), else null. */
export function nativeMapShard(name: string): string | null {
  const match = /^native_((?:0|[1-9]\d{0,2})_(?:0|[1-9]\d{0,2})_(?:0|[1-9]\d{0,2}))$/.exec(name);
  if (!match) return null;
  const octets = match[1].split('_').map(Number);
  return octets.every((octet) => octet <= 255) ? octets.join('.') : null;
}

/** The users a shard holds, as a prefix ("100.64.0" → "100.64.0.0/24"). */
export function nativeShardPrefix(shard: string): string {
  return `${shard}.0/24`;
}

/** Shards in numeric order. */
export function compareShards(a: string, b: string): number {
  return ipv4ToInt(`${a}.0`) - ipv4ToInt(`${b}.0`);
}
