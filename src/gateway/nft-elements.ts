import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import {
  compareAddresses,
  comparePrefixes,
  type Ipv4Prefix,
  ipv4ToInt,
  memoCanonicalAddress,
  memoCanonicalPrefix,
  prefixLength,
} from './ipv4-prefix.ts';

/**
 * The elements of plantgate's two nft collections, in canonical form, so that desired
 * state (from the control plane) and observed state (from `nft -j`) compare by string.
 */

/** Element of set `allowed`: the user's tunnel IP may reach this mapped prefix. */
export type AllowedElement = { userIp: string; mapped: Ipv4Prefix };

/** Element of map `native`: the user's traffic to `native` is translated to `mapped`. */
export type NativeElement = {
  userIp: string;
  native: Ipv4Prefix;
  mapped: Ipv4Prefix;
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
