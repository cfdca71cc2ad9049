import { cidr, containsAddress, formatCidr, formatIpv4, overlaps, parseCidr, parseIpv4, prefixEnd, prefixSize, type Ipv4Prefix } from '../net/ipv4.ts';

/**
 * What a hosted direct VPN server is given by the platform (issue 9, D1/D9): a tunnel
 * network of its own, a tunnel address per client and a listen port on the plant's agent.
 * Pure: the caller passes every range and port already taken.
 */

/** Where server tunnel networks come from, in order: outside the default tunnel range (100.64.0.0/12) and mapped space (100.80.0.0/12). */
export const HOSTED_NETWORK_POOLS = ['100.96.0.0/11', '172.31.0.0/16', '10.255.0.0/16'] as const;
export const HOSTED_NETWORK_LENGTH = 24;

/** First listen port tried per transport: WireGuard's and OpenVPN's customary ones, counting up. */
export const HOSTED_PORT_BASE = { wireguard: 51820, openvpn: 1194 } as const;
const PORT_TRIES = 1000;

/** The first /24 of the pools that overlaps none of `taken` (tunnel range, mapped space, plant subnets, other servers' networks); null when none is left. */
export function allocateTunnelNetwork(taken: string[], pools: readonly string[] = HOSTED_NETWORK_POOLS): string | null {
  const blocked = taken.flatMap((text) => {
    const parsed = parseCidr(text);
    return parsed.ok ? [parsed.prefix] : [];
  });
  for (const pool of pools) {
    const range = cidr(pool);
    const step = prefixSize(HOSTED_NETWORK_LENGTH);
    for (let start = range.start; start + step - 1 <= prefixEnd(range); start += step) {
      const candidate: Ipv4Prefix = { start, length: HOSTED_NETWORK_LENGTH };
      if (!blocked.some((b) => overlaps(b, candidate))) return formatCidr(candidate);
    }
  }
  return null;
}

/** The server's own address in its network: the first host. */
export function serverTunnelIp(network: string): string {
  return formatIpv4(cidr(network).start + 1);
}

/** The lowest free host address after the server's (network and broadcast excluded); null when the network is full. */
export function allocateClientIp(network: string, used: string[]): string | null {
  const range = cidr(network);
  const taken = new Set(used.map((ip) => parseIpv4(ip)));
  for (let address = range.start + 2; address < prefixEnd(range); address++) {
    if (!taken.has(address)) return formatIpv4(address);
  }
  return null;
}

export function inNetwork(network: string, ip: string): boolean {
  const address = parseIpv4(ip);
  return address !== null && containsAddress(cidr(network), address);
}

/** The lowest port from `base` upward that is not taken; null when none within a thousand. */
export function allocatePort(base: number, taken: number[]): number | null {
  const used = new Set(taken);
  for (let port = base; port < Math.min(base + PORT_TRIES, 65536); port++) if (!used.has(port)) return port;
  return null;
}
