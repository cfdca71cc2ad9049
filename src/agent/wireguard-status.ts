import { wireGuardPublicKey } from '../crypto/wireguard-keys.ts';
import { isConnected } from '../daemon/peer-status.ts';
import type { AgentWireGuardVpn, DirectVpnStatusReport } from '../core/wire/daemon.ts';
import type { IpConfigDriver } from '../os/ip/ip-config-driver.ts';
import type { NetProbe } from '../os/probe/net-probe.ts';
import type { WgDump } from '../os/wireguard/wg-dump.ts';
import { type Check, endpointChecks } from './endpoint-checks.ts';
import type { TunnelState } from './tunnel-log.ts';

/**
 * D7 for a WireGuard direct VPN, from its `wg show dump`: connected = a handshake with a
 * peer within the last 3 minutes (WireGuard re-handshakes every 2 while traffic flows or a
 * keepalive is set), connecting = the interface is up without one, down = not running.
 * Diagnose checks say what was looked at and, when it is wrong, what to fix.
 */

type Client = NonNullable<DirectVpnStatusReport['clients']>[number];

export function wireGuardState(dump: WgDump | null, nowMs: number): TunnelState {
  if (!dump) return 'down';
  return dump.peers.some((peer) => isConnected(peer.latestHandshake, nowMs)) ? 'connected' : 'connecting';
}

export function wireGuardTraffic(dump: WgDump | null): { bytesIn: number; bytesOut: number } {
  let bytesIn = 0;
  let bytesOut = 0;
  for (const peer of dump?.peers ?? []) {
    bytesIn += peer.rxBytes;
    bytesOut += peer.txBytes;
  }
  return { bytesIn, bytesOut };
}

/** A hosted server's clients (its peers), the most recently seen first, at most 256. */
export function wireGuardClients(dump: WgDump | null, nowMs: number): Client[] {
  return [...(dump?.peers ?? [])]
    .sort((a, b) => b.latestHandshake - a.latestHandshake)
    .slice(0, 256)
    .map((peer) => ({
      client: peer.publicKey,
      connected: isConnected(peer.latestHandshake, nowMs),
      endpoint: peer.endpoint?.slice(0, 100) ?? null,
      bytesIn: peer.rxBytes,
      bytesOut: peer.txBytes,
      lastSeen: peer.latestHandshake > 0 ? new Date(peer.latestHandshake * 1000).toISOString() : null,
    }));
}

/** `host:port` / `[v6]:port` → its parts, or null. */
export function splitEndpoint(endpoint: string): { host: string; port: number } | null {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(endpoint.trim());
  if (!match) return null;
  return { host: match[1] ?? match[2], port: Number(match[3]) };
}

export type CheckPorts = { probe: NetProbe; ip: IpConfigDriver; timeoutMs?: number };

/** The checks of a WireGuard direct VPN that is not connected (bounded: one resolve, one ping per peer). */
export async function wireGuardChecks(vpn: AgentWireGuardVpn, iface: string, dump: WgDump | null, startError: string | null, ports: CheckPorts, nowMs: number): Promise<Check[]> {
  const timeoutMs = ports.timeoutMs ?? 2000;
  const checks: Check[] = [];
  if (!dump) {
    checks.push({
      check: 'tunnel-running',
      ok: false,
      detail: startError ? `the tunnel did not start: ${startError}` : `interface ${iface} does not exist`,
      fix: 'read the logs for why it failed; correct the configuration (edit, or upload a corrected file) and restart it',
    });
  }
  checks.push(keyCheck(vpn, dump));
  if (vpn.direction === 'outgoing') {
    for (const peer of vpn.peers.slice(0, 4)) {
      const endpoint = peer.endpoint ? splitEndpoint(peer.endpoint) : null;
      if (!endpoint) {
        checks.push({ check: 'endpoint', ok: false, detail: 'this peer has no endpoint: the agent cannot dial it', fix: "add the router's Endpoint (HOST:PORT) to the config" });
        continue;
      }
      const reached = await endpointChecks({ ...endpoint, transport: 'udp' }, ports.probe, timeoutMs);
      checks.push(...reached.checks);
      if (reached.address === null) continue;
      const dumped = dump?.peers.find((p) => p.publicKey === peer.publicKey);
      checks.push(handshakeCheck(dumped, `${endpoint.host}:${endpoint.port}`, nowMs, vpn));
    }
  } else {
    const seen = (dump?.peers ?? []).filter((p) => p.latestHandshake > 0).length;
    checks.push(
      seen > 0
        ? { check: 'handshake', ok: true, detail: `${seen} client(s) completed a handshake`, fix: null }
        : {
            check: 'handshake',
            ok: false,
            detail: `no client has completed a handshake on UDP port ${vpn.listenPort ?? '?'}`,
            fix: `check that the router dials this server's address and port ${vpn.listenPort ?? ''}, that the port is forwarded to the agent, and that the router uses the profile it was given`,
          },
    );
  }
  if (dump) {
    const routes = await ports.ip.routesOf(iface);
    const missing = vpn.subnets.filter((subnet) => !routes.includes(subnet));
    checks.push(
      missing.length === 0
        ? { check: 'routes', ok: true, detail: `${vpn.subnets.join(', ')} routed into ${iface}`, fix: null }
        : { check: 'routes', ok: false, detail: `${missing.join(', ')} not routed into ${iface}`, fix: 'restart the direct VPN (its routes are set again)' },
    );
  }
  return checks;
}

function keyCheck(vpn: AgentWireGuardVpn, dump: WgDump | null): Check {
  let own: string;
  try {
    own = wireGuardPublicKey(vpn.privateKey);
  } catch {
    return { check: 'key-pair', ok: false, detail: "the agent side's private key is not a WireGuard key", fix: 'upload a config whose [Interface] PrivateKey is a valid key' };
  }
  if (vpn.peers.some((peer) => peer.publicKey === own)) {
    return { check: 'key-pair', ok: false, detail: "a peer has the agent side's own public key", fix: "the [Peer] PublicKey must be the router's key, not the agent's: correct the config" };
  }
  if (dump && dump.interface.publicKey !== own) {
    return { check: 'key-pair', ok: false, detail: "the interface's key is not the configured one", fix: 'restart the direct VPN' };
  }
  return { check: 'key-pair', ok: true, detail: `the agent side's public key is ${own}`, fix: null };
}

function handshakeCheck(peer: WgDump['peers'][number] | undefined, where: string, nowMs: number, vpn: AgentWireGuardVpn): Check {
  if (!peer || peer.latestHandshake === 0) {
    const own = safePublicKey(vpn.privateKey);
    return {
      check: 'handshake',
      ok: false,
      detail: `no handshake with ${where} yet (sent ${peer?.txBytes ?? 0} bytes, received ${peer?.rxBytes ?? 0})`,
      fix: `the router does not answer on UDP ${where}: check its WireGuard port is open and forwarded, that the config's [Peer] PublicKey is the router's, and that the router lists the agent's public key${own ? ` ${own}` : ''} as a peer`,
    };
  }
  const age = Math.max(0, Math.round(nowMs / 1000 - peer.latestHandshake));
  if (isConnected(peer.latestHandshake, nowMs)) return { check: 'handshake', ok: true, detail: `last handshake with ${where} ${age} s ago`, fix: null };
  return {
    check: 'handshake',
    ok: false,
    detail: `the last handshake with ${where} was ${age} s ago`,
    fix: 'the router stopped answering: check that it is on and still has the agent as a peer; restart the direct VPN',
  };
}

function safePublicKey(privateKey: string): string | null {
  try {
    return wireGuardPublicKey(privateKey);
  } catch {
    return null;
  }
}
