import type { StoredDirectVpnConfig, WireGuardSecrets } from '../../../core/direct-vpn/stored-model.ts';
import type { AgentDirectVpn } from '../../../core/wire/daemon.ts';
import type { AppContext } from '../../context.ts';
import { enabledDirectVpnsWithSecrets } from './store.ts';

/**
 * Issue 9: the part of an agent's state document that runs its plant's direct VPNs. Only
 * enabled outgoing WireGuard ones for now (OpenVPN and hosted: not yet). The agent side's
 * keys are unsealed here, for the plant's own authenticated agent only; this document is
 * never logged. AllowedIPs are the direct VPN's validated subnets, split over the peers as
 * renderWireGuardSetconf does: the uploaded AllowedIPs (default routes included) never reach the agent.
 */
export async function agentDirectVpns(ctx: AppContext, plantId: string): Promise<AgentDirectVpn[]> {
  const rows = await enabledDirectVpnsWithSecrets(ctx.store.db, plantId);
  const out: AgentDirectVpn[] = [];
  for (const row of rows) {
    if (row.direction !== 'outgoing' || row.protocol !== 'wireguard') continue;
    const stored = JSON.parse(row.config) as StoredDirectVpnConfig;
    if (stored.protocol !== 'wireguard' || row.secrets === null) continue;
    const secrets = JSON.parse(ctx.box.open(row.secrets, `direct-vpn:${row.id}`)) as WireGuardSecrets;
    const subnets = JSON.parse(row.subnets) as string[];
    const model = stored.model;
    const perPeer = splitSubnets(model.peers, subnets);
    out.push({
      id: row.id,
      name: row.name,
      protocol: 'wireguard',
      privateKey: secrets.privateKey,
      addresses: model.addresses,
      listenPort: model.listenPort,
      mtu: model.mtu,
      peers: model.peers.map((peer, index) => ({
        publicKey: peer.publicKey,
        presharedKey: secrets.presharedKeys[index] ?? null,
        endpoint: peer.endpoint,
        allowedIps: perPeer[index] ?? [],
        persistentKeepalive: peer.persistentKeepalive,
      })),
      subnets,
    });
  }
  return out;
}

/** Each subnet to the peer whose uploaded AllowedIPs contain it, else to the first peer that dials (as renderWireGuardSetconf). */
export function splitSubnets(peers: Array<{ endpoint: string | null; allowedIps: string[] }>, subnets: string[]): string[][] {
  const perPeer = peers.map(() => [] as string[]);
  if (peers.length === 0) return perPeer;
  const dialing = Math.max(
    peers.findIndex((peer) => peer.endpoint !== null),
    0,
  );
  for (const subnet of subnets) {
    const index = peers.length === 1 ? 0 : peers.findIndex((peer) => peer.allowedIps.some((allowed) => containsV4(allowed, subnet)));
    perPeer[index >= 0 ? index : dialing]?.push(subnet);
  }
  return perPeer;
}

function containsV4(outer: string, inner: string): boolean {
  const a = parseV4(outer);
  const b = parseV4(inner);
  if (!a || !b || a.length > b.length) return false;
  const mask = a.length === 0 ? 0 : (0xffffffff << (32 - a.length)) >>> 0;
  return (a.base & mask) >>> 0 === (b.base & mask) >>> 0;
}

function parseV4(text: string): { base: number; length: number } | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!match) return null;
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return { base: (((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0), length: Number(match[5]) };
}
