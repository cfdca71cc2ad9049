import type { OpenVpnServerClient } from '../direct-vpn/openvpn-management.ts';
import type { PeerStatus } from '../wire/daemon.ts';
import { openVpnPeerId } from './profile-certificate.ts';

/** A client the gateway admitted (its management client id and its certificate serial). */
export type AdmittedClient = { clientId: number; serial: string };

/**
 * SPEC P7 for OpenVPN profiles: the gateway's connected OpenVPN clients (`status 3` rows)
 * as status-report peers, keyed like the profile's peer (`openvpn:<serial>`), so the
 * control plane derives their sessions as it does for WireGuard peers. Only clients the
 * gateway admitted count (a row still in its TLS handshake, or one that was refused, has no
 * profile). OpenVPN has no periodic handshake: a connected client is seen at `now`
 * (`latestHandshake`, which keeps its session open) and carries `connectedSince`, the
 * session's start. Bytes are openvpn's per-client counters (received = from the client).
 */
export function openVpnPeerStatuses(rows: readonly OpenVpnServerClient[], admitted: readonly AdmittedClient[], nowSeconds: number): PeerStatus[] {
  const byId = new Map(admitted.map((client) => [client.clientId, client]));
  const out: PeerStatus[] = [];
  for (const row of rows) {
    const client = row.clientId === null ? undefined : byId.get(row.clientId);
    if (client === undefined) continue;
    out.push({
      publicKey: openVpnPeerId(client.serial),
      endpoint: endpointOf(row.realAddress),
      latestHandshake: Math.max(0, Math.floor(nowSeconds)),
      rxBytes: row.bytesIn,
      txBytes: row.bytesOut,
      ...(row.connectedSince > 0 ? { connectedSince: row.connectedSince } : {}),
    });
  }
  return out;
}

/** `HOST:PORT` as WireGuard reports an endpoint; openvpn may prefix the protocol (`udp4:`, `tcp4-server:`). */
export function endpointOf(realAddress: string): string | null {
  const text = realAddress.trim().replace(/^(udp|tcp)[46]?(-server|-client)?:/, '');
  if (text === '' || text.length > 100) return null;
  return text;
}
