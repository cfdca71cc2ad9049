import { formatIpv4, parseCidr, prefixSize } from '../net/ipv4.ts';

/**
 * D11: the addresses a discovery probes — every host address of the subnets (not the
 * network and broadcast address of a /30 or larger), in order, at most `maxHosts`;
 * `truncated` when some were left out.
 */
export function discoveryTargets(subnets: readonly string[], maxHosts: number): { hosts: string[]; truncated: boolean } {
  const hosts: string[] = [];
  const seen = new Set<number>();
  for (const subnet of subnets) {
    const parsed = parseCidr(subnet);
    if (!parsed.ok) continue;
    const { start, length } = parsed.prefix;
    const size = prefixSize(length);
    const first = length <= 30 ? 1 : 0;
    const last = length <= 30 ? size - 2 : size - 1;
    for (let offset = first; offset <= last; offset++) {
      const address = (start + offset) >>> 0;
      if (seen.has(address)) continue;
      if (hosts.length >= maxHosts) return { hosts, truncated: true };
      seen.add(address);
      hosts.push(formatIpv4(address));
    }
  }
  return { hosts, truncated: false };
}

/** When probe number `index` may start at `ratePerSecond` (ms after the run's start). */
export function probeSlotMs(index: number, ratePerSecond: number): number {
  return Math.floor((index * 1000) / ratePerSecond);
}
