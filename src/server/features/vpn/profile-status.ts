import type { DaemonStatusReport, PeerStatus } from '../../../core/wire/daemon.ts';
import type { ProfileGatewayStatus } from '../../../core/wire/api.ts';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../http/errors.ts';
import { activeProfileKey, gatewayReports } from './user-status-store.ts';

/**
 * Issue 8: what each gateway last reported about the caller's own profile peer (last
 * handshake, bytes). A gateway lists at most 1,000 peers, those with the most recent
 * handshakes, so a profile a busy gateway leaves out has not had a recent handshake
 * there; gateways that do not list it are left out here too.
 */
export async function profileGatewayStatus(ctx: AppContext, userId: string): Promise<ProfileGatewayStatus[]> {
  const publicKey = await activeProfileKey(ctx.store.db, userId);
  if (!publicKey) throw notFound('profile', 'you have no active personal VPN profile: issue one with plantgate vpn issue');
  const gateways = await gatewayReports(ctx.store.db);
  const out: ProfileGatewayStatus[] = [];
  for (const g of gateways) {
    // The newest report is in memory until the status buffer writes it (every few seconds).
    const buffered = ctx.daemonStatus.latestOf(g.id);
    const text = buffered?.status ?? g.status;
    const reportedAt = buffered?.seenAt ?? g.last_seen_at;
    if (!text || !reportedAt) continue;
    const peer = peerOf(text, publicKey);
    if (!peer) continue;
    out.push({
      region: g.region ?? '',
      gateway: g.name,
      // An OpenVPN profile has no periodic handshake: its gateways report when the client connected.
      lastHandshakeAt: handshakeOrConnect(peer),
      rxBytes: peer.rxBytes,
      txBytes: peer.txBytes,
      reportedAt,
    });
  }
  return out;
}

function peerOf(statusText: string, publicKey: string): PeerStatus | undefined {
  let report: Partial<DaemonStatusReport>;
  try {
    report = JSON.parse(statusText) as Partial<DaemonStatusReport>;
  } catch {
    return undefined;
  }
  const peer = Array.isArray(report.peers) ? report.peers.find((p) => p?.publicKey === publicKey) : undefined;
  if (!peer) return undefined;
  const counter = (n: unknown) => (Number.isSafeInteger(n) && (n as number) >= 0 ? (n as number) : 0);
  const { connectedSince: reported, ...rest } = peer;
  const connectedSince = counter(reported);
  return { ...rest, latestHandshake: counter(peer.latestHandshake), rxBytes: counter(peer.rxBytes), txBytes: counter(peer.txBytes), ...(connectedSince > 0 ? { connectedSince } : {}) };
}

function handshakeOrConnect(peer: PeerStatus): string | null {
  const at = peer.connectedSince ?? peer.latestHandshake;
  return at > 0 ? new Date(at * 1000).toISOString() : null;
}
