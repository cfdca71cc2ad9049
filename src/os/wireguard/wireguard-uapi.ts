import { createConnection } from 'node:net';
import { checkedPublicKey, type WireGuardPeerConfig } from './wireguard-peer.ts';
import type { PeerChanges } from './wireguard-driver.ts';

/**
 * Peer changes written straight to wireguard-go's control socket (the cross-platform
 * UAPI, what `wg set` itself writes there), instead of starting `ip netns exec … wg set`.
 * Why (bench/RESULTS.md "Issue 6 — B4 tail"): the process start from a daemon holding a
 * 100,000-element view was most of a peer change (7 ms p50, up to 90 ms under load), the
 * socket exchange is well under a millisecond.
 *
 * Only for what can be said exactly as `wg set` says it: keys, CIDRs, literal endpoints
 * and keepalives are checked here, and anything else (an endpoint that needs a name
 * lookup) returns null, so the caller runs `wg set` as before. Nothing secret goes here.
 */

const CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:]+)\/\d{1,3}$/;
const LITERAL_ENDPOINT = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

/** The `set=1` request for these changes, or null when one of them needs `wg set`. */
export function renderUapiPeerChanges(changes: PeerChanges): string | null {
  const lines = ['set=1'];
  // Removals first, as changePeers does with `wg set`: a rotated key gives its IP back.
  for (const key of changes.remove) lines.push(`public_key=${keyHex(key)}`, 'remove=true');
  for (const peer of changes.upsert) {
    const peerLines = uapiPeer(peer);
    if (peerLines === null) return null;
    lines.push(...peerLines);
  }
  return `${lines.join('\n')}\n\n`;
}

function uapiPeer(peer: WireGuardPeerConfig): string[] | null {
  if (!peer.allowedIps.every((cidr) => CIDR.test(cidr))) return null;
  // `wg set … allowed-ips` replaces the whole list: so does replace_allowed_ips.
  const lines = [`public_key=${keyHex(peer.publicKey)}`, 'replace_allowed_ips=true', ...peer.allowedIps.map((cidr) => `allowed_ip=${cidr}`)];
  if (peer.endpoint) {
    if (!LITERAL_ENDPOINT.test(peer.endpoint)) return null;
    lines.push(`endpoint=${peer.endpoint}`);
  }
  if (peer.persistentKeepalive) {
    if (!Number.isInteger(peer.persistentKeepalive) || peer.persistentKeepalive < 1 || peer.persistentKeepalive > 65535) return null;
    lines.push(`persistent_keepalive_interval=${peer.persistentKeepalive}`);
  }
  return lines;
}

function keyHex(key: string): string {
  return Buffer.from(checkedPublicKey(key), 'base64').toString('hex');
}

/**
 * Sends one request; resolves 'done' on `errno=0`, 'unavailable' when nothing listens on
 * the socket (no such file, refused: kernel WireGuard, or the daemon is gone; `wg` will
 * say which), and rejects on any other answer, an error after connecting, or the timeout.
 */
export function uapiRequest(socketPath: string, request: string, timeoutMs: number): Promise<'done' | 'unavailable'> {
  return new Promise((resolve, reject) => {
    let answer = '';
    let connected = false;
    let settled = false;
    const socket = createConnection(socketPath);
    const finish = (outcome: 'done' | 'unavailable' | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => finish(new Error(`${socketPath}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      socket.write(request);
    });
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (!answer.includes('\n\n')) return;
      const errno = /^errno=(-?\d+)$/m.exec(answer)?.[1];
      if (errno === '0') finish('done');
      else finish(new Error(`${socketPath}: wireguard-go refused the peer change (errno=${errno ?? '?'})`));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected && (error.code === 'ENOENT' || error.code === 'ECONNREFUSED')) finish('unavailable');
      else finish(error);
    });
    socket.on('close', () => finish(new Error(`${socketPath}: closed before answering`)));
  });
}
