import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import {
  canonicalAddress,
  canonicalPrefix,
  compareAddresses,
  comparePrefixes,
  type Ipv4Prefix,
  prefixLength,
} from './ipv4-prefix.ts';

/**
 * The elements of plantgate's two nft collections, in canonical form, so that desired
 * state (from the control plane) and observed state (from `nft -j`) compare by string.
 */

/** Element of set `allowed`: the user's tunnel IP may reach this mapped prefix. */
export type AllowedElement = { userIp: string; mapped: Ipv4Prefix };

/** Element of map `native`: the user's traffic to `native` is translated to `mapped`. */
export type NativeElement = { userIp: string; native: Ipv4Prefix; mapped: Ipv4Prefix };

export type GatewayElements = { allowed: AllowedElement[]; native: NativeElement[] };

/** Canonical, de-duplicated, sorted elements of a desired state. */
export function desiredGatewayElements(state: Pick<GatewayDesiredState, 'allowed' | 'native'>): GatewayElements {
  const allowed = new Map<string, AllowedElement>();
  for (const pair of state.allowed) {
    const element = { userIp: canonicalAddress(pair.userIp), mapped: canonicalPrefix(pair.mapped) };
    allowed.set(allowedKey(element), element);
  }
  const native = new Map<string, NativeElement>();
  for (const mapping of state.native) {
    const element = {
      userIp: canonicalAddress(mapping.userIp),
      native: canonicalPrefix(mapping.native),
      mapped: canonicalPrefix(mapping.mapped),
    };
    // `dnat ip prefix to` keeps the host part, which only means something when both
    // prefixes have the same length; anything else is a control-plane bug.
    if (prefixLength(element.native) !== prefixLength(element.mapped)) {
      throw new Error(`native ${element.native} and mapped ${element.mapped} differ in length`);
    }
    const key = nativeKey(element);
    const existing = native.get(key);
    if (existing && existing.mapped !== element.mapped) {
      throw new Error(`native ${key} is mapped to both ${existing.mapped} and ${element.mapped}`);
    }
    native.set(key, element);
  }
  return {
    allowed: [...allowed.values()].sort(compareAllowed),
    native: [...native.values()].sort(compareNative),
  };
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
