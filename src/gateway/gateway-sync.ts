import type { GatewaySecrets } from '../core/wire/daemon.ts';
import type { GatewayStateDelta, GatewayStateMessage } from '../core/wire/gateway-delta.ts';
import type { GatewayDesiredState, GatewaySite } from '../core/wire/gateway-state.ts';
import type { WireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import type { DaemonMetrics } from '../daemon/daemon-metrics.ts';
import { errorMessage, type Logger } from '../daemon/log.ts';
import { isConnected, peerStatuses } from '../daemon/peer-status.ts';
import type { StateStore } from '../daemon/state-store.ts';
import type { Access, ApplyReason } from '../daemon/sync-loop.ts';
import { type GatewayApplyReport, GatewayApplier, type GatewayDataPlane } from './apply.ts';
import { GatewayDocument } from './desired-document.ts';
import type { IpConfigDriver } from '../os/ip/ip-config-driver.ts';
import type { NftDriver } from '../os/nft/nft-driver.ts';
import type { WireGuardDriver } from '../os/wireguard/wireguard-driver.ts';
import { canonicalAddress } from '../core/net/ipv4.ts';
import { openVpnSerialOf } from '../core/openvpn/profile-certificate.ts';
import type { GatewayInterfaces } from './nft-ruleset.ts';
import type { GatewayApplyPlan, GatewayObserved } from './plan.ts';
import { checkAndPinRanges } from './ranges.ts';
import { SiteEndpointMemory } from './site-endpoints.ts';

/**
 * The gateway's local side of sync: the desired document it holds (indexed, updated by
 * deltas), the applier that keeps the data plane equal to it, the secrets, interfaces,
 * addresses and routes. The daemon's loop calls receive() with each answer of the control
 * plane and apply() to carry it out; bench/b4-gateway-apply.ts drives the same two calls.
 *
 * An update that comes as a delta is planned from the delta against what was last applied
 * (no read-back, no walk over the document); a (re)connect, the periodic reconcile and a
 * restore read the gateway back (wg show dump, nft -j) and so repair drift.
 */

export type GatewaySyncConfig = {
  ifaces: GatewayInterfaces;
  table: string;
  userPort: number;
  sitePort: number;
};

export type GatewaySyncPorts = {
  wireguard: WireGuardDriver;
  nft: NftDriver;
  ip: IpConfigDriver;
  store: StateStore;
  clock: { now(): number };
  log: Logger;
  metrics: DaemonMetrics;
};

/** What the loop keeps per revision: the document itself stays in GatewaySync. */
export type GatewayUpdate = {
  revision: number;
  /** The delta that led to this revision (null: a full document, or one restored). */
  change: { delta: GatewayStateDelta; previousSites: Map<string, GatewaySite | undefined> } | null;
};

export class GatewaySync {
  private readonly config: GatewaySyncConfig;
  private readonly ports: GatewaySyncPorts;
  private readonly siteKey: WireGuardKeyPair;
  private readonly fetchSecrets: () => Promise<GatewaySecrets>;
  private readonly applier: GatewayApplier;
  /** The agents' last endpoints (issue 11 item 4): a restarted gateway handshakes toward them at once. */
  readonly siteEndpoints: SiteEndpointMemory;
  private documentValue: GatewayDocument | null = null;
  private secrets: GatewaySecrets | null = null;
  private forwardingChecked = false;
  /** Header fields and site addresses as last written to ip (an update that moves none skips ip). */
  private ipApplied: string | null = null;
  private readonly gauges;
  /** How the last apply went (for the log and the benchmark). */
  lastReport: GatewayApplyReport | null = null;
  /** Reconciles skipped in a row because an update ran during their read-back. */
  private reconcileSkips = 0;

  constructor(config: GatewaySyncConfig, ports: GatewaySyncPorts, siteKey: WireGuardKeyPair, fetchSecrets: () => Promise<GatewaySecrets>) {
    this.config = config;
    this.ports = ports;
    this.siteKey = siteKey;
    this.fetchSecrets = fetchSecrets;
    this.siteEndpoints = new SiteEndpointMemory(ports.store, ports.log);
    const plane: GatewayDataPlane = {
      wireguard: ports.wireguard,
      nft: ports.nft,
      ifaces: config.ifaces,
      tableName: config.table,
      interfaceSpecs: {},
      // An interface left by an earlier run (--keep-on-exit, a crash) is adopted; its key and port are made ours.
      adopt: (observed) => this.adopt(observed),
    };
    this.plane = plane;
    this.applier = new GatewayApplier(plane);
    const { registry, prefix } = ports.metrics;
    this.gauges = {
      peers: registry.gauge(`${prefix}_wireguard_peers`, 'WireGuard peers per interface (observed)'),
      connected: registry.gauge(`${prefix}_wireguard_peers_connected`, 'Peers with a handshake in the last 3 minutes'),
      sizes: registry.gauge(`${prefix}_nft_set_elements`, 'Elements of the nft sets allowed_N / maps native_A_B_C, summed (desired, as last applied)'),
      desiredPeers: registry.gauge(`${prefix}_desired_peers`, 'Peers in the desired state per interface'),
    };
  }

  private readonly plane: GatewayDataPlane;

  get document(): GatewayDocument | null {
    return this.documentValue;
  }

  setSecrets(secrets: GatewaySecrets | null): void {
    this.secrets = secrets;
  }

  async refreshSecrets(): Promise<GatewaySecrets> {
    const secrets = await this.fetchSecrets();
    this.secrets = secrets;
    return secrets;
  }

  /** A document from the state dir (applied only if the control plane cannot be reached). */
  restore(document: GatewayDocument): GatewayUpdate {
    this.documentValue = document;
    return { revision: document.revision, change: null };
  }

  /**
   * Takes one answer of the control plane into the document. 'resync': a delta that does
   * not start from the revision held (the caller fetches the full document). A full
   * document whose ranges are out of bounds or differ from the pinned ones is refused
   * (RefusedDocumentError) and the document held stays.
   */
  async receive(message: GatewayStateMessage): Promise<GatewayUpdate | 'resync'> {
    if (message.kind === 'full') {
      await checkAndPinRanges(this.ports.store, message.state);
      this.documentValue = GatewayDocument.fromState(message.state);
      return { revision: message.state.revision, change: null };
    }
    const document = this.documentValue;
    if (document === null) return 'resync';
    if (message.fromRevision === message.revision && message.revision === document.revision) return { revision: document.revision, change: null };
    const result = document.applyDelta(message);
    if (!result.ok) return 'resync';
    return { revision: message.revision, change: { delta: message, previousSites: result.previousSites } };
  }

  /**
   * Runs before a periodic reconcile is queued: reads the gateway back while updates go on
   * (the loop's queue is not held for the seconds this takes at 10,000 peers).
   */
  async prepare(reason: ApplyReason): Promise<void> {
    const document = this.documentValue;
    if (reason !== 'reconcile' || document === null) return;
    await this.applier.prepareObservation();
    await this.applier.prepareDocumentView(() => wireGuardState(document.toState()), document.revision);
  }

  /** Brings the data plane to the document held (see the class comment for how). */
  async apply(update: GatewayUpdate, reason: ApplyReason, access: Access = 'serving'): Promise<string | null> {
    const document = this.documentValue;
    if (document === null) throw new Error('no desired state to apply');
    const header = document.header;
    if (header.gateway === null) throw new Error('the desired state names no gateway (is this credential a gateway\u2019s?)');
    if (this.secrets?.servicePublicKey !== header.servicePublicKey && reason !== 'restore' && reason !== 'withdraw') await this.refreshSecrets();
    const secrets = this.secrets;
    if (secrets === null) throw new Error('no service key: the control plane has not been reached since enrolment');
    if (secrets.servicePublicKey !== header.servicePublicKey) throw new Error('the service key from /secrets does not match the desired state');
    this.plane.interfaceSpecs = {
      users: { name: this.config.ifaces.users, privateKey: secrets.servicePrivateKey, listenPort: this.config.userPort, addresses: [], routes: [] },
      sites: { name: this.config.ifaces.sites, privateKey: this.siteKey.privateKey, listenPort: this.config.sitePort, addresses: [], routes: [] },
    };

    if (reason === 'reconcile' && access === 'serving' && this.applier.preparedObservation === 'stale' && this.reconcileSkips < 3) {
      // an update ran while the gateway was read back: that reading may miss it; the next cycle reads again
      this.applier.dropPreparedObservation();
      this.reconcileSkips++;
      return null;
    }
    if (reason === 'reconcile') this.reconcileSkips = 0;
    const changes: string[] = [];
    this.adopted = changes;
    // Addresses and routes run alongside nft and peers (one route per agent: thousands on a
    // cold start); an update that moves none of them skips them.
    const ipNeeded = reason !== 'update' || update.change === null || update.change.previousSites.size > 0 || this.ipApplied === null;
    let ipDone = !ipNeeded;
    this.plane.alongside = ipNeeded
      ? async () => {
          await this.syncIp(document, reason !== 'update', changes);
          ipDone = true;
        }
      : undefined;
    let report: GatewayApplyReport;
    const full = reason !== 'update' || access === 'withdrawn' || update.change === null;
    if (!full && update.change !== null) {
      const { delta, previousSites } = update.change;
      report = await this.applier.applyDelta(wireGuardDelta(delta), { previousSites, sitesNow: (plantId) => document.site(plantId) }, () => wireGuardState(document.toState()));
    } else if (reason === 'reconcile' && access === 'serving') {
      report = await this.applier.reconcile(() => wireGuardState(document.toState()), document.revision, header.gateway.siteTunnelIp);
    } else {
      const state = access === 'withdrawn' ? withdrawnState(document.toState()) : wireGuardState(document.toState());
      report = await this.applier.apply(state, { observe: reason !== 'update', withdrawn: access === 'withdrawn' });
    }
    this.adopted = null;
    this.plane.alongside = undefined;
    this.lastReport = report;
    for (const problem of report.plan.problems) this.ports.log.warn('gateway plan problem', { problem });
    changes.push(...describePlan(report.plan));
    // the plan ran nothing (already applied): addresses and routes still get their turn
    if (!ipDone) await this.syncIp(document, reason !== 'update', changes);
    this.setStateGauges(document, access);
    if (access === 'serving') {
      const kicked = await this.siteEndpoints.kickOnce(this.ports.wireguard, this.config.ifaces.sites).catch((error) => {
        this.ports.log.warn('could not point site peers at their last endpoints', { error: errorMessage(error) });
        return 0;
      });
      if (kicked > 0) changes.push(`${kicked} site peer(s) handshaking toward their last endpoint`);
    }
    return changes.length === 0 ? null : changes.join('; ');
  }

  async peerReport() {
    const [users, sites] = await Promise.all([this.ports.wireguard.readDump(this.config.ifaces.users), this.ports.wireguard.readDump(this.config.ifaces.sites)]);
    const { peers, connected } = this.gauges;
    const now = this.ports.clock.now();
    for (const [role, dump] of [['users', users], ['sites', sites]] as const) {
      peers.set({ interface: role }, dump?.peers.length ?? 0);
      connected.set({ interface: role }, dump?.peers.filter((peer) => isConnected(peer.latestHandshake, now)).length ?? 0);
    }
    await this.siteEndpoints.remember(sites).catch((error) => this.ports.log.warn('could not keep the agents\u2019 endpoints', { error: errorMessage(error) }));
    return [...peerStatuses(users), ...peerStatuses(sites)];
  }

  async teardown(): Promise<void> {
    const { ifaces } = this.config;
    for (const name of [ifaces.users, ifaces.sites]) {
      await this.ports.wireguard.deleteInterface(name).catch((error) => this.ports.log.error('could not remove interface', { name, error: errorMessage(error) }));
    }
    await this.ports.nft.deleteTable(this.config.table).catch((error) => this.ports.log.error('could not remove nft table', { error: errorMessage(error) }));
  }

  private adopted: string[] | null = null;

  private async adopt(observed: GatewayObserved): Promise<void> {
    const secrets = this.secrets;
    if (secrets === null) return;
    await this.fixKey(observed, 'users', secrets.servicePrivateKey, secrets.servicePublicKey, this.config.userPort);
    await this.fixKey(observed, 'sites', this.siteKey.privateKey, this.siteKey.publicKey, this.config.sitePort);
  }

  private async fixKey(observed: GatewayObserved, role: 'users' | 'sites', privateKey: string, publicKey: string, port: number) {
    const dump = observed[role];
    if (dump === null || (dump.interface.publicKey === publicKey && dump.interface.listenPort === port)) return;
    await this.ports.wireguard.setPrivateKey(this.config.ifaces[role], privateKey, port);
    dump.interface = { ...dump.interface, publicKey, listenPort: port };
    this.adopted?.push(`${role}: key/port set`);
  }

  /** Addresses and routes of both interfaces: read back on a full apply, else only when they moved. */
  private async syncIp(document: GatewayDocument, force: boolean, changes: string[]): Promise<void> {
    const { ifaces } = this.config;
    const header = document.header;
    const self = header.gateway;
    if (self === null) return;
    const agentRoutes = document
      .siteList()
      .filter((site) => site.agentPublicKey && site.agentTunnelIp)
      .map((site) => `${site.agentTunnelIp}/32`);
    const wanted = {
      users: { addresses: [`${canonicalAddress(header.serviceTunnelIp)}/32`], routes: [header.tunnelRange] },
      sites: { addresses: [`${canonicalAddress(self.siteTunnelIp)}/32`], routes: [header.mappedSpace, ...agentRoutes] },
    };
    const key = JSON.stringify(wanted);
    if (!force && key === this.ipApplied) return;
    const ip = this.ports.ip;
    // the two interfaces side by side (each `ip` is a process start; sites carries a route per agent)
    const sync = async (role: 'users' | 'sites') => [...(await ip.syncAddresses(ifaces[role], wanted[role].addresses)), ...(await ip.syncRoutes(ifaces[role], wanted[role].routes))];
    const ipChanges = (await Promise.all([sync('users'), sync('sites')])).flat();
    this.ipApplied = key;
    if (ipChanges.length > 0) changes.push(`ip ${ipChanges.join(' ')}`);
    if (!this.forwardingChecked) {
      if (await ip.enableForwarding()) changes.push('ip_forward on');
      this.forwardingChecked = true;
    }
  }

  private setStateGauges(document: GatewayDocument, access: Access): void {
    const { sizes, desiredPeers } = this.gauges;
    const applied = this.applier.applied;
    sizes.set({ set: 'allowed' }, applied?.allowed ?? 0);
    sizes.set({ set: 'native' }, applied?.native ?? 0);
    desiredPeers.set({ interface: 'users' }, access === 'withdrawn' ? 0 : document.counts.peers);
    desiredPeers.set({ interface: 'sites' }, applied?.sites ?? 0);
  }
}

/**
 * The document as the WireGuard side sees it: OpenVPN profiles' peers (`openvpn:<serial>`,
 * issue 11) are served by the OpenVPN servers, never by the users interface; their allowed
 * pairs and native mappings stay (the nft sets govern both kinds of client).
 */
export function wireGuardState(state: GatewayDesiredState): GatewayDesiredState {
  return state.peers.some((peer) => openVpnSerialOf(peer.publicKey) !== null) ? { ...state, peers: state.peers.filter((peer) => openVpnSerialOf(peer.publicKey) === null) } : state;
}

export function wireGuardDelta(delta: GatewayStateDelta): GatewayStateDelta {
  const wg = (key: string) => openVpnSerialOf(key) === null;
  return { ...delta, peers: { upsert: delta.peers.upsert.filter((peer) => wg(peer.publicKey)), remove: delta.peers.remove.filter(wg) } };
}

/** Whether a delta adds or removes an OpenVPN profile (the CRL or the CA may have changed). */
export function touchesOpenVpn(delta: GatewayStateDelta): boolean {
  return delta.peers.upsert.some((peer) => openVpnSerialOf(peer.publicKey) !== null) || delta.peers.remove.some((key) => openVpnSerialOf(key) !== null);
}

/** User access withdrawn (fail static past the max age): no user peer, no allowed pair, no native entry; site tunnels stay. */
export function withdrawnState(state: GatewayDesiredState): GatewayDesiredState {
  return { ...state, peers: [], allowed: [], native: [] };
}

export function describePlan(plan: GatewayApplyPlan): string[] {
  const parts: string[] = [];
  if (plan.missingInterfaces.length > 0) parts.push(`created ${plan.missingInterfaces.join(', ')}`);
  for (const role of ['users', 'sites'] as const) {
    const peers = plan[role];
    if (peers.kind === 'set') parts.push(`${role} peers -${peers.remove.length} ~${peers.upsert.length}`);
    if (peers.kind === 'sync') parts.push(`${role} peers synced (${peers.peers.length}: ${peers.reason})`);
  }
  if (plan.nft.kind === 'reload') parts.push(`nft reloaded (${plan.nft.reasons.slice(0, 3).join('; ')})`);
  if (plan.nft.kind === 'delta') {
    const d = plan.nft.delta;
    parts.push(`nft allowed +${d.addAllowed.length} -${d.removeAllowed.length}, native +${d.addNative.length} -${d.removeNative.length}`);
  }
  return parts;
}
