import { canonicalPrefix } from '../../core/net/ipv4.ts';

/**
 * Parses `wg show IFNAME dump` (tab-separated; first line the interface, then one line
 * per peer). The interface's private key is the first field of that output: it is
 * dropped here and never stored, returned or logged.
 */

export type WgInterfaceDump = {
  publicKey: string;
  listenPort: number;
  /** null when wg prints "off". */
  fwmark: number | null;
};

export type WgPeerDump = {
  publicKey: string;
  /** Only whether one is set: the key itself is a secret. */
  hasPresharedKey: boolean;
  /** "ip:port" as last seen, null before the first handshake of a roaming peer. */
  endpoint: string | null;
  /** Canonical IPv4 prefixes (IPv6 entries kept as wg printed them), sorted as printed. */
  allowedIps: string[];
  /** Seconds since the epoch; 0 means no handshake yet. */
  latestHandshake: number;
  rxBytes: number;
  txBytes: number;
  /** Seconds, or null when wg prints "off". */
  persistentKeepalive: number | null;
};

export type WgDump = { interface: WgInterfaceDump; peers: WgPeerDump[] };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export function parseWgDump(text: string): ParseResult<WgDump> {
  const lines = text.split('\n').filter((line) => line.length > 0);
  if (lines.length === 0) return { ok: false, reason: 'empty dump' };
  const head = lines[0].split('\t');
  if (head.length !== 4) return { ok: false, reason: `interface line has ${head.length} fields, expected 4` };
  // head[0] is the private key: deliberately not read.
  const iface: WgInterfaceDump = {
    publicKey: head[1],
    listenPort: Number(head[2]),
    fwmark: head[3] === 'off' ? null : Number(head[3]),
  };
  if (!Number.isInteger(iface.listenPort)) return { ok: false, reason: 'listen port is not a number' };
  const peers: WgPeerDump[] = [];
  for (let index = 1; index < lines.length; index++) {
    const fields = lines[index].split('\t');
    if (fields.length !== 8) {
      return { ok: false, reason: `peer line ${index} has ${fields.length} fields, expected 8` };
    }
    const [publicKey, presharedKey, endpoint, allowedIps, handshake, rx, tx, keepalive] = fields;
    peers.push({
      publicKey,
      hasPresharedKey: presharedKey !== '(none)',
      endpoint: endpoint === '(none)' ? null : endpoint,
      allowedIps: allowedIps === '(none)' ? [] : allowedIps.split(',').map(normaliseAllowedIp),
      latestHandshake: Number(handshake),
      rxBytes: Number(rx),
      txBytes: Number(tx),
      persistentKeepalive: keepalive === 'off' ? null : Number(keepalive),
    });
  }
  return { ok: true, value: { interface: iface, peers } };
}

function normaliseAllowedIp(entry: string): string {
  return entry.includes(':') ? entry : canonicalPrefix(entry);
}
