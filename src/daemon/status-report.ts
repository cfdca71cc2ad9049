import type { DaemonStatusReport, PeerStatus } from '../core/wire/daemon.ts';
import type { LoopStatus } from './sync-loop.ts';

/** The status both daemons post: what the loop applied, its last error (bounded), and the peers. */
export function statusReport(status: LoopStatus, version: string, peers: PeerStatus[]): DaemonStatusReport {
  return { appliedRevision: status.appliedRevision ?? -1, version, peers, lastError: status.lastError?.slice(0, 2000) ?? null, mode: status.mode };
}
