import { GatewaySecrets } from '../core/wire/daemon.ts';
import { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import type { GatewayControlPlane } from '../daemon/control-plane.ts';
import { type DaemonIdentity, loadOrCreateKeyPair, loadOrEnrol } from '../daemon/identity.ts';
import { errorMessage } from '../daemon/log.ts';
import { isConnected, peerStatuses } from '../daemon/peer-status.ts';
import type { DaemonPorts } from '../daemon/ports.ts';
import { statusReport } from '../daemon/status-report.ts';
import { type ApplyReason, SyncLoop, type SyncLoopOptions } from '../daemon/sync-loop.ts';
import type { WireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { type GatewayDataPlane, observeGateway, runGatewayPlan } from './apply.ts';
import { canonicalAddress } from '../core/net/ipv4.ts';
import type { GatewayInterfaces } from './nft-ruleset.ts';
import { type GatewayApplyPlan, type GatewayObserved, planGatewayApply } from './plan.ts';
import { desiredSitePeers } from './wireguard-peers.ts';

/**
 * The region gateway daemon: enrol once, register at every (re)connect, then keep the
 * data plane equal to the desired state (SyncLoop). Everything outside comes in as a
 * port, so the whole daemon runs in unit tests on fakes; main.ts wires the real ones.
 */

export type GatewayDaemonConfig = {
  token?: string;
  name?: string;
  /** HOST:PORT agents dial. */
  siteEndpoint: string;
  userPort: number;
  sitePort: number;
  ifaces: GatewayInterfaces;
  table: string;
  keepOnExit: boolean;
  version: string;
  loop?: Partial<SyncLoopOptions>;
};

export type GatewayDaemonPorts = DaemonPorts<GatewayControlPlane>;

export type RunningDaemon = {
  identity: DaemonIdentity;
  loop: SyncLoop<{ revision: number }>;
  /** Stops the loops; removes interfaces and table unless keepOnExit. */
  stop(): Promise<void>;
};

export async function startGatewayDaemon(config: GatewayDaemonConfig, ports: GatewayDaemonPorts, signal?: AbortSignal): Promise<RunningDaemon> {
  const { store, log, clock } = ports;
  const identity = await loadOrEnrol({ kind: 'gateway', store, enrolment: ports.enrolment, token: config.token, name: config.name, clock, log, signal });
  const siteKey = await loadOrCreateKeyPair(store);
  const api = ports.controlPlane(identity);
  const gateway = new GatewayDataPlaneState(config, ports, siteKey, api);
  await gateway.loadSaved();
  const saved = gateway.savedDesired;

  const loop = new SyncLoop<GatewayDesiredState>(
    {
      clock,
      log,
      metrics: ports.metrics,
      random: ports.random,
      onCredentialRejected: ports.onCredentialRejected,
      connect: async () => {
        const { siteTunnelIp } = await api.register({ sitePublicKey: siteKey.publicKey, siteEndpoint: config.siteEndpoint });
        await gateway.refreshSecrets();
        log.info('registered', { siteTunnelIp, siteEndpoint: config.siteEndpoint, sitePublicKey: siteKey.publicKey });
      },
      fetch: (after, waitSeconds, fetchSignal) => api.state({ after, waitSeconds, signal: fetchSignal }),
      apply: (desired, reason) => gateway.apply(desired, reason),
      persist: (desired) => store.write('desired-state', desired),
      report: async (status) => {
        await api.status(statusReport(status, config.version, await gateway.peerReport()));
      },
    },
    config.loop,
  );
  loop.start(saved);
  log.info('gateway started', { id: identity.id, name: identity.name, region: identity.region, interfaces: config.ifaces, table: config.table });
  return {
    identity,
    loop: loop as SyncLoop<{ revision: number }>,
    stop: async () => {
      await loop.stop();
      if (config.keepOnExit) {
        log.info('stopped; data plane left running (--keep-on-exit)');
        return;
      }
      await gateway.teardown();
      log.info('stopped; interfaces and table removed');
    },
  };
}

/** The gateway's local side: secrets, interfaces, apply and teardown. */
class GatewayDataPlaneState {
  private readonly config: GatewayDaemonConfig;
  private readonly ports: GatewayDaemonPorts;
  private readonly siteKey: WireGuardKeyPair;
  private readonly api: GatewayControlPlane;
  private secrets: GatewaySecrets | null = null;
  private forwardingChecked = false;
  private readonly gauges;
  savedDesired: GatewayDesiredState | null = null;

  constructor(config: GatewayDaemonConfig, ports: GatewayDaemonPorts, siteKey: WireGuardKeyPair, api: GatewayControlPlane) {
    this.config = config;
    this.ports = ports;
    this.siteKey = siteKey;
    this.api = api;
    const { registry, prefix } = ports.metrics;
    this.gauges = {
      peers: registry.gauge(`${prefix}_wireguard_peers`, 'WireGuard peers per interface (observed)'),
      connected: registry.gauge(`${prefix}_wireguard_peers_connected`, 'Peers with a handshake in the last 3 minutes'),
      sizes: registry.gauge(`${prefix}_nft_set_elements`, 'Elements of the nft sets allowed_N / maps native_A_B_C, summed (desired, as last applied)'),
      desiredPeers: registry.gauge(`${prefix}_desired_peers`, 'Peers in the desired state per interface'),
    };
  }

  async loadSaved(): Promise<void> {
    const secrets = GatewaySecrets.safeParse(await this.ports.store.read('secrets'));
    if (secrets.success) this.secrets = secrets.data;
    const desired = GatewayDesiredState.safeParse(await this.ports.store.read('desired-state'));
    if (desired.success) this.savedDesired = desired.data;
  }

  async refreshSecrets(): Promise<void> {
    const secrets = await this.api.secrets();
    if (this.secrets?.servicePrivateKey !== secrets.servicePrivateKey) await this.ports.store.write('secrets', secrets);
    this.secrets = secrets;
  }

  async apply(desired: GatewayDesiredState, reason: ApplyReason): Promise<string | null> {
    const { ifaces } = this.config;
    const self = desired.gateway;
    if (self === null) throw new Error('the desired state names no gateway (is this credential a gateway\u2019s?)');
    if (this.secrets?.servicePublicKey !== desired.servicePublicKey && reason !== 'restore') await this.refreshSecrets();
    const secrets = this.secrets;
    if (secrets === null) throw new Error('no service key: the control plane has not been reached since enrolment');
    if (secrets.servicePublicKey !== desired.servicePublicKey) throw new Error('the service key from /secrets does not match the desired state');

    const plane: GatewayDataPlane = {
      wireguard: this.ports.wireguard,
      nft: this.ports.nft,
      ifaces,
      tableName: this.config.table,
      // Addresses and routes are reconciled below (they change as agents come and go).
      interfaceSpecs: {
        users: { name: ifaces.users, privateKey: secrets.servicePrivateKey, listenPort: this.config.userPort, addresses: [], routes: [] },
        sites: { name: ifaces.sites, privateKey: this.siteKey.privateKey, listenPort: this.config.sitePort, addresses: [], routes: [] },
      },
    };
    const observed = await observeGateway(plane);
    const changes: string[] = [];
    // An interface left by an earlier run (--keep-on-exit, a crash) is adopted; its key and port are made ours.
    await this.fixKey(observed, 'users', secrets.servicePrivateKey, secrets.servicePublicKey, this.config.userPort, changes);
    await this.fixKey(observed, 'sites', this.siteKey.privateKey, this.siteKey.publicKey, this.config.sitePort, changes);
    const plan = planGatewayApply(desired, ifaces, observed);
    for (const problem of plan.problems) this.ports.log.warn('gateway plan problem', { problem });
    await runGatewayPlan(plan, desired, plane);
    changes.push(...describePlan(plan));

    const ip = this.ports.ip;
    const agentRoutes = desired.sites.filter((site) => site.agentPublicKey && site.agentTunnelIp).map((site) => `${site.agentTunnelIp}/32`);
    const ipChanges = [
      ...(await ip.syncAddresses(ifaces.users, [`${canonicalAddress(desired.serviceTunnelIp)}/32`])),
      ...(await ip.syncRoutes(ifaces.users, [desired.tunnelRange])),
      ...(await ip.syncAddresses(ifaces.sites, [`${canonicalAddress(self.siteTunnelIp)}/32`])),
      ...(await ip.syncRoutes(ifaces.sites, [desired.mappedSpace, ...agentRoutes])),
    ];
    if (ipChanges.length > 0) changes.push(`ip ${ipChanges.join(' ')}`);
    if (!this.forwardingChecked) {
      if (await ip.enableForwarding()) changes.push('ip_forward on');
      this.forwardingChecked = true;
    }
    this.setStateGauges(desired);
    return changes.length === 0 ? null : changes.join('; ');
  }

  async peerReport() {
    const [users, sites] = await Promise.all([
      this.ports.wireguard.readDump(this.config.ifaces.users),
      this.ports.wireguard.readDump(this.config.ifaces.sites),
    ]);
    const { peers, connected } = this.gauges;
    const now = this.ports.clock.now();
    for (const [role, dump] of [['users', users], ['sites', sites]] as const) {
      peers.set({ interface: role }, dump?.peers.length ?? 0);
      connected.set({ interface: role }, dump?.peers.filter((peer) => isConnected(peer.latestHandshake, now)).length ?? 0);
    }
    return [...peerStatuses(users), ...peerStatuses(sites)];
  }

  async teardown(): Promise<void> {
    const { ifaces } = this.config;
    for (const name of [ifaces.users, ifaces.sites]) {
      await this.ports.wireguard.deleteInterface(name).catch((error) => this.ports.log.error('could not remove interface', { name, error: errorMessage(error) }));
    }
    await this.ports.nft.deleteTable(this.config.table).catch((error) => this.ports.log.error('could not remove nft table', { error: errorMessage(error) }));
  }

  private async fixKey(observed: GatewayObserved, role: keyof GatewayInterfaces, privateKey: string, publicKey: string, port: number, changes: string[]) {
    const dump = observed[role];
    if (dump === null || (dump.interface.publicKey === publicKey && dump.interface.listenPort === port)) return;
    await this.ports.wireguard.setPrivateKey(this.config.ifaces[role], privateKey, port);
    dump.interface = { ...dump.interface, publicKey, listenPort: port };
    changes.push(`${role}: key/port set`);
  }

  private setStateGauges(desired: GatewayDesiredState): void {
    const { sizes, desiredPeers } = this.gauges;
    sizes.set({ set: 'allowed' }, new Set(desired.allowed.map((pair) => `${pair.userIp} ${pair.mapped}`)).size);
    sizes.set({ set: 'native' }, desired.native.length);
    desiredPeers.set({ interface: 'users' }, desired.peers.length);
    desiredPeers.set({ interface: 'sites' }, desiredSitePeers(desired).length);
  }
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
