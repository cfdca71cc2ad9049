import { cidr, formatIpv4, netmask } from '../net/ipv4.ts';

/**
 * What the gateway tells one OpenVPN client at connect (management `client-auth`, SPEC P9):
 * its tunnel IP and the routes of its profile — the whole mapped space (plants come and go
 * without a new profile, as in the WireGuard profile's AllowedIPs) plus the native prefixes
 * active for that user now. Read from the gateway's current desired document at the moment
 * of the connect, so a route change takes effect at the next connect. A user with no route
 * still gets the mapped space pushed and reaches nothing: the gateway's nft sets decide.
 */

export type ClientPushInput = {
  tunnelIp: string;
  tunnelRange: string;
  serviceTunnelIp: string;
  mappedSpace: string;
  /** Native prefixes active for this user (the document's native mappings of its tunnel IP). */
  native: string[];
};

export function clientPushLines(input: ClientPushInput): string[] {
  const range = cidr(input.tunnelRange);
  const lines = [
    // topology subnet: the client's address in the tunnel range, the gateway as its next hop
    `ifconfig-push ${formatIpv4(cidr(`${input.tunnelIp}/32`).start)} ${netmask(range.length)}`,
    'push "topology subnet"',
    `push "route-gateway ${formatIpv4(cidr(`${input.serviceTunnelIp}/32`).start)}"`,
  ];
  const seen = new Set<string>();
  for (const prefix of [input.mappedSpace, ...[...input.native].sort()]) {
    const p = cidr(prefix);
    const key = `${formatIpv4(p.start)}/${p.length}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(`push "route ${formatIpv4(p.start)} ${netmask(p.length)}"`);
  }
  return lines;
}
