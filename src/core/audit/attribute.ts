import type { FleetModel } from '../fleet-model.ts';
import type { UserId } from '../model.ts';
import { type Ipv4Prefix, containsAddress, formatCidr, formatIpv4, parseIpv4, translateAddress } from '../net/ipv4.ts';
import { effectiveRoutes } from '../routes/effective.ts';
import type { StoredFlow } from './flow.ts';

/** A flow as the gateway reports it: who (tunnel IP) reached which address (mapped or native), how, how much. */
export type ReportedFlow = {
  id: string;
  tunnelIp: string;
  destinationIp: string;
  protocol: string;
  port: number | null;
  connections: number;
  bytesIn: number;
  bytesOut: number;
  firstSeen: string;
  lastSeen: string;
  session: string | null;
};

export type SubnetAtTime = { subnetId: string; plantId: string; orgId: string; plantName: string; prefix: Ipv4Prefix; mapped: Ipv4Prefix };

/** What attribution asks of the fleet as it is at ingest time (SPEC A5: the answer is then frozen into the record). */
export type AttributionView = {
  userByTunnelIp(ip: number): { userId: string; email: string } | null;
  /** The subnet whose mapped prefix holds the address (mapped prefixes are unique in the installation). */
  subnetByMapped(ip: number): SubnetAtTime | null;
  /** The user's routes with native addresses on (at most one per address, SPEC P5). */
  nativeSubnetsOf(userId: string): readonly SubnetAtTime[];
  deviceName(plantId: string, deviceIp: string): string | null;
};

export type Attributed = Omit<StoredFlow, 'seq' | 'gatewayId' | 'segment' | 'ingestedAt'>;

export type Attribution = { ok: true; flow: Attributed } | { ok: false; reason: 'bad-address' | 'no-plant-subnet' };

/**
 * Attributes a reported flow (SPEC A1): tunnel IP → profile → user; destination → plant
 * subnet, by the mapped prefix, or else by the user's own native routes; device = the real
 * address behind it, with its name where the plant lists it. An unknown tunnel IP keeps
 * the flow (user null): the trail must not lose access it cannot name. `sessionUser`: the
 * user of a session the flow names itself (the browser proxy's), before the tunnel IP.
 */
export function attributeFlow(view: AttributionView, reported: ReportedFlow, sessionUser?: (session: string) => { userId: string; email: string } | null): Attribution {
  const tunnel = parseIpv4(reported.tunnelIp);
  const destination = parseIpv4(reported.destinationIp);
  if (tunnel === null || destination === null) return { ok: false, reason: 'bad-address' };
  // a browser-proxy flow comes from the gateway's own address: its user is the session's (issue 12)
  const user = (reported.session !== null ? sessionUser?.(reported.session) : null) ?? view.userByTunnelIp(tunnel);
  let subnet = view.subnetByMapped(destination);
  let deviceIp = destination;
  if (subnet) deviceIp = translateAddress(destination, subnet.mapped, subnet.prefix);
  else if (user) subnet = view.nativeSubnetsOf(user.userId).find((s) => containsAddress(s.prefix, destination)) ?? null;
  if (!subnet) return { ok: false, reason: 'no-plant-subnet' };
  const device = formatIpv4(deviceIp);
  return attributed(reported, subnet, {
    user,
    tunnel,
    destinationIp: formatIpv4(destination),
    deviceIp: device,
    deviceName: view.deviceName(subnet.plantId, device),
    session: reported.session,
  });
}

/** The record as stored: the reported figures with who, where and which device as they are now (frozen, SPEC A5). */
export function attributed(
  reported: ReportedFlow,
  subnet: SubnetAtTime,
  at: { user: { userId: string | null; email: string } | null; tunnel: number; destinationIp: string; deviceIp: string; deviceName: string | null; session: string | null },
): Attribution {
  return {
    ok: true,
    flow: {
      plantId: subnet.plantId,
      recordId: reported.id,
      userId: at.user?.userId ?? null,
      userEmail: at.user?.email ?? null,
      tunnelIp: formatIpv4(at.tunnel),
      orgId: subnet.orgId,
      plantName: subnet.plantName,
      subnetId: subnet.subnetId,
      subnetCidr: formatCidr(subnet.prefix),
      subnetMapped: formatCidr(subnet.mapped),
      destinationIp: at.destinationIp,
      deviceIp: at.deviceIp,
      deviceName: at.deviceName,
      protocol: reported.protocol,
      port: reported.port,
      connections: reported.connections,
      bytesIn: reported.bytesIn,
      bytesOut: reported.bytesOut,
      firstSeen: reported.firstSeen,
      lastSeen: reported.lastSeen,
      session: at.session,
    },
  };
}

/**
 * The attribution view of a fleet model at one moment (plus the plants' device lists).
 * Built once per ingest batch; native routes are computed per user on first use.
 */
export function attributionView(model: FleetModel, devices: ReadonlyMap<string, ReadonlyMap<string, string>>): AttributionView {
  const users = new Map<number, { userId: string; email: string }>();
  for (const profile of model.profiles.values()) {
    const user = model.users.get(profile.userId);
    if (user) users.set(profile.tunnelIp, { userId: user.id, email: user.email });
  }
  const subnets: SubnetAtTime[] = [];
  const byId = new Map<string, SubnetAtTime>();
  for (const s of model.subnets.values()) {
    const plant = model.plants.get(s.plantId);
    if (!plant) continue;
    const info: SubnetAtTime = { subnetId: s.id, plantId: plant.id, orgId: plant.orgId, plantName: plant.name, prefix: s.prefix, mapped: s.mapped };
    subnets.push(info);
    byId.set(s.id, info);
  }
  // Sorted by mapped start: a binary search finds the one prefix holding an address.
  subnets.sort((a, b) => a.mapped.start - b.mapped.start);
  const native = new Map<string, SubnetAtTime[]>();
  return {
    userByTunnelIp: (ip) => users.get(ip) ?? null,
    subnetByMapped: (ip) => {
      let lo = 0;
      let hi = subnets.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const s = subnets[mid] as SubnetAtTime;
        if (containsAddress(s.mapped, ip)) return s;
        if (s.mapped.start > ip) hi = mid - 1;
        else lo = mid + 1;
      }
      return null;
    },
    nativeSubnetsOf: (userId) => {
      let list = native.get(userId);
      if (!list) {
        list = effectiveRoutes(model, userId as UserId)
          .filter((r) => r.native)
          .map((r) => byId.get(r.subnetId))
          .filter((s): s is SubnetAtTime => s !== undefined);
        native.set(userId, list);
      }
      return list;
    },
    deviceName: (plantId, ip) => devices.get(plantId)?.get(ip) ?? null,
  };
}
