import { isHostPort } from '../net/host-port.ts';
import { isWireGuardKey } from '../render/wireguard-key.ts';
import { formatPrefix, isDefaultRoute, type IpPrefix, parsePrefix, prefixContains } from './ip-prefix.ts';
import type { WireGuardUpload } from './wireguard-config.ts';

/**
 * The agent's `wg setconf` text for an outgoing WireGuard direct VPN, rendered from the
 * parsed model (never the upload). AllowedIPs are the direct VPN's validated subnets only:
 * with one peer it carries them all; with several, each subnet goes to the peer whose
 * uploaded AllowedIPs contain it, else to the first peer with an Endpoint. The interface's
 * addresses and MTU are not part of this text: the agent sets them through the ip driver.
 */
export function renderWireGuardSetconf(config: WireGuardUpload, subnets: string[]): string {
  const perPeer = allowedIpsPerPeer(config.peers, subnets);

  const lines = ['[Interface]', `PrivateKey = ${checkedKey(config.privateKey)}`];
  if (config.listenPort !== null) lines.push(`ListenPort = ${checkedInteger(config.listenPort, 1, 65535)}`);
  config.peers.forEach((peer, index) => {
    lines.push('', '[Peer]', `PublicKey = ${checkedKey(peer.publicKey)}`);
    if (peer.presharedKey !== null) lines.push(`PresharedKey = ${checkedKey(peer.presharedKey)}`);
    if (peer.endpoint !== null) {
      if (!isHostPort(peer.endpoint)) throw new Error('endpoint is not HOST:PORT');
      lines.push(`Endpoint = ${peer.endpoint}`);
    }
    const allowed = perPeer[index] ?? [];
    if (allowed.length > 0) lines.push(`AllowedIPs = ${allowed.join(', ')}`);
    if (peer.persistentKeepalive !== null) lines.push(`PersistentKeepalive = ${checkedInteger(peer.persistentKeepalive, 1, 65535)}`);
  });
  return `${lines.join('\n')}\n`;
}

/** The direct VPN's subnets split over the peers (see renderWireGuardSetconf); throws on a non-canonical or default route. */
export function allowedIpsPerPeer(peers: Array<{ endpoint: string | null; allowedIps: string[] }>, subnets: string[]): string[][] {
  const prefixes = subnets.map(checkedSubnet);
  const dialing = peers.findIndex((peer) => peer.endpoint !== null);
  const owner = (subnet: IpPrefix): number => {
    if (peers.length === 1) return 0;
    const index = peers.findIndex((peer) =>
      peer.allowedIps.some((text) => {
        const parsed = parsePrefix(text);
        return parsed.ok && prefixContains(parsed.prefix, subnet);
      }),
    );
    return index >= 0 ? index : Math.max(dialing, 0);
  };
  const perPeer = peers.map(() => [] as string[]);
  for (const prefix of prefixes) perPeer[owner(prefix)]?.push(formatPrefix(prefix));
  return perPeer;
}

/** A subnet handed to a renderer: canonical, never a default route (D5), else a bug upstream. */
export function checkedSubnet(text: string): IpPrefix {
  const parsed = parsePrefix(text);
  if (!parsed.ok || parsed.hostBits || formatPrefix(parsed.prefix) !== text) throw new Error(`not a canonical CIDR: ${JSON.stringify(text)}`);
  if (isDefaultRoute(parsed.prefix)) throw new Error(`a default route is never rendered: ${text}`);
  return parsed.prefix;
}

function checkedKey(key: string): string {
  if (!isWireGuardKey(key)) throw new Error('not a WireGuard key');
  return key;
}

function checkedInteger(value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`not an integer ${min}–${max}: ${value}`);
  return value;
}
