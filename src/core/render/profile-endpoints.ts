import { isHostPort } from '../net/host-port.ts';

/**
 * Where a personal profile dials (SPEC P8): the ONE place that turns the regions the API
 * lists into the endpoints a WireGuard `.conf` and an OpenVPN `.ovpn` name. Both renderers
 * and the CLI/web pick from here, so a change of how endpoints are chosen (one service name
 * for every region, issue 11 item 1) is made here only.
 */

export type RegionEndpoint = { name: string; endpoint: string };
export type OpenVpnRemote = { host: string; port: number; proto: 'udp' | 'tcp' };

/** The OpenVPN port of every gateway (UDP and TCP), unless a gateway is started with another. */
export const OPENVPN_PROFILE_PORT = 1194;

/** The region a WireGuard profile dials: the one named, else the first. Null when the name is not a region. */
export function chooseRegion(regions: RegionEndpoint[], name?: string): RegionEndpoint | null {
  if (name === undefined) return regions[0] ?? null;
  return regions.find((r) => r.name === name) ?? null;
}

/**
 * An OpenVPN profile's `remote` lines: the chosen region first, then the others (OpenVPN
 * tries them in order, so a region that fails is left for the next at the next attempt);
 * per host UDP before TCP (TCP gets through networks that block UDP). The host is the
 * region endpoint's host; the port is the gateways' OpenVPN port. With a service name
 * (`serviceEndpoint`, issue 11 item 1) its host comes first: OpenVPN resolves it at every
 * connection attempt, so the control plane's DNS picks the healthy region; the region hosts
 * after it still serve when that DNS cannot be reached.
 */
export function openVpnRemotes(regions: RegionEndpoint[], first: RegionEndpoint, port: number = OPENVPN_PROFILE_PORT, serviceEndpoint?: string | null): OpenVpnRemote[] {
  const ordered = [first, ...regions.filter((r) => r.name !== first.name)];
  const hosts: string[] = serviceEndpoint ? [endpointHost(serviceEndpoint)] : [];
  for (const region of ordered) {
    const host = endpointHost(region.endpoint);
    if (!hosts.includes(host)) hosts.push(host);
  }
  return hosts.flatMap((host) => [
    { host, port, proto: 'udp' as const },
    { host, port, proto: 'tcp' as const },
  ]);
}

/** HOST of HOST:PORT (an IPv6 address without its brackets); throws on anything else. */
export function endpointHost(endpoint: string): string {
  if (!isHostPort(endpoint)) throw new Error(`not a host and port: ${JSON.stringify(endpoint)}`);
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(endpoint);
  if (bracketed) return bracketed[1] as string;
  return endpoint.slice(0, endpoint.lastIndexOf(':'));
}
