import { isHostPort } from '../net/host-port.ts';
import { parseCidr } from '../net/ipv4.ts';
import { hasControlCharacter } from './unsafe-characters.ts';
import { isWireGuardKey } from './wireguard-key.ts';

/**
 * Renders a complete WireGuard configuration file in the format `wg-quick` and the
 * official apps read. The private key is an argument: this runs on the user's device
 * (CLI or browser), never on the server.
 *
 * wg-quick runs `PostUp` and friends as root, so one line break inside a value is code
 * execution. Callers validate what the control plane sent; this refuses it again
 * (defence in depth) rather than write a file it cannot vouch for.
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

export class UnsafeWireGuardValueError extends Error {
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}; refusing to write a WireGuard config with it`);
    this.field = field;
  }
}

export function renderWireGuardConf(conf: WireGuardConf): string {
  checkWireGuardConf(conf);
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

/** Throws UnsafeWireGuardValueError naming the first value that is not in its strict format. */
export function checkWireGuardConf(conf: WireGuardConf): void {
  conf.comments?.forEach((c, i) => {
    if (hasControlCharacter(c)) throw new UnsafeWireGuardValueError(`comments[${i}]`, 'contains a control character');
  });
  if (!isWireGuardKey(conf.privateKey)) throw new UnsafeWireGuardValueError('privateKey', 'is not a WireGuard key');
  conf.addresses.forEach((a, i) => {
    if (!parseCidr(a).ok) throw new UnsafeWireGuardValueError(`addresses[${i}]`, `${JSON.stringify(a)} is not an IPv4 CIDR`);
  });
  if (conf.listenPort !== undefined && !(Number.isInteger(conf.listenPort) && conf.listenPort >= 1 && conf.listenPort <= 65535)) {
    throw new UnsafeWireGuardValueError('listenPort', 'is not a port 1–65535');
  }
  conf.peers.forEach((peer, p) => {
    if (!isWireGuardKey(peer.publicKey))
      throw new UnsafeWireGuardValueError(`peers[${p}].publicKey`, `${JSON.stringify(peer.publicKey)} is not a WireGuard key`);
    if (peer.endpoint !== undefined && !isHostPort(peer.endpoint)) {
      throw new UnsafeWireGuardValueError(`peers[${p}].endpoint`, `${JSON.stringify(peer.endpoint)} is not HOST:PORT`);
    }
    peer.allowedIps.forEach((a, i) => {
      if (!parseCidr(a).ok) throw new UnsafeWireGuardValueError(`peers[${p}].allowedIps[${i}]`, `${JSON.stringify(a)} is not an IPv4 CIDR`);
    });
    const keepalive = peer.persistentKeepalive;
    if (keepalive !== undefined && !(Number.isInteger(keepalive) && keepalive >= 0 && keepalive <= 65535)) {
      throw new UnsafeWireGuardValueError(`peers[${p}].persistentKeepalive`, 'is not 0–65535');
    }
  });
}
