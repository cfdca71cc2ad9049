import type { WgDump } from './wg-dump.ts';
import { samePeerConfig, type WireGuardPeerConfig } from './wireguard-peer.ts';

/** How to bring one WireGuard interface's peers to a desired list: gateway, agent and direct VPNs plan alike. */

export type PeerPlan =
  | { kind: 'unchanged' }
  /** One `wg set`: removals first (so a rotated key frees its tunnel IP), then upserts. */
  | { kind: 'set'; remove: string[]; upsert: WireGuardPeerConfig[] }
  /** One `wg syncconf` with the whole peer list. */
  | { kind: 'sync'; peers: WireGuardPeerConfig[]; reason: string };

export type PlanOptions = {
  /** Above this many peer changes on one interface, one syncconf beats a long `wg set` argument list. */
  maxIncrementalPeerChanges: number;
};

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { maxIncrementalPeerChanges: 200 };

export function planPeers(desired: WireGuardPeerConfig[], observed: WgDump | null, options: PlanOptions): PeerPlan {
  if (observed === null) return { kind: 'sync', peers: desired, reason: 'interface missing' };
  const observedByKey = new Map(
    observed.peers.map((peer) => [
      peer.publicKey,
      // Only what the gateway sets is compared: endpoints of roaming users are learnt.
      { publicKey: peer.publicKey, allowedIps: peer.allowedIps } satisfies WireGuardPeerConfig,
    ]),
  );
  const desiredKeys = new Set(desired.map((peer) => peer.publicKey));
  const remove = observed.peers.map((peer) => peer.publicKey).filter((key) => !desiredKeys.has(key));
  const upsert = desired.filter((peer) => {
    const current = observedByKey.get(peer.publicKey);
    return current === undefined || !samePeerConfig(current, peer);
  });
  if (remove.length === 0 && upsert.length === 0) return { kind: 'unchanged' };
  if (remove.length + upsert.length > options.maxIncrementalPeerChanges) {
    return { kind: 'sync', peers: desired, reason: `${remove.length + upsert.length} peer changes` };
  }
  return { kind: 'set', remove: remove.sort(), upsert };
}
