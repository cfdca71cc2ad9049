import { readFileSync } from 'node:fs';
import { parseWireGuardConfig } from '../core/direct-vpn/wireguard-config.ts';
import { dialCandidates, nextEndpoint, type RegionEndpoint, regionOf, splitEndpoint } from '../core/own-client/endpoints.ts';
import { INITIAL_LIVENESS, type Liveness, observe } from '../core/own-client/liveness.ts';
import type { OwnClientRoute, OwnClientState } from '../core/own-client/status.ts';
import type { ProfileConfigParts, ProfileGatewayStatus, RouteView } from '../core/wire/api.ts';
import { wireGuardPublicKey } from '../crypto/wireguard-keys.ts';
import type { IpConfigDriver } from '../os/ip/ip-config-driver.ts';
import type { WireGuardDriver } from '../os/wireguard/wireguard-driver.ts';
import type { WireGuardPeerConfig } from '../os/wireguard/wireguard-peer.ts';
import { removeState, writeState } from './state-file.ts';

/**
 * plantgate's own client for Linux (issue 11 item 3): the supervising process behind
 * `plantgate vpn up`. It brings the tunnel up from the issued WireGuard file (through the
 * src/os drivers: kernel WireGuard or wireguard-go), then
 * - polls the control plane with the user's API token and applies a changed AllowedIPs
 *   set to the peer and the routes in place (no refresh, no reload, the session stays);
 * - watches the peer's counters and, when sends go unanswered (core/own-client/liveness.ts),
 *   re-resolves the file's endpoint and moves to the next candidate (core/own-client/endpoints.ts),
 *   re-creating the peer so the first packet starts a fresh handshake with the new gateway;
 * - writes its status for `vpn status`.
 * The private key is read from the file and handed to the driver (which gives it to `wg`
 * through a 0600 file removed at once); it is never sent, logged or written anywhere else.
 */

export type ControlPlane = {
  /** Long-poll: the fleet revision once it passes `after` (or after `waitS`); aborted by `signal` at stop. */
  changes(after: number | null, waitS: number, signal: AbortSignal): Promise<number>;
  profile(): Promise<ProfileConfigParts>;
  routes(): Promise<RouteView[]>;
  gatewayStatus(): Promise<ProfileGatewayStatus[]>;
};

export type SupervisorOptions = {
  configPath: string;
  stateDir: string;
  iface: string;
  wg: WireGuardDriver;
  ip: IpConfigDriver;
  controlPlane: ControlPlane;
  /** host → IPv4 addresses (dns.lookup, all answers, in order). */
  resolve: (host: string) => Promise<string[]>;
  log: (line: string) => void;
  /** How long one long-poll waits (default 20 s). */
  longPollS?: number;
  /** Besides the long-poll: how often routes and the gateways' reports are read anyway (default 10 s). */
  pollMs?: number;
  /** How often the peer's counters are read (default 500 ms). */
  sampleMs?: number;
  /** Sends unanswered this long → handshake probe (default 1.5 s). */
  suspectAfterMs?: number;
  /** Probe handshake unanswered this long → fail over (default 2.5 s; a live gateway answers within a round trip). */
  probeMs?: number;
};

export class OwnClientSupervisor {
  private readonly o: Required<SupervisorOptions>;
  private peer!: WireGuardPeerConfig;
  private publicKey = '';
  private regions: RegionEndpoint[] = [];
  private routes: OwnClientRoute[] = [];
  private gatewayRows: ProfileGatewayStatus[] = [];
  private liveness: Liveness = INITIAL_LIVENESS;
  private failed: string[] = [];
  private failovers = 0;
  private fileEndpoint = '';
  private timers: NodeJS.Timeout[] = [];
  private readonly abort = new AbortController();
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private stopped = false;
  private counters = { rx: 0, tx: 0, handshake: 0 };

  constructor(options: SupervisorOptions) {
    this.o = { longPollS: 20, pollMs: 10_000, sampleMs: 500, suspectAfterMs: 1500, probeMs: 2500, ...options };
  }

  /** Brings the tunnel up; throws (nothing left behind) when the file or the system refuses. */
  async start(): Promise<void> {
    const parsed = parseWireGuardConfig(readFileSync(this.o.configPath, 'utf8'));
    if (!parsed.ok) throw new Error(`--config: ${this.o.configPath}: ${parsed.problems.map((p) => `line ${p.line}: ${p.directive} ${p.message}`).join('; ')}`);
    const conf = parsed.config;
    const servicePeer = conf.peers[0];
    if (conf.peers.length !== 1 || !servicePeer) throw new Error(`--config: ${this.o.configPath}: a plantgate profile has exactly one [Peer] (found ${conf.peers.length})`);
    if (!servicePeer.endpoint) throw new Error(`--config: ${this.o.configPath}: the [Peer] has no Endpoint`);
    this.fileEndpoint = servicePeer.endpoint;
    this.publicKey = wireGuardPublicKey(conf.privateKey);
    await this.refreshControlPlane(true).catch((e: Error) => this.o.log(`control plane not reachable at start (${e.message}); using the file's AllowedIPs`));
    const endpoint = await this.chooseEndpoint();
    if (!endpoint) throw new Error(`cannot resolve ${this.fileEndpoint} and the profile names no region endpoint`);
    this.peer = { publicKey: servicePeer.publicKey, allowedIps: servicePeer.allowedIps, endpoint, persistentKeepalive: servicePeer.persistentKeepalive };
    await this.o.wg.createInterface({ name: this.o.iface, privateKey: conf.privateKey, listenPort: null, addresses: conf.addresses, routes: [], mtu: conf.mtu ?? undefined });
    try {
      await this.o.wg.changePeers(this.o.iface, { remove: [], upsert: [this.peer] });
      await this.o.ip.syncRoutes(this.o.iface, this.peer.allowedIps);
    } catch (error) {
      await this.o.wg.deleteInterface(this.o.iface);
      throw error;
    }
    this.o.log(`up: ${this.o.iface} dials ${endpoint} (${this.regionName() ?? 'region unknown'}), AllowedIPs ${this.peer.allowedIps.join(', ')}`);
    await this.applyAllowedIps();
    this.save('up', null);
    this.timers.push(setInterval(() => this.tick(() => this.sample()), this.o.sampleMs));
    this.timers.push(setInterval(() => this.tick(() => this.poll()), this.o.pollMs));
    void this.watchChanges();
  }

  /** Route changes arrive through the long-poll: each new revision → read the profile, apply. */
  private async watchChanges(): Promise<void> {
    let revision: number | null = null;
    while (!this.stopped) {
      try {
        const next = await this.o.controlPlane.changes(revision, this.o.longPollS, this.abort.signal);
        if (revision !== null && next !== revision && !this.stopped) await this.run(() => this.poll());
        revision = next;
      } catch (error) {
        if (this.stopped) return;
        this.o.log(`warning: control plane long-poll: ${(error as Error).message}; again in 2 s`);
        await new Promise((done) => setTimeout(done, 2000));
      }
    }
  }

  /** Removes the interface (its routes go with it) and the state file. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.chain;
    await this.o.wg.deleteInterface(this.o.iface);
    removeState(this.o.stateDir);
    this.o.log(`down: ${this.o.iface} removed`);
  }

  /** One step at a time: a failover and a route change never interleave. A timer's step is skipped while another runs. */
  private tick(step: () => Promise<void>): void {
    if (this.pending > 0 || this.stopped) return;
    void this.run(step);
  }

  private run(step: () => Promise<void>): Promise<void> {
    this.pending++;
    this.chain = this.chain
      .then(() => (this.stopped ? undefined : step()))
      .catch((e: Error) => this.o.log(`warning: ${e.message}`))
      .finally(() => {
        this.pending--;
      });
    return this.chain;
  }

  private async sample(): Promise<void> {
    const dump = await this.o.wg.readDump(this.o.iface);
    const peer = dump?.peers.find((p) => p.publicKey === this.peer.publicKey);
    if (!peer) return;
    this.counters = { rx: peer.rxBytes, tx: peer.txBytes, handshake: peer.latestHandshake };
    const next = observe(this.liveness, { atMs: Date.now(), rxBytes: peer.rxBytes, txBytes: peer.txBytes }, { suspectAfterMs: this.o.suspectAfterMs, probeMs: this.o.probeMs });
    this.liveness = next.state;
    if (next.action === 'none' && next.state.unansweredSinceMs === null && next.state.probeDeadlineMs === null && peer.rxBytes > 0) this.failed = [];
    if (next.action === 'probe') await this.recreatePeer();
    if (next.action === 'failover') await this.failover();
    this.save('up', null);
  }

  /** A new peer entry forgets the old session: the next packet starts a handshake (with this.peer's endpoint). */
  private async recreatePeer(): Promise<void> {
    await this.o.wg.changePeers(this.o.iface, { remove: [this.peer.publicKey], upsert: [] });
    await this.o.wg.changePeers(this.o.iface, { remove: [], upsert: [this.peer] });
  }

  private async failover(): Promise<void> {
    const dead = this.peer.endpoint ?? '';
    this.failed = [...this.failed.filter((f) => f !== dead), dead];
    const endpoint = await this.chooseEndpoint();
    if (!endpoint) return;
    this.peer = { ...this.peer, endpoint };
    await this.recreatePeer();
    this.liveness = INITIAL_LIVENESS;
    this.failovers++;
    this.o.log(`failover: ${dead} answered no handshake; now dialing ${endpoint} (${this.regionName() ?? 'region unknown'})`);
  }

  private async poll(): Promise<void> {
    await this.refreshControlPlane(true);
    await this.applyAllowedIps();
    this.save('up', null);
  }

  private desiredAllowedIps: string[] | null = null;

  private async refreshControlPlane(withRoutes: boolean): Promise<void> {
    const parts = await this.o.controlPlane.profile();
    this.regions = parts.regions;
    // Another key than the active profile's (rotated, revoked): its routes are not this file's to apply.
    this.desiredAllowedIps = parts.profile.status === 'active' && parts.profile.publicKey === this.publicKey ? [...parts.allowedIps].sort() : null;
    if (!withRoutes) return;
    const [routes, rows] = await Promise.all([this.o.controlPlane.routes(), this.o.controlPlane.gatewayStatus()]);
    this.routes = routes.filter((r) => r.state !== 'disabled').map((r) => ({ plant: r.plant, subnet: r.subnet, mapped: r.mapped, native: r.native }));
    this.gatewayRows = rows;
  }

  /** AllowedIPs and routes follow the control plane in place: same peer, same session. */
  private async applyAllowedIps(): Promise<void> {
    const desired = this.desiredAllowedIps;
    if (desired === null || desired.join(',') === [...this.peer.allowedIps].sort().join(',')) return;
    this.peer = { ...this.peer, allowedIps: desired };
    await this.o.wg.changePeers(this.o.iface, { remove: [], upsert: [this.peer] });
    const changed = await this.o.ip.syncRoutes(this.o.iface, desired);
    this.o.log(`routes: AllowedIPs now ${desired.join(', ')} (${changed.join(' ') || 'no route change'})`);
  }

  private async chooseEndpoint(): Promise<string | null> {
    const resolved: string[] = [];
    for (const endpoint of [this.fileEndpoint]) {
      const split = splitEndpoint(endpoint);
      if (!split) continue;
      const addresses = await this.o.resolve(split.host).catch(() => []);
      resolved.push(...addresses.map((a) => `${a}:${split.port}`));
    }
    const regionEndpoints: RegionEndpoint[] = [];
    for (const region of this.regions) {
      const split = splitEndpoint(region.endpoint);
      if (!split) continue;
      const addresses = /^\d+\.\d+\.\d+\.\d+$/.test(split.host) ? [split.host] : await this.o.resolve(split.host).catch(() => []);
      for (const a of addresses) regionEndpoints.push({ name: region.name, endpoint: `${a}:${split.port}` });
    }
    this.resolvedRegions = regionEndpoints;
    return nextEndpoint(dialCandidates(resolved, regionEndpoints), this.failed);
  }

  private resolvedRegions: RegionEndpoint[] = [];

  private regionName(): string | null {
    return regionOf(this.peer?.endpoint ?? '', this.resolvedRegions);
  }

  private save(phase: OwnClientState['phase'], error: string | null): void {
    if (this.stopped) return;
    const region = this.regionName();
    const gateway =
      this.gatewayRows
        .filter((r) => r.region === region && r.lastHandshakeAt !== null)
        .sort((a, b) => (b.lastHandshakeAt ?? '').localeCompare(a.lastHandshakeAt ?? ''))[0]?.gateway ?? null;
    writeState(this.o.stateDir, {
      pid: process.pid,
      interface: this.o.iface,
      config: this.o.configPath,
      phase,
      error,
      allowedIps: this.peer?.allowedIps ?? [],
      failovers: this.failovers,
      updatedAt: new Date().toISOString(),
      region,
      gateway,
      endpoint: this.peer?.endpoint ?? null,
      lastHandshake: this.counters.handshake > 0 ? new Date(this.counters.handshake * 1000).toISOString() : null,
      bytesIn: this.counters.rx,
      bytesOut: this.counters.tx,
      routes: this.routes,
    });
  }
}
