/**
 * Renders a complete WireGuard configuration file in the format `wg-quick` and the
 * official apps read. The private key is an argument: this runs on the user's device
 * (CLI or browser), never on the server.
 */
export type WireGuardPeerConf = {
  publicKey: string;
  endpoint?: string;
  allowedIps: string[];
  persistentKeepalive?: number;
};

export type WireGuardConf = {
  privateKey: string;
  addresses: string[];
  listenPort?: number;
  peers: WireGuardPeerConf[];
  /** Comment lines placed at the top (no secrets). */
  comments?: string[];
};

export function renderWireGuardConf(conf: WireGuardConf): string {
  const lines: string[] = [];
  for (const comment of conf.comments ?? []) lines.push(`# ${comment}`);
  lines.push('[Interface]', `PrivateKey = ${conf.privateKey}`, `Address = ${conf.addresses.join(', ')}`);
  if (conf.listenPort !== undefined) lines.push(`ListenPort = ${conf.listenPort}`);
  for (const peer of conf.peers) {
    lines.push('', '[Peer]', `PublicKey = ${peer.publicKey}`);
    if (peer.endpoint) lines.push(`Endpoint = ${peer.endpoint}`);
    lines.push(`AllowedIPs = ${peer.allowedIps.join(', ')}`);
    if (peer.persistentKeepalive !== undefined) lines.push(`PersistentKeepalive = ${peer.persistentKeepalive}`);
  }
  return `${lines.join('\n')}\n`;
}
