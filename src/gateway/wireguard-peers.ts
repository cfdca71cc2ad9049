import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import { comparePrefixes, memoCanonicalAddress, memoCanonicalPrefix } from '../core/net/ipv4.ts';

/**
 * The peers a gateway's two WireGuard interfaces should have, and the peer part of the
 * `wg syncconf` text that sets exactly those. The [Interface] section is left empty
 * here, so no secret passes through this pure code; the driver adds the running key
 * and port (syncconf would otherwise clear the key).
 */

export type WireGuardPeerConfig = {
  publicKey: string;
  /** Canonical, sorted. */
  allowedIps: string[];
  endpoint?: string | null;
  persistentKeepalive?: number | null;
};

/** One peer per profile; AllowedIPs exactly its tunnel IP, which is also the anti-spoofing rule. */
export function desiredUserPeers(state: Pick<GatewayDesiredState, 'peers'>): WireGuardPeerConfig[] {
  return sortPeers(
    state.peers.map((peer) => ({
      publicKey: checkedPublicKey(peer.publicKey),
      allowedIps: [`${memoCanonicalAddress(peer.tunnelIp)}/32`],
    })),
  );
}

/**
 * One peer per enrolled agent: its mapped prefixes (unique across plants, so cryptokey
 * routing never sees an overlap) and its own tunnel IP. Agents dial in, so no endpoint.
 */
export function desiredSitePeers(state: Pick<GatewayDesiredState, 'sites'>): WireGuardPeerConfig[] {
  const peers: WireGuardPeerConfig[] = [];
  for (const site of state.sites) {
    if (site.agentPublicKey === null) continue;
    const prefixes = new Set<string>(site.translations.map((translation) => memoCanonicalPrefix(translation.mapped)));
    if (site.agentTunnelIp !== null) prefixes.add(`${memoCanonicalAddress(site.agentTunnelIp)}/32`);
    peers.push({
      publicKey: checkedPublicKey(site.agentPublicKey),
      allowedIps: [...prefixes].sort(comparePrefixes),
    });
  }
  return sortPeers(peers);
}

/** Config text with exactly these peers and an empty [Interface] for the driver to fill. */
export function renderPeersConf(peers: WireGuardPeerConfig[]): string {
  const blocks = ['[Interface]\n'];
  for (const peer of peers) {
    const lines = ['[Peer]', `PublicKey = ${checkedPublicKey(peer.publicKey)}`];
    if (peer.allowedIps.length > 0) lines.push(`AllowedIPs = ${peer.allowedIps.join(', ')}`);
    if (peer.endpoint) lines.push(`Endpoint = ${peer.endpoint}`);
    if (peer.persistentKeepalive) lines.push(`PersistentKeepalive = ${peer.persistentKeepalive}`);
    blocks.push(`${lines.join('\n')}\n`);
  }
  return blocks.join('\n');
}

/** Same peer, same settings (the order of AllowedIPs does not matter). */
export function samePeerConfig(a: WireGuardPeerConfig, b: WireGuardPeerConfig): boolean {
  return (
    a.publicKey === b.publicKey &&
    [...a.allowedIps].sort().join(',') === [...b.allowedIps].sort().join(',') &&
    (a.endpoint ?? null) === (b.endpoint ?? null) &&
    (a.persistentKeepalive ?? null) === (b.persistentKeepalive ?? null)
  );
}

// A WireGuard key is 32 bytes in base64: 43 characters and one "=". Checked because it
// ends up in a config text and on a `wg set` argument list.
const PUBLIC_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export function checkedPublicKey(key: string): string {
  if (!PUBLIC_KEY.test(key)) throw new Error(`not a WireGuard public key: ${JSON.stringify(key)}`);
  return key;
}

function sortPeers(peers: WireGuardPeerConfig[]): WireGuardPeerConfig[] {
  return peers.sort((a, b) => (a.publicKey < b.publicKey ? -1 : a.publicKey > b.publicKey ? 1 : 0));
}
