import type { FleetModel } from '../fleet-model.ts';
import type { OrgVpnClientId, PlantId, UserId } from '../model.ts';
import { orgVpnEligiblePlants, orgVpnRoutes } from '../org-vpn/routes.ts';
import { formatCidr, formatIpv4 } from '../net/ipv4.ts';
import { effectiveRoutes } from '../routes/effective.ts';
import type { AllowedPair, GatewayDesiredState, GatewayPeer, GatewaySelf, GatewaySite, NativeMapping } from '../wire/gateway-state.ts';
import { ChangeRecorder, type GatewayChanges } from './gateway-changes.ts';

type UserShare = { peer: GatewayPeer; allowed: AllowedPair[]; native: NativeMapping[] };

export type ServiceIdentity = {
  servicePublicKey: string;
  serviceTunnelIp: string;
  tunnelRange: string;
  mappedSpace: string;
};

/**
 * The gateways' desired state, kept per user and per plant so that a change
 * recomputes only the users and plants it touches (STYLE: a Change drives fan-out).
 * Only users with an active profile contribute: no profile, no peer, no routes.
 */
export class GatewayStateIndex {
  private readonly users = new Map<UserId, UserShare>();
  private readonly sites = new Map<PlantId, GatewaySite>();
  /** Each recomputed user's and plant's entry as it was at the last takeChanges (the delta's "before"). */
  private readonly originalUsers = new Map<UserId, UserShare | undefined>();
  private readonly originalSites = new Map<PlantId, GatewaySite | undefined>();
  /** Organization VPN clients (SPEC O1): peers like profiles, with their VPN's routes, in their VPN's region only. */
  private readonly orgClients = new Map<OrgVpnClientId, UserShare>();
  private readonly originalOrgClients = new Map<OrgVpnClientId, UserShare | undefined>();

  /** Recomputes everything; returns the plants whose site entry changed (or went away). */
  rebuild(model: FleetModel): PlantId[] {
    for (const [userId, share] of this.users) if (!this.originalUsers.has(userId)) this.originalUsers.set(userId, share);
    this.users.clear();
    this.recomputeUsers(model, model.profiles.keys());
    this.recomputeOrgVpnClients(model);
    const gone = [...this.sites.keys()].filter((plantId) => !model.plants.has(plantId));
    return this.recomputePlants(model, [...model.plants.keys(), ...gone]);
  }

  recomputeUsers(model: FleetModel, userIds: Iterable<UserId>): void {
    for (const userId of userIds) {
      if (!this.originalUsers.has(userId)) this.originalUsers.set(userId, this.users.get(userId));
      const profile = model.profiles.get(userId);
      if (!profile) {
        this.users.delete(userId);
        continue;
      }
      const userIp = formatIpv4(profile.tunnelIp);
      const allowed: AllowedPair[] = [];
      const native: NativeMapping[] = [];
      for (const route of effectiveRoutes(model, userId)) {
        if (route.state === 'disabled') continue;
        const mapped = formatCidr(route.mapped);
        allowed.push({ userIp, mapped });
        if (route.native) native.push({ userIp, native: formatCidr(route.prefix), mapped });
      }
      this.users.set(userId, { peer: { publicKey: profile.publicKey, tunnelIp: userIp, profileId: profile.id }, allowed, native });
    }
  }

  /**
   * Recomputes every organization VPN client. Their routes hang on plants, subnets,
   * cooperations and job roles of whole organizations, and there are few of them, so every
   * write recomputes them all; a client whose routes did not move produces no change.
   */
  recomputeOrgVpnClients(model: FleetModel): void {
    for (const [id, share] of this.orgClients) if (!this.originalOrgClients.has(id)) this.originalOrgClients.set(id, share);
    this.orgClients.clear();
    if (model.orgVpnClients.size === 0) return;
    const byVpn = new Map<string, { allowed: string[]; native: Array<{ native: string; mapped: string }> }>();
    const eligibleByOrg = new Map<string, ReturnType<typeof orgVpnEligiblePlants>>();
    for (const client of model.orgVpnClients.values()) {
      const vpn = model.orgVpns.get(client.vpnId);
      if (!vpn) continue;
      let routes = byVpn.get(vpn.id);
      if (!routes) {
        let eligible = eligibleByOrg.get(vpn.orgId);
        if (!eligible) {
          eligible = orgVpnEligiblePlants(model, vpn.orgId);
          eligibleByOrg.set(vpn.orgId, eligible);
        }
        const computed = orgVpnRoutes(model, vpn, eligible);
        routes = {
          allowed: computed.map((r) => formatCidr(r.mapped)),
          native: computed.filter((r) => r.native).map((r) => ({ native: formatCidr(r.prefix), mapped: formatCidr(r.mapped) })),
        };
        byVpn.set(vpn.id, routes);
      }
      const userIp = formatIpv4(client.tunnelIp);
      // A new client was absent before this revision: the delta adds it.
      if (!this.originalOrgClients.has(client.id)) this.originalOrgClients.set(client.id, undefined);
      this.orgClients.set(client.id, {
        peer: { publicKey: client.publicKey, tunnelIp: userIp, profileId: `org-vpn:${client.id}`, region: vpn.region },
        allowed: routes.allowed.map((mapped) => ({ userIp, mapped })),
        native: routes.native.map((n) => ({ userIp, ...n })),
      });
    }
  }

  /** Recomputes the plants' site entries; returns the plants whose entry changed (their agents must hear of it). */
  recomputePlants(model: FleetModel, plantIds: Iterable<PlantId>): PlantId[] {
    const changed: PlantId[] = [];
    for (const plantId of plantIds) {
      const before = this.sites.get(plantId);
      if (!this.originalSites.has(plantId)) this.originalSites.set(plantId, before);
      const plant = model.plants.get(plantId);
      if (!plant) {
        if (this.sites.delete(plantId)) changed.push(plantId);
        continue;
      }
      const agent = model.agents.get(plantId);
      const site: GatewaySite = {
        plantId,
        plantName: plant.name,
        agentPublicKey: agent?.publicKey ?? null,
        agentTunnelIp: agent ? formatIpv4(agent.tunnelIp) : null,
        translations: model.subnetsOf(plantId).map((s) => ({ mapped: formatCidr(s.mapped), real: formatCidr(s.prefix) })),
      };
      this.sites.set(plantId, site);
      if (!before || !sameSite(before, site)) changed.push(plantId);
    }
    return changed;
  }

  /**
   * What moved in the document since the last call, from the recomputed users' and
   * plants' entries only (never a diff of whole documents): the revision's delta.
   */
  takeChanges(): GatewayChanges {
    const recorder = new ChangeRecorder();
    for (const [userId, before] of this.originalUsers) {
      const after = this.users.get(userId);
      if (before === after) continue;
      recorder.peer(before?.peer, after?.peer);
      recorder.allowed(before?.allowed ?? [], after?.allowed ?? []);
      recorder.native(before?.native ?? [], after?.native ?? []);
    }
    for (const [id, before] of this.originalOrgClients) {
      const after = this.orgClients.get(id);
      recorder.peer(before?.peer, after?.peer);
      recorder.allowed(before?.allowed ?? [], after?.allowed ?? []);
      recorder.native(before?.native ?? [], after?.native ?? []);
    }
    this.originalOrgClients.clear();
    for (const [plantId, before] of this.originalSites) recorder.site(plantId, before, this.sites.get(plantId));
    this.originalUsers.clear();
    this.originalSites.clear();
    return recorder.take();
  }

  /** The document's element lists as JSON text (`"peers":[…],"allowed":[…],"native":[…],"sites":[…]`), built in one pass. */
  elementsJson(): string {
    const peers: string[] = [];
    const allowed: string[] = [];
    const native: string[] = [];
    for (const share of this.shares()) {
      peers.push(JSON.stringify(share.peer));
      for (const a of share.allowed) allowed.push(JSON.stringify(a));
      for (const n of share.native) native.push(JSON.stringify(n));
    }
    const sites = [...this.sites.values()].map((s) => JSON.stringify(s));
    return `"peers":[${peers.join(',')}],"allowed":[${allowed.join(',')}],"native":[${native.join(',')}],"sites":[${sites.join(',')}]`;
  }

  /** Plant ids with a site entry. */
  plantIds(): IterableIterator<PlantId> {
    return this.sites.keys();
  }

  /** One plant's site entry (its agent and translations), without building a document. */
  siteOf(plantId: PlantId): GatewaySite | undefined {
    return this.sites.get(plantId);
  }

  /** One organization VPN client's share (peer, allowed, native). */
  orgClientShareOf(clientId: OrgVpnClientId): UserShare | undefined {
    return this.orgClients.get(clientId);
  }

  private *shares(): Generator<UserShare> {
    yield* this.users.values();
    yield* this.orgClients.values();
  }

  /** The one user's share, for tests and for incremental consumers. */
  shareOf(userId: UserId): UserShare | undefined {
    return this.users.get(userId);
  }

  document(region: string, revision: number, service: ServiceIdentity, gateway: GatewaySelf | null = null): GatewayDesiredState {
    const peers: GatewayPeer[] = [];
    const allowed: AllowedPair[] = [];
    const native: NativeMapping[] = [];
    for (const share of this.shares()) {
      peers.push(share.peer);
      for (const a of share.allowed) allowed.push(a);
      for (const n of share.native) native.push(n);
    }
    return { revision, region, gateway, ...service, peers, allowed, native, sites: [...this.sites.values()] };
  }
}

function sameSite(a: GatewaySite, b: GatewaySite): boolean {
  if (a.plantName !== b.plantName || a.agentPublicKey !== b.agentPublicKey || a.agentTunnelIp !== b.agentTunnelIp) return false;
  if (a.translations.length !== b.translations.length) return false;
  return a.translations.every((t, i) => t.mapped === b.translations[i]?.mapped && t.real === b.translations[i]?.real);
}
