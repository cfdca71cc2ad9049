import { renderHostedWireGuardSetconf } from '../core/direct-vpn/hosted-profile.ts';
import { renderWireGuardSetconf } from '../core/direct-vpn/wireguard-render.ts';
import { canonicalPrefix } from '../core/net/ipv4.ts';
import type { WireGuardUpload } from '../core/direct-vpn/wireguard-config.ts';
import type { AgentDirectVpn, AgentWireGuardVpn, DirectVpnStatusReport } from '../core/wire/daemon.ts';
import type { IpConfigDriver } from '../os/ip/ip-config-driver.ts';
import type { NetProbe } from '../os/probe/net-probe.ts';
import type { WgDump } from '../os/wireguard/wg-dump.ts';
import type { WireGuardDriver } from '../os/wireguard/wireguard-driver.ts';
import type { WireGuardPeerConfig } from '../os/wireguard/wireguard-peer.ts';
import type { HostedInterface } from './nft-ruleset.ts';
import { TunnelLog } from './tunnel-log.ts';
import type { DirectVpnApplyResult, DirectVpnTunnelRunner } from './tunnel-runner.ts';
import { wireGuardChecks, wireGuardClients, wireGuardState, wireGuardTraffic } from './wireguard-status.ts';

/**
 * Issue 9: the agent runs each enabled outgoing WireGuard direct VPN of its plant as a
 * WireGuard interface of its own (wireguard-go where there is no kernel module), configured
 * with `wg setconf` from the parsed model (renderWireGuardSetconf: AllowedIPs are the direct
 * VPN's validated subnets only), its addresses set, and only its subnets routed into it —
 * never a default route. A direct VPN that changes is rebuilt; one that leaves the document
 * (disabled, deleted) has its interface removed. One that fails is reported and left out;
 * the others still run.
 */

/** ≤ 15 characters, stable per direct VPN id: `pgv` + 8 base-36 characters of an FNV-1a hash. */
export function directVpnInterfaceName(id: string): string {
  let hash = 0x811c9dc5;
  for (const char of id) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  let second = 0x01000193;
  for (const char of id) {
    second = Math.imul(second ^ (char.codePointAt(0) ?? 0), 0x5bd1e995) >>> 0;
  }
  return `pgv${(hash.toString(36) + second.toString(36)).padEnd(8, '0').slice(0, 8)}`;
}

export function directVpnInterfaceNames(vpns: AgentDirectVpn[]): string[] {
  return vpns.map((vpn) => directVpnInterfaceName(vpn.id)).sort();
}

/** Hosted WireGuard and OpenVPN servers as the nft table needs them: interface, tunnel network, the subnets user clients may reach. */
export function hostedInterfaces(vpns: AgentDirectVpn[]): HostedInterface[] {
  return vpns.flatMap((vpn) => {
    if (vpn.protocol === 'wireguard' && vpn.direction === 'hosted' && vpn.addresses[0] !== undefined) {
      return [{ iface: directVpnInterfaceName(vpn.id), network: canonicalPrefix(vpn.addresses[0]), subnets: vpn.subnets }];
    }
    // hosted OpenVPN: its user clients (the server network) reach the site clients' subnets the same way
    if (vpn.protocol === 'openvpn' && vpn.direction === 'hosted') return [{ iface: directVpnInterfaceName(vpn.id), network: canonicalPrefix(vpn.network), subnets: vpn.subnets }];
    return [];
  });
}

/** The `wg setconf` text of one direct VPN: rendered from the model, never an upload. Holds its keys. */
export function directVpnSetconf(vpn: AgentWireGuardVpn): string {
  // hosted: the agent is the server; each client's AllowedIPs are exactly what the document says
  if (vpn.direction === 'hosted' && vpn.listenPort !== null) {
    return renderHostedWireGuardSetconf(vpn.privateKey, vpn.listenPort, vpn.peers.map((peer) => ({ publicKey: peer.publicKey, allowedIps: peer.allowedIps })));
  }
  const upload: WireGuardUpload = {
    privateKey: vpn.privateKey,
    addresses: vpn.addresses,
    listenPort: vpn.listenPort,
    mtu: vpn.mtu,
    peers: vpn.peers.map((peer, index) => ({
      publicKey: peer.publicKey,
      presharedKey: peer.presharedKey,
      endpoint: peer.endpoint,
      allowedIps: peer.allowedIps,
      persistentKeepalive: peer.persistentKeepalive,
      line: index + 1,
    })),
  } as WireGuardUpload;
  return renderWireGuardSetconf(upload, vpn.subnets);
}

export type { DirectVpnApplyResult } from './tunnel-runner.ts';

/** Diagnose checks run at most this often per tunnel while it is not connected. */
export const CHECK_EVERY_MS = 30_000;
/** A status report waits this long at most for checks under way. */
const CHECK_WAIT_MS = 3000;

type Known = { vpn: AgentWireGuardVpn; iface: string; error: string | null };

export class DirectVpnRunner implements DirectVpnTunnelRunner {
  private readonly wireguard: WireGuardDriver;
  private readonly ip: IpConfigDriver;
  private readonly probe: NetProbe | null;
  private readonly now: () => number;
  /** Interface name → the applied direct VPN (as JSON: any change rebuilds it). Memory only. */
  private readonly applied = new Map<string, { name: string; key: string; vpn?: AgentDirectVpn }>();
  /** The WireGuard direct VPNs of the last applied document: running, or failed with why. */
  private known = new Map<string, Known>();
  private readonly log = new TunnelLog();
  private readonly handshakes = new Map<string, number>();
  private readonly checks = new Map<string, { at: number; checks: DirectVpnCheckReport[]; running: Promise<void> | null }>();

  constructor(wireguard: WireGuardDriver, ip: IpConfigDriver, options: { probe?: NetProbe; now?: () => number } = {}) {
    this.wireguard = wireguard;
    this.ip = ip;
    this.probe = options.probe ?? null;
    this.now = options.now ?? Date.now;
  }

  /**
   * The direct VPNs an earlier run of the agent applied (its saved document): their interfaces
   * may still exist (crash, --keep-on-exit), so they count as applied but stale — rebuilt if
   * still wanted, removed if not.
   */
  adopt(vpns: AgentDirectVpn[]): void {
    for (const vpn of vpns) if (vpn.protocol === 'wireguard') this.applied.set(directVpnInterfaceName(vpn.id), { name: vpn.name, key: '' });
  }

  /** The interfaces this runner made (for the daemon's stop). */
  interfaces(): string[] {
    return [...this.applied.keys()].sort();
  }

  /** `observe`: check each running interface still exists (reconcile, restart) and rebuild it if not. */
  async apply(vpns: AgentDirectVpn[], observe: boolean): Promise<DirectVpnApplyResult> {
    const changes: string[] = [];
    const failed: string[] = [];
    const at = new Date(this.now()).toISOString();
    // OpenVPN direct VPNs are another runner's (tunnel-runner.ts): left out here.
    const wanted = new Map(vpns.flatMap((vpn) => (vpn.protocol === 'wireguard' ? [[directVpnInterfaceName(vpn.id), vpn] as const] : [])));
    const known = new Map<string, Known>();
    for (const [iface, entry] of [...this.applied]) {
      if (wanted.has(iface)) continue;
      await this.wireguard.deleteInterface(iface);
      this.applied.delete(iface);
      changes.push(`direct VPN ${entry.name} stopped (${iface} removed)`);
    }
    for (const [iface, vpn] of wanted) {
      const key = JSON.stringify(vpn);
      const current = this.applied.get(iface);
      const previous = this.known.get(vpn.id);
      const gone = observe && (await this.wireguard.readDump(iface)) === null;
      if (current?.key === key && !gone) {
        known.set(vpn.id, { vpn, iface, error: null });
        continue;
      }
      if (!gone && current?.vpn && onlyClientsChanged(current.vpn, vpn)) {
        // A hosted server's clients came or went: `wg syncconf` the peers, so the others keep
        // their sessions (a rebuilt server could not reach a site client until it dials again).
        try {
          await this.wireguard.syncPeers(iface, hostedPeers(vpn));
          this.applied.set(iface, { name: vpn.name, key, vpn });
          known.set(vpn.id, { vpn, iface, error: null });
          this.log.add(vpn.id, at, `clients updated on ${iface}: ${vpn.peers.length} peer(s)`);
          changes.push(`direct VPN ${vpn.name} clients updated on ${iface} (${vpn.peers.length} peer(s))`);
          continue;
        } catch {
          // rebuilt whole below
        }
      }
      const restarted = previous !== undefined && previous.vpn.restartGeneration !== vpn.restartGeneration;
      try {
        await this.start(iface, vpn);
        this.applied.set(iface, { name: vpn.name, key, vpn });
        known.set(vpn.id, { vpn, iface, error: null });
        this.handshakes.delete(vpn.id);
        this.checks.delete(vpn.id);
        // a (re)built tunnel starts over: connecting until its first handshake
        this.log.track(vpn.id, 'connecting', at);
        const what = restarted ? 'restarted' : current ? 'rebuilt' : 'started';
        this.log.add(vpn.id, at, `${what} on ${iface}: ${vpn.peers.length} peer(s)${vpn.peers[0]?.endpoint ? ` (${vpn.peers[0].endpoint})` : ''}, routes ${vpn.subnets.join(', ')}`);
        changes.push(`direct VPN ${vpn.name} ${what} on ${iface} (${vpn.subnets.join(', ')})`);
      } catch (error) {
        this.applied.delete(iface);
        await this.wireguard.deleteInterface(iface).catch(() => {});
        const reason = shortError(error);
        known.set(vpn.id, { vpn, iface, error: reason });
        this.log.add(vpn.id, at, `failed to start: ${reason}`);
        failed.push(`direct VPN ${vpn.name} not started: ${reason}`);
      }
    }
    this.known = known;
    this.log.forget(new Set(known.keys()));
    for (const id of [...this.checks.keys()]) if (!known.has(id)) this.checks.delete(id);
    return { changes, failed };
  }

  /** D7: state, since, traffic, clients (hosted), recent log lines and — while not connected — diagnose checks. */
  async status(nowMs: number): Promise<DirectVpnStatusReport[]> {
    const at = new Date(nowMs).toISOString();
    const reports: DirectVpnStatusReport[] = [];
    for (const { vpn, iface, error } of this.known.values()) {
      const dump = error ? null : await this.wireguard.readDump(iface);
      const state = wireGuardState(dump, nowMs);
      this.noteHandshake(vpn.id, dump, at);
      const since = this.log.track(vpn.id, state, at, state === 'down' ? (error ?? `${iface} is gone`) : '');
      const traffic = wireGuardTraffic(dump);
      reports.push({
        id: vpn.id,
        state,
        since,
        bytesIn: traffic.bytesIn,
        bytesOut: traffic.bytesOut,
        ...(vpn.direction === 'hosted' ? { clients: wireGuardClients(dump, nowMs) } : {}),
        logs: this.log.recent(vpn.id),
        checks: state === 'connected' ? [] : await this.checksOf(vpn, iface, dump, error, nowMs),
      });
    }
    return reports;
  }

  /** Waits for diagnose checks under way (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.checks.values()].map((entry) => entry.running));
  }

  /**
   * The last checks; a new run when they are older than CHECK_EVERY_MS. The report waits for a
   * new run at most CHECK_WAIT_MS (then it goes with the previous checks and the new ones
   * follow with the next report), so diagnose is ready one report after a tunnel goes down.
   */
  private async checksOf(vpn: AgentWireGuardVpn, iface: string, dump: WgDump | null, error: string | null, nowMs: number): Promise<DirectVpnCheckReport[]> {
    const entry = this.checks.get(vpn.id) ?? { at: -Infinity, checks: [], running: null };
    this.checks.set(vpn.id, entry);
    if (this.probe && entry.running === null && nowMs - entry.at >= CHECK_EVERY_MS) {
      entry.at = nowMs;
      entry.running = wireGuardChecks(vpn, iface, dump, error, { probe: this.probe, ip: this.ip }, nowMs)
        .then((checks) => {
          entry.checks = checks.slice(0, 32).map((c) => ({ check: c.check.slice(0, 64), ok: c.ok, detail: c.detail.slice(0, 400), fix: c.fix?.slice(0, 400) ?? null }));
        })
        .catch(() => undefined)
        .finally(() => {
          entry.running = null;
        });
      const started = entry.running;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([started, new Promise<void>((resolve) => (timer = setTimeout(resolve, CHECK_WAIT_MS)))]);
      clearTimeout(timer);
    }
    return entry.checks;
  }

  /** Logs a peer's first handshake and a handshake after a silence (wireguard-go logs nothing the agent keeps). */
  private noteHandshake(id: string, dump: WgDump | null, at: string): void {
    const latest = Math.max(0, ...(dump?.peers ?? []).map((peer) => peer.latestHandshake));
    const before = this.handshakes.get(id) ?? 0;
    if (latest > before) {
      if (before === 0 || latest - before > 180) {
        const peer = dump?.peers.find((p) => p.latestHandshake === latest);
        this.log.add(id, at, `handshake with ${peer?.endpoint ?? 'a peer'}${before === 0 ? ' (first since start)' : ` after ${latest - before} s without one`}`);
      }
      this.handshakes.set(id, latest);
    }
  }

  private async start(iface: string, vpn: AgentWireGuardVpn): Promise<void> {
    const config = directVpnSetconf(vpn);
    // Whatever an earlier run left under this name is replaced whole.
    await this.wireguard.deleteInterface(iface);
    await this.wireguard.createInterface({
      name: iface,
      privateKey: vpn.privateKey,
      listenPort: vpn.listenPort,
      addresses: [],
      routes: [],
      ...(vpn.mtu ? { mtu: vpn.mtu } : {}),
    });
    await this.wireguard.setConf(iface, config);
    // IPv4 only, like plant subnets (the ip driver compares inet addresses)
    await this.ip.syncAddresses(iface, vpn.addresses.filter((address) => !address.includes(':')));
    await this.ip.syncRoutes(iface, vpn.subnets);
  }
}

/** Both the same hosted WireGuard server, only its client peers differ. */
export function onlyClientsChanged(before: AgentDirectVpn, after: AgentWireGuardVpn): boolean {
  if (before.protocol !== 'wireguard' || before.direction !== 'hosted' || after.direction !== 'hosted') return false;
  return JSON.stringify({ ...before, peers: [] }) === JSON.stringify({ ...after, peers: [] });
}

/** A hosted server's peers as `wg syncconf` takes them: no endpoint (clients dial in), exactly their AllowedIPs. */
function hostedPeers(vpn: AgentWireGuardVpn): WireGuardPeerConfig[] {
  return vpn.peers.map((peer) => ({ publicKey: peer.publicKey, allowedIps: [...peer.allowedIps].map((ip) => canonicalPrefix(ip)).sort(), endpoint: null, persistentKeepalive: null }));
}

type DirectVpnCheckReport = NonNullable<DirectVpnStatusReport['checks']>[number];

function shortError(error: unknown): string {
  // Never the config text: errors of the drivers carry program, arguments and stderr only.
  const text = error instanceof Error ? ((error as Error & { stderr?: string }).stderr?.trim() || error.message) : String(error);
  return text.split('\n').slice(-1)[0].slice(0, 300);
}
