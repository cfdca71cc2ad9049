/**
 * One WireGuard peer as plantgate hands it to `wg` (and reads it back from a dump), and
 * the peer part of the `wg syncconf` text. The [Interface] section is left empty here, so
 * no secret passes through this pure code; the driver adds the running key and port
 * (syncconf would otherwise clear the key). Shared by gateway, agent and direct VPNs.
 */

export type WireGuardPeerConfig = {
  publicKey: string;
  /** Canonical, sorted. */
  allowedIps: string[];
  endpoint?: string | null;
  persistentKeepalive?: number | null;
};

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
