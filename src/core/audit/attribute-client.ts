import type { FleetModel } from '../fleet-model.ts';
import { containsAddress, formatIpv4, parseIpv4 } from '../net/ipv4.ts';
import { type Attribution, attributed, type ReportedFlow, type SubnetAtTime } from './attribute.ts';

/**
 * Attribution of an agent's flow records (issue 10 item 2): the clients of a plant's hosted
 * direct VPNs reach the plant LAN through its agent with the devices' real addresses. Such
 * a client is not a platform user: the record's `user` names the client — `client NAME of
 * VPN` — and its user id stays null (no personal-VPN session to link). The plant is the
 * agent's own only: a destination in none of its subnets is not attributed (the batch
 * records it as a gap), so an agent can never write into another plant's trail.
 */

export type HostedClient = { tunnelIp: string; name: string; kind: 'site' | 'user'; vpnName: string };

export type ClientAttributionView = {
  clientByTunnelIp(ip: number): HostedClient | null;
  /** The plant's subnet holding the real address. */
  subnetOf(ip: number): SubnetAtTime | null;
  deviceName(deviceIp: string): string | null;
};

/** What the trail shows as `user` for a hosted client's flows. */
export function clientLabel(client: HostedClient): string {
  return `client ${client.name} of ${client.vpnName}`;
}

export function clientAttributionView(model: FleetModel, plantId: string, clients: readonly HostedClient[], devices: ReadonlyMap<string, string>): ClientAttributionView {
  const byIp = new Map<number, HostedClient>();
  for (const client of clients) {
    const ip = parseIpv4(client.tunnelIp);
    // tunnel networks are allocated apart; should two ever overlap, the older server's client keeps the address
    if (ip !== null && !byIp.has(ip)) byIp.set(ip, client);
  }
  const plant = model.plants.get(plantId as never);
  const subnets: SubnetAtTime[] = [];
  if (plant) {
    for (const s of model.subnets.values()) {
      if (s.plantId === plant.id) subnets.push({ subnetId: s.id, plantId: plant.id, orgId: plant.orgId, plantName: plant.name, prefix: s.prefix, mapped: s.mapped });
    }
  }
  return {
    clientByTunnelIp: (ip) => byIp.get(ip) ?? null,
    subnetOf: (ip) => subnets.find((s) => containsAddress(s.prefix, ip)) ?? null,
    deviceName: (ip) => devices.get(ip) ?? null,
  };
}

export function attributeClientFlow(view: ClientAttributionView, reported: ReportedFlow): Attribution {
  const tunnel = parseIpv4(reported.tunnelIp);
  const destination = parseIpv4(reported.destinationIp);
  if (tunnel === null || destination === null) return { ok: false, reason: 'bad-address' };
  const subnet = view.subnetOf(destination);
  if (!subnet) return { ok: false, reason: 'no-plant-subnet' };
  const client = view.clientByTunnelIp(tunnel);
  const device = formatIpv4(destination);
  // a removed client's address: the flow is kept, unnamed, like a gateway's unknown tunnel IP
  const user = client ? { userId: null, email: clientLabel(client) } : null;
  return attributed(reported, subnet, { user, tunnel, destinationIp: device, deviceIp: device, deviceName: view.deviceName(device), session: null });
}
