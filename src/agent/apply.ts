import type { AgentDesiredState } from '../core/wire/daemon.ts';
import type { IpConfigDriver } from '../gateway/drivers/ip-config-driver.ts';
import type { NftDriver } from '../gateway/drivers/nft-driver.ts';
import type { WireGuardDriver } from '../gateway/drivers/wireguard-driver.ts';
import { canonicalAddress } from '../core/net/ipv4.ts';
import { DEFAULT_TABLE_NAME } from '../gateway/nft-ruleset.ts';
import type { WireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { type AgentInterfaces, renderAgentRuleset } from './nft-ruleset.ts';
import { type AgentApplyPlan, type AgentObserved, planAgentApply } from './plan.ts';

/**
 * The agent's thin imperative shell: observe through the drivers, plan, run the plan
 * (nft before peers, as on the gateway), then the tunnel's address and the routes to
 * every gateway's site address.
 */

export type AgentDataPlane = {
  wireguard: WireGuardDriver;
  nft: NftDriver;
  ip: IpConfigDriver;
  ifaces: AgentInterfaces;
  tableName?: string;
  /** The agent's own key pair (the tunnel interface's). */
  key: WireGuardKeyPair;
};

export async function observeAgent(plane: AgentDataPlane): Promise<AgentObserved> {
  const [tunnel, nft] = await Promise.all([plane.wireguard.readDump(plane.ifaces.tunnel), plane.nft.readTable(plane.tableName ?? DEFAULT_TABLE_NAME)]);
  return { tunnel, nft };
}

/** Returns the plan carried out and a list of what changed (empty: nothing). */
export async function applyAgentState(desired: AgentDesiredState, plane: AgentDataPlane): Promise<{ plan: AgentApplyPlan; changes: string[] }> {
  const { wireguard, ifaces } = plane;
  const table = plane.tableName ?? DEFAULT_TABLE_NAME;
  const observed = await observeAgent(plane);
  const changes: string[] = [];
  if (observed.tunnel && observed.tunnel.interface.publicKey !== plane.key.publicKey) {
    // an interface of that name left by an earlier run with another key: made ours
    await wireguard.setPrivateKey(ifaces.tunnel, plane.key.privateKey, null);
    changes.push('tunnel key set');
  }
  const plan = planAgentApply(desired, ifaces, observed);
  if (plan.createTunnel) {
    await wireguard.createInterface({ name: ifaces.tunnel, privateKey: plane.key.privateKey, listenPort: null, addresses: [], routes: [] });
    changes.push(`created ${ifaces.tunnel}`);
  }
  if (plan.nft.kind === 'reload') {
    await plane.nft.applyScript(renderAgentRuleset(desired.translations, ifaces, table));
    changes.push(`nft reloaded (${plan.nft.reasons.slice(0, 3).join('; ')})`);
  }
  if (plan.peers.kind === 'set') {
    await wireguard.changePeers(ifaces.tunnel, { remove: plan.peers.remove, upsert: plan.peers.upsert });
    changes.push(`gateway peers -${plan.peers.remove.length} ~${plan.peers.upsert.length}`);
  } else if (plan.peers.kind === 'sync') {
    await wireguard.syncPeers(ifaces.tunnel, plan.peers.peers);
    changes.push(`gateway peers synced (${plan.peers.peers.length})`);
  }
  const ipChanges = [
    ...(await plane.ip.syncAddresses(ifaces.tunnel, [`${canonicalAddress(desired.agent.tunnelIp)}/32`])),
    ...(await plane.ip.syncRoutes(ifaces.tunnel, desired.gateways.map((gateway) => `${gateway.siteTunnelIp}/32`))),
  ];
  if (ipChanges.length > 0) changes.push(`ip ${ipChanges.join(' ')}`);
  return { plan, changes };
}
