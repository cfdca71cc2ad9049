import { type ManagementNotification, parseStatus3 } from '../core/direct-vpn/openvpn-management.ts';
import { openVpnPeerStatuses } from '../core/openvpn/client-sessions.ts';
import { managementQuoted } from '../core/direct-vpn/openvpn-server-render.ts';
import { clientPushLines } from '../core/openvpn/client-push.ts';
import { renderGatewayOpenVpnServer } from '../core/openvpn/gateway-server-config.ts';
import { normalSerial, openVpnPeerId } from '../core/openvpn/profile-certificate.ts';
import type { GatewayOpenVpnMaterial, PeerStatus } from '../core/wire/daemon.ts';
import type { GatewayPeer } from '../core/wire/gateway-state.ts';
import { errorMessage, type Logger } from '../daemon/log.ts';
import { peerInRegion } from './wireguard-peers.ts';
import type { ConntrackFlush } from '../os/conntrack/conntrack-flush.ts';
import type { IpConfigDriver } from '../os/ip/ip-config-driver.ts';
import type { OpenVpnDriver, OpenVpnInstance } from '../os/openvpn/openvpn-driver.ts';

/**
 * The gateway's personal-VPN OpenVPN servers (issue 11, SPEC P9): one on UDP, one on TCP,
 * started and stopped with the daemon and restarted when one dies. No client is admitted by
 * openvpn alone: each connect arrives on the management interface
 * (`--management-client-auth`) and is answered from the desired document held at that
 * moment — the certificate serial must be an OpenVPN peer of the document (and openvpn has
 * checked it against the CA and the CRL already); the client is told its tunnel IP and
 * routes (clientPushLines). A connected client whose peer leaves the document (revoke,
 * rotate) or whose address changes is killed at the next enforce(); the nft sets keyed by
 * tunnel IP have already cut its traffic in the same apply; its conntrack entries go with it.
 *
 * Each connected client's /32 is routed into its server's tun (the WireGuard users
 * interface holds the tunnel-range route; the more specific route wins).
 */

export type OpenVpnMaterial = NonNullable<GatewayOpenVpnMaterial['material']>;
export type Transport = 'udp' | 'tcp';

export type GatewayOpenVpnConfig = {
  /** State directory of the servers (one subdirectory per transport). */
  directory: string;
  port: number;
  interfaces: Record<Transport, string>;
};

export type GatewayOpenVpnPorts = {
  openvpn: OpenVpnDriver;
  ip: IpConfigDriver;
  /** Forgets a killed client's tracked connections (absent without conntrack). */
  conntrack?: ConntrackFlush;
  log: Logger;
  /** Waits between restarts of a server that died (tests pass a short one). */
  restartDelayMs?: number;
};

/** What the service reads from the desired document at a connect. */
export type PeerSource = {
  peer(key: string): GatewayPeer | undefined;
  nativeOf(userIp: string): string[];
  readonly header: { serviceTunnelIp: string; tunnelRange: string; mappedSpace: string; region?: string | null };
};

/** A peer this gateway serves: any personal profile, an organization VPN client only in its VPN's region (SPEC O1). */
function servedPeer(source: PeerSource, serial: string): GatewayPeer | undefined {
  const peer = source.peer(openVpnPeerId(serial));
  return peer && peerInRegion(peer, source.header.region) ? peer : undefined;
}

type Client = { clientId: number; serial: string; tunnelIp: string };
type Server = {
  transport: Transport;
  instance: OpenVpnInstance;
  clients: Map<number, Client>;
  /** CLIENT:CONNECT/REAUTH whose ENV block is still arriving. */
  pending: { event: string; clientId: number; keyId: number; env: Map<string, string> } | null;
  /** Route changes one after the other (each diffs against what the kernel has). */
  routes: Promise<void>;
  /** The last status read (repeated when a read fails, so a slow socket does not end every session). */
  lastReport: PeerStatus[];
};

const FILES = { ca: 'ca.pem', cert: 'server.pem', key: 'server.key', tlsCrypt: 'tls-crypt.key', crl: 'crl.pem' } as const;

export class GatewayOpenVpn {
  private readonly config: GatewayOpenVpnConfig;
  private readonly ports: GatewayOpenVpnPorts;
  private readonly servers = new Map<Transport, Server>();
  private material: OpenVpnMaterial | null = null;
  private serviceTunnelIp: string | null = null;
  private source: PeerSource | null = null;
  private stopped = false;
  private starting: Promise<void> = Promise.resolve();

  constructor(config: GatewayOpenVpnConfig, ports: GatewayOpenVpnPorts) {
    this.config = config;
    this.ports = ports;
  }

  /** Tun interface names, for the nft ruleset (their clients are governed like WireGuard peers). */
  get interfaceNames(): string[] {
    return [this.config.interfaces.udp, this.config.interfaces.tcp];
  }

  /** Connected clients (for tests and the status log): transport, client id, serial, tunnel IP. */
  connected(): Array<Client & { transport: Transport }> {
    return [...this.servers.values()].flatMap((server) => [...server.clients.values()].map((client) => ({ ...client, transport: server.transport })));
  }

  /**
   * SPEC P7: the connected clients as status-report peers (`openvpn:<serial>`, real
   * address, bytes, connect time), read with `status 3` from each server; see
   * core/openvpn/client-sessions.ts.
   */
  async peerReport(nowSeconds: number): Promise<PeerStatus[]> {
    const out: PeerStatus[] = [];
    for (const server of [...this.servers.values()]) {
      try {
        const rows = parseStatus3(await server.instance.command('status 3'));
        server.lastReport = openVpnPeerStatuses(rows, [...server.clients.values()], nowSeconds);
      } catch (error) {
        this.ports.log.warn('openvpn status failed', { transport: server.transport, error: errorMessage(error) });
      }
      out.push(...server.lastReport);
    }
    return out;
  }

  /**
   * Brings the servers to `material` (null: no OpenVPN profile exists yet, nothing runs).
   * A new CRL is written in place (openvpn reads it at every handshake); a new CA, server
   * key or service address restarts the servers.
   */
  async update(material: OpenVpnMaterial | null, source: PeerSource): Promise<void> {
    this.source = source;
    const run = async () => {
      if (this.stopped) return;
      const serviceTunnelIp = source.header.serviceTunnelIp;
      const previous = this.material;
      this.material = material;
      if (material === null) {
        await this.stopServers();
        return;
      }
      const restart = previous === null || previous.ca !== material.ca || previous.certificate !== material.certificate || previous.key !== material.key || previous.tlsCrypt !== material.tlsCrypt || this.serviceTunnelIp !== serviceTunnelIp;
      this.serviceTunnelIp = serviceTunnelIp;
      if (restart) {
        await this.stopServers();
        for (const transport of ['udp', 'tcp'] as const) await this.startServer(transport);
        return;
      }
      if (previous.crl !== material.crl) for (const server of this.servers.values()) await server.instance.writeFiles({ [FILES.crl]: material.crl });
    };
    this.starting = this.starting.then(run, run);
    await this.starting;
  }

  /** Kills every connected client whose peer left the document or whose tunnel IP moved (revoke, rotate). */
  async enforce(source: PeerSource): Promise<string[]> {
    this.source = source;
    const killed: string[] = [];
    for (const server of this.servers.values()) {
      for (const client of [...server.clients.values()]) {
        const peer = servedPeer(source, client.serial);
        if (peer && peer.tunnelIp === client.tunnelIp) continue;
        server.clients.delete(client.clientId);
        killed.push(`${client.serial} (${client.tunnelIp})`);
        await server.instance.command(`client-kill ${client.clientId}`).catch((error) => this.ports.log.warn('openvpn client-kill failed', { error: errorMessage(error) }));
        await this.ports.conntrack?.flushAddress(client.tunnelIp).catch((error) => this.ports.log.warn('conntrack flush failed', { error: errorMessage(error) }));
      }
      if (killed.length > 0) await this.syncRoutes(server);
    }
    return killed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting.catch(() => {});
    await this.stopServers();
  }

  private async startServer(transport: Transport): Promise<void> {
    const material = this.material;
    const serviceTunnelIp = this.serviceTunnelIp;
    if (material === null || serviceTunnelIp === null || this.stopped) return;
    const directory = `${this.config.directory}/${transport}`;
    await this.ports.openvpn.cleanUp(directory);
    const file = (name: string) => `${directory}/${name}`;
    const config = renderGatewayOpenVpnServer({
      transport,
      port: this.config.port,
      interfaceName: this.config.interfaces[transport],
      serviceTunnelIp,
      managementSocket: `${directory}/mgmt.sock`,
      files: { ca: file(FILES.ca), cert: file(FILES.cert), key: file(FILES.key), tlsCrypt: file(FILES.tlsCrypt), crl: file(FILES.crl) },
    });
    const instance = await this.ports.openvpn.start({
      name: this.config.interfaces[transport],
      directory,
      config,
      files: { [FILES.ca]: material.ca, [FILES.cert]: material.certificate, [FILES.key]: material.key, [FILES.tlsCrypt]: material.tlsCrypt, [FILES.crl]: material.crl },
    });
    const server: Server = { transport, instance, clients: new Map(), pending: null, routes: Promise.resolve(), lastReport: [] };
    this.servers.set(transport, server);
    instance.onNotification((notification) => void this.onNotification(server, notification));
    void instance.exited.then((exit) => this.onServerEnded(server, exit));
    // real-time log lines: a handshake the CRL (or the CA) refuses is said in the gateway's log
    await instance.command('log on').catch((error) => this.ports.log.warn('openvpn log on failed', { error: errorMessage(error) }));
    // management-hold: openvpn binds its port only now, when every connect will be heard
    // (a connect that arrives before the management client is attached is never answered)
    await instance.command('hold release');
    this.ports.log.info('openvpn server started', { transport, port: this.config.port, interface: instance.name, pid: instance.pid });
  }

  /** Supervision: a server that died while wanted is started again (after a pause, so a crash loop cannot spin). */
  private async onServerEnded(server: Server, exit: { code: number | null; signal: string | null }): Promise<void> {
    if (this.servers.get(server.transport) !== server) return; // stopped on purpose
    this.servers.delete(server.transport);
    this.ports.log.error('openvpn server exited; restarting', { transport: server.transport, code: exit.code, signal: exit.signal });
    await new Promise((resolve) => setTimeout(resolve, this.ports.restartDelayMs ?? 1000));
    const restart = async () => {
      if (this.stopped || this.material === null || this.servers.has(server.transport)) return;
      await this.startServer(server.transport).catch((error) => this.ports.log.error('openvpn server restart failed', { transport: server.transport, error: errorMessage(error) }));
    };
    this.starting = this.starting.then(restart, restart);
    await this.starting;
  }

  private async stopServers(): Promise<void> {
    const servers = [...this.servers.values()];
    this.servers.clear();
    for (const server of servers) {
      await server.instance.stop();
      this.ports.log.info('openvpn server stopped', { transport: server.transport });
    }
  }

  private async onNotification(server: Server, notification: ManagementNotification): Promise<void> {
    if (notification.kind === 'other' && notification.type === 'HOLD') {
      await server.instance.command('hold release').catch((error) => this.ports.log.warn('openvpn hold release failed', { error: errorMessage(error) }));
      return;
    }
    if (notification.kind === 'log' && /VERIFY ERROR/.test(notification.value.text)) {
      this.ports.log.info('openvpn handshake refused', { transport: server.transport, reason: notification.value.text.slice(0, 200) });
      return;
    }
    if (notification.kind !== 'client') return;
    const [first = '', second = ''] = notification.args;
    switch (notification.event) {
      case 'CONNECT':
      case 'REAUTH':
        server.pending = { event: notification.event, clientId: Number(first), keyId: Number(second), env: new Map() };
        return;
      case 'ENV': {
        const pending = server.pending;
        if (pending === null) return;
        const text = notification.args.join(',');
        if (text !== 'END') {
          const at = text.indexOf('=');
          if (at > 0) pending.env.set(text.slice(0, at), text.slice(at + 1));
          return;
        }
        server.pending = null;
        await this.decide(server, pending).catch((error) => this.ports.log.error('openvpn client decision failed', { error: errorMessage(error) }));
        return;
      }
      case 'DISCONNECT': {
        if (server.clients.delete(Number(first))) await this.syncRoutes(server);
        return;
      }
      default:
        return;
    }
  }

  /** Admits a client whose certificate is an OpenVPN peer of the document, with its address and routes; denies any other. */
  private async decide(server: Server, request: { event: string; clientId: number; keyId: number; env: Map<string, string> }): Promise<void> {
    const { clientId, keyId } = request;
    const source = this.source;
    let serial: string | null = null;
    try {
      serial = normalSerial(request.env.get('tls_serial_hex_0') ?? '');
    } catch {
      serial = null;
    }
    const peer = serial === null || source === null ? undefined : servedPeer(source, serial);
    if (serial === null || peer === undefined || source === null) {
      this.ports.log.info('openvpn client refused', { transport: server.transport, serial, reason: 'no active profile with this certificate' });
      await server.instance.command(`client-deny ${clientId} ${keyId} ${managementQuoted('no active plantgate profile with this certificate')}`);
      return;
    }
    const { header } = source;
    const lines = clientPushLines({
      tunnelIp: peer.tunnelIp,
      tunnelRange: header.tunnelRange,
      serviceTunnelIp: header.serviceTunnelIp,
      mappedSpace: header.mappedSpace,
      native: source.nativeOf(peer.tunnelIp),
    });
    // Another session of the same profile (a reconnect from a new address) gives up its address.
    for (const [id, other] of server.clients) if (other.tunnelIp === peer.tunnelIp && id !== clientId) server.clients.delete(id);
    server.clients.set(clientId, { clientId, serial, tunnelIp: peer.tunnelIp });
    await this.syncRoutes(server);
    await server.instance.commandBlock(`client-auth ${clientId} ${keyId}`, request.event === 'REAUTH' ? [] : lines);
    this.ports.log.info('openvpn client admitted', { transport: server.transport, serial, tunnelIp: peer.tunnelIp, profileId: peer.profileId });
  }

  private syncRoutes(server: Server): Promise<void> {
    const run = async () => {
      const routes = [...new Set([...server.clients.values()].map((client) => `${client.tunnelIp}/32`))].sort();
      await this.ports.ip.syncRoutes(server.instance.name, routes).catch((error) => this.ports.log.error('openvpn client routes failed', { error: errorMessage(error) }));
    };
    server.routes = server.routes.then(run, run);
    return server.routes;
  }
}
