import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import type { NftDriver } from './drivers/nft-driver.ts';
import type { WireGuardDriver, WireGuardInterfaceSpec } from './drivers/wireguard-driver.ts';
import { DEFAULT_TABLE_NAME, type GatewayInterfaces, renderGatewayRuleset, renderSetDelta } from './nft-ruleset.ts';
import { type GatewayApplyPlan, type GatewayObserved, type PeerPlan, planGatewayApply } from './plan.ts';

/**
 * The thin imperative shell around planGatewayApply: observe through the drivers, plan,
 * run the plan. Each step is one transaction per subsystem (one `nft -f`, one `wg set`
 * or `wg syncconf` per interface), so a 10,000-peer / 100,000-element state costs a
 * handful of process starts, not one per element.
 */

export type GatewayDataPlane = {
  wireguard: WireGuardDriver;
  nft: NftDriver;
  ifaces: GatewayInterfaces;
  tableName?: string;
  /** How to create an interface the plan finds missing (key, port, addresses, routes). */
  interfaceSpecs?: Partial<Record<keyof GatewayInterfaces, WireGuardInterfaceSpec>>;
};

export async function observeGateway(plane: GatewayDataPlane): Promise<GatewayObserved> {
  const [users, sites, nft] = await Promise.all([
    plane.wireguard.readDump(plane.ifaces.users),
    plane.wireguard.readDump(plane.ifaces.sites),
    plane.nft.readTable(plane.tableName ?? DEFAULT_TABLE_NAME),
  ]);
  return { users, sites, nft };
}

/** Observes, plans and applies; returns the plan that was carried out (for the log). */
export async function applyGatewayState(desired: GatewayDesiredState, plane: GatewayDataPlane): Promise<GatewayApplyPlan> {
  const plan = planGatewayApply(desired, plane.ifaces, await observeGateway(plane));
  await runGatewayPlan(plan, desired, plane);
  return plan;
}

export async function runGatewayPlan(plan: GatewayApplyPlan, desired: GatewayDesiredState, plane: GatewayDataPlane): Promise<void> {
  for (const role of plan.missingInterfaces) {
    const spec = plane.interfaceSpecs?.[role];
    if (!spec) throw new Error(`${role} interface ${plane.ifaces[role]} is missing and no spec was given to create it`);
    await plane.wireguard.createInterface(spec);
  }
  // nft before peers: a new peer must never be reachable before its filter exists, and a
  // revoked user's elements go in the same pass as its peer.
  const table = plane.tableName ?? DEFAULT_TABLE_NAME;
  if (plan.nft.kind === 'reload') await plane.nft.applyScript(renderGatewayRuleset(desired, plane.ifaces, table));
  else if (plan.nft.kind === 'delta') await plane.nft.applyScript(renderSetDelta(plan.nft.delta, table));
  await runPeerPlan(plane.wireguard, plane.ifaces.users, plan.users);
  await runPeerPlan(plane.wireguard, plane.ifaces.sites, plan.sites);
}

async function runPeerPlan(wireguard: WireGuardDriver, iface: string, plan: PeerPlan): Promise<void> {
  if (plan.kind === 'set') await wireguard.changePeers(iface, { remove: plan.remove, upsert: plan.upsert });
  else if (plan.kind === 'sync') await wireguard.syncPeers(iface, plan.peers);
}
