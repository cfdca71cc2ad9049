import { type DaemonStatusReport, type PeerStatus, STATUS_LIMITS } from '../core/wire/daemon.ts';
import { isConnected } from './peer-status.ts';
import type { LoopStatus } from './sync-loop.ts';

/**
 * The status both daemons post: what the loop applied, its last error, and its peers, cut
 * to the report's bounds (issue 7 #9): the 1,000 peers with the most recent handshakes,
 * with the totals counted here over all of them.
 */
export function statusReport(status: LoopStatus, version: string, peers: PeerStatus[], nowMs: number): DaemonStatusReport {
  const listed = peers.length <= STATUS_LIMITS.peers ? peers : [...peers].sort((a, b) => b.latestHandshake - a.latestHandshake).slice(0, STATUS_LIMITS.peers);
  return {
    appliedRevision: status.appliedRevision ?? -1,
    version: version.slice(0, STATUS_LIMITS.version),
    peers: listed,
    peerCount: peers.length,
    peersWithRecentHandshake: peers.filter((p) => isConnected(p.latestHandshake, nowMs)).length,
    lastError: status.lastError?.slice(0, STATUS_LIMITS.lastError) ?? null,
    mode: status.mode,
  };
}
