import { renderHostedWireGuardSetconf } from '../core/direct-vpn/hosted-profile.ts';
import { renderWireGuardSetconf } from '../core/direct-vpn/wireguard-render.ts';
import { canonicalPrefix } from '../core/net/ipv4.ts';
import type { WireGuardUpload } from '../core/direct-vpn/wireguard-config.ts';
import type { AgentDirectVpn, AgentWireGuardVpn } from '../core/wire/daemon.ts';
import type { IpConfigDriver } from '../os/ip/ip-config-driver.ts';
import type { WireGuardDriver } from '../os/wireguard/wireguard-driver.ts';
import type { WireGuardPeerConfig } from '../os/wireguard/wireguard-peer.ts';
import type { HostedInterface } from './nft-ruleset.ts';

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

/** Hosted WireGuard servers as the nft table needs them: interface, tunnel network, the subnets user clients may reach. */
export function hostedInterfaces(vpns: AgentDirectVpn[]): HostedInterface[] {
  return vpns.flatMap((vpn) =>
    vpn.protocol === 'wireguard' && vpn.direction === 'hosted' && vpn.addresses[0] !== undefined
      ? [{ iface: directVpnInterfaceName(vpn.id), network: canonicalPrefix(vpn.addresses[0]), subnets: vpn.subnets }]
      : [],
  );
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

export type DirectVpnApplyResult = { changes: string[]; failed: string[] };

export class DirectVpnRunner {
  private readonly wireguard: WireGuardDriver;
  private readonly ip: IpConfigDriver;
  /** Interface name → the applied direct VPN (as JSON: any change rebuilds it). Memory only. */
  private readonly applied = new Map<string, { name: string; key: string; vpn?: AgentDirectVpn }>();

  constructor(wireguard: WireGuardDriver, ip: IpConfigDriver) {
    this.wireguard = wireguard;
    this.ip = ip;
  }

  /**
   * The direct VPNs an earlier run of the agent applied (its saved document): their interfaces
   * may still exist (crash, --keep-on-exit), so they count as applied but stale — rebuilt if
   * still wanted, removed if not.
   */
  adopt(vpns: AgentDirectVpn[]): void {
    for (const vpn of vpns) this.applied.set(directVpnInterfaceName(vpn.id), { name: vpn.name, key: '' });
  }

  /** The interfaces this runner made (for the daemon's stop). */
  interfaces(): string[] {
    return [...this.applied.keys()].sort();
  }

  /** `observe`: check each running interface still exists (reconcile, restart) and rebuild it if not. */
  async apply(vpns: AgentDirectVpn[], observe: boolean): Promise<DirectVpnApplyResult> {
    const changes: string[] = [];
    const failed: string[] = [];
    // OpenVPN direct VPNs are not run by this runner (yet): they are left out here.
    const wanted = new Map(vpns.flatMap((vpn) => (vpn.protocol === 'wireguard' ? [[directVpnInterfaceName(vpn.id), vpn] as const] : [])));
    for (const [iface, entry] of [...this.applied]) {
      if (wanted.has(iface)) continue;
      await this.wireguard.deleteInterface(iface);
      this.applied.delete(iface);
      changes.push(`direct VPN ${entry.name} stopped (${iface} removed)`);
    }
    for (const [iface, vpn] of wanted) {
      const key = JSON.stringify(vpn);
      const current = this.applied.get(iface);
      const gone = observe && (await this.wireguard.readDump(iface)) === null;
      if (current?.key === key && !gone) continue;
      if (!gone && current?.vpn && onlyClientsChanged(current.vpn, vpn)) {
        // A hosted server's clients came or went: `wg syncconf` the peers, so the others keep
        // their sessions (a rebuilt server could not reach a site client until it dials again).
        try {
          await this.wireguard.syncPeers(iface, hostedPeers(vpn));
          this.applied.set(iface, { name: vpn.name, key, vpn });
          changes.push(`direct VPN ${vpn.name} clients updated on ${iface} (${vpn.peers.length} peer(s))`);
          continue;
        } catch {
          // rebuilt whole below
        }
      }
      try {
        await this.start(iface, vpn);
        this.applied.set(iface, { name: vpn.name, key, vpn });
        changes.push(`direct VPN ${vpn.name} ${current ? 'rebuilt' : 'started'} on ${iface} (${vpn.subnets.join(', ')})`);
      } catch (error) {
        this.applied.delete(iface);
        await this.wireguard.deleteInterface(iface).catch(() => {});
        failed.push(`direct VPN ${vpn.name} not started: ${shortError(error)}`);
      }
    }
    return { changes, failed };
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

function shortError(error: unknown): string {
  // Never the config text: errors of the drivers carry program, arguments and stderr only.
  const text = error instanceof Error ? ((error as Error & { stderr?: string }).stderr?.trim() || error.message) : String(error);
  return text.split('\n').slice(-1)[0].slice(0, 300);
}
