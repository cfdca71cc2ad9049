import type { PeerStatus } from '../core/wire/daemon.ts';
import type { WgDump } from '../os/wireguard/wg-dump.ts';

/** The peers of a `wg show dump`, as a status report carries them. */
export function peerStatuses(dump: WgDump | null): PeerStatus[] {
  return (dump?.peers ?? []).map((peer) => ({
    publicKey: peer.publicKey,
    endpoint: peer.endpoint,
    latestHandshake: peer.latestHandshake,
    rxBytes: peer.rxBytes,
    txBytes: peer.txBytes,
  }));
}

/** WireGuard re-handshakes every 2 minutes while traffic flows; a peer without one for 3 minutes is not connected. */
export const CONNECTED_HANDSHAKE_SECONDS = 180;

export function isConnected(latestHandshake: number, nowMs: number): boolean {
  return latestHandshake > 0 && nowMs / 1000 - latestHandshake <= CONNECTED_HANDSHAKE_SECONDS;
}
