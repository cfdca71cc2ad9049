import type { FleetModel } from '../fleet-model.ts';
import type { OrgVpnId, UserId } from '../model.ts';
import { orgVpnRoutes } from '../org-vpn/routes.ts';
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
  /**
   * Who holds the tunnel IP: a user's profile, or an organization VPN client (SPEC O1: userId
   * null, email `org-vpn:<vpn name>/<client name>`); `routes` keys nativeSubnetsOf (defaults to userId).
   */
  userByTunnelIp(ip: number): { userId: string | null; email: string; routes?: string } | null;
  /** The subnet whose mapped prefix holds the address (mapped prefixes are unique in the installation). */
  subnetByMapped(ip: number): SubnetAtTime | null;
  /** The user's (or organization VPN client's) routes with native addresses on (at most one per address, SPEC P5). */
  nativeSubnetsOf(routes: string): readonly SubnetAtTime[];
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
export function attributeFlow(view: AttributionView, reported: ReportedFlow, sessionUser?: (session: string) => { userId: string; email: string; routes?: string } | null): Attribution {
  const tunnel = parseIpv4(reported.tunnelIp);
  const destination = parseIpv4(reported.destinationIp);
  if (tunnel === null || destination === null) return { ok: false, reason: 'bad-address' };
  // a browser-proxy flow comes from the gateway's own address: its user is the session's (issue 12)
  const user = (reported.session !== null ? sessionUser?.(reported.session) : null) ?? view.userByTunnelIp(tunnel);
  let subnet = view.subnetByMapped(destination);
  let deviceIp = destination;
  if (subnet) deviceIp = translateAddress(destination, subnet.mapped, subnet.prefix);
  else if (user) subnet = view.nativeSubnetsOf(user.routes ?? user.userId ?? '').find((s) => containsAddress(s.prefix, destination)) ?? null;
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
      subnetCidr: cidrText(subnet.prefix),
      subnetMapped: cidrText(subnet.mapped),
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

/** A subnet's prefix as text, made once per prefix object (a batch names the same few thousand per record, B6). */
const cidrTexts = new WeakMap<Ipv4Prefix, string>();

function cidrText(prefix: Ipv4Prefix): string {
  let text = cidrTexts.get(prefix);
  if (text === undefined) {
    text = formatCidr(prefix);
    cidrTexts.set(prefix, text);
  }
  return text;
}

/**
 * The attribution view of a fleet model at one moment (plus the plants' device lists).
 * Built once per ingest batch; native routes are computed per user on first use.
 */
export function attributionView(model: FleetModel, devices: ReadonlyMap<string, ReadonlyMap<string, string>>): AttributionView {
  const users = new Map<number, { userId: string | null; email: string; routes?: string }>();
  for (const profile of model.profiles.values()) {
    const user = model.users.get(profile.userId);
    if (user) users.set(profile.tunnelIp, { userId: user.id, email: user.email });
  }
  // Organization VPN clients (SPEC O1, A1): the trail names the VPN and its client.
  for (const client of model.orgVpnClients.values()) {
    const vpn = model.orgVpns.get(client.vpnId);
    if (vpn) users.set(client.tunnelIp, { userId: null, email: orgVpnIdentity(vpn.name, client.name), routes: `${ORG_VPN_ROUTES}${vpn.id}` });
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
    nativeSubnetsOf: (key) => {
      let list = native.get(key);
      if (!list) {
        const vpn = key.startsWith(ORG_VPN_ROUTES) ? model.orgVpns.get(key.slice(ORG_VPN_ROUTES.length) as OrgVpnId) : undefined;
        const routes = vpn ? orgVpnRoutes(model, vpn) : key.startsWith(ORG_VPN_ROUTES) ? [] : effectiveRoutes(model, key as UserId);
        list = routes
          .filter((r) => r.native)
          .map((r) => byId.get(r.subnetId))
          .filter((s): s is SubnetAtTime => s !== undefined);
        native.set(key, list);
      }
      return list;
    },
    deviceName: (plantId, ip) => devices.get(plantId)?.get(ip) ?? null,
  };
}

const ORG_VPN_ROUTES = 'org-vpn-routes:';

/** How the trail names an organization VPN client in the record's user field (no user id: the access is the organization's). */
export function orgVpnIdentity(vpnName: string, clientName: string): string {
  return `org-vpn:${vpnName}/${clientName}`;
}
