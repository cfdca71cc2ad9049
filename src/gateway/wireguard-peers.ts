import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import { checkedPublicKey, type WireGuardPeerConfig } from '../os/wireguard/wireguard-peer.ts';
import { comparePrefixes, memoCanonicalAddress, memoCanonicalPrefix } from '../core/net/ipv4.ts';

/** The peers a gateway's two WireGuard interfaces should have (rendered by src/os/wireguard/wireguard-peer.ts). */

/**
 * Whether this gateway takes the peer: personal profiles work in every region (SPEC P8); an
 * organization VPN client only in its VPN's region (O1). The document carries every region's
 * clients (one document for all regions keeps the deltas shared); the allowed and native
 * elements of another region's client stay inert here, as no peer here owns that tunnel IP.
 */
export function peerInRegion(peer: { region?: string | undefined }, region: string | null | undefined): boolean {
  return peer.region === undefined || region === null || region === undefined || peer.region === region;
}

/** One peer per profile (and organization VPN client of this region); AllowedIPs exactly its tunnel IP, which is also the anti-spoofing rule. */
export function desiredUserPeers(state: Pick<GatewayDesiredState, 'peers'> & { region?: string }): WireGuardPeerConfig[] {
  return sortPeers(
    state.peers.filter((peer) => peerInRegion(peer, state.region)).map((peer) => ({
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

function sortPeers(peers: WireGuardPeerConfig[]): WireGuardPeerConfig[] {
  return peers.sort((a, b) => (a.publicKey < b.publicKey ? -1 : a.publicKey > b.publicKey ? 1 : 0));
}

