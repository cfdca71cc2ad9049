import { type AllowedElement, type NativeElement, nativeShard, nativeShardPrefix } from '../os/nft/nft-elements.ts';
import type { ViewContents } from './applied-view.ts';
import { expectedGatewayStructure, type GatewayApplyPlan, type GatewayObserved } from './plan.ts';
import { structureDifferences } from '../os/nft/table-structure.ts';
import { DEFAULT_PLAN_OPTIONS, type PeerPlan, type PlanOptions } from '../os/wireguard/peer-plan.ts';
import type { WgDump } from '../os/wireguard/wg-dump.ts';
import { samePeerConfig, type WireGuardPeerConfig } from '../os/wireguard/wireguard-peer.ts';

/**
 * The periodic reconcile's plan, made against the applier's view of what it applied
 * (which equals the desired document while every change went through the applier)
 * instead of the whole desired document: the observation is already canonical (nft and wg
 * print canonical forms), so each observed element is one hash lookup, and the walk yields
 * to the event loop every few thousand elements. At 10,000 peers and 100,000 elements the
 * full planner (planGatewayApply) holds the event loop for a second or more, and a revoke
 * that arrives meanwhile waits; this one does not.
 *
 * Gives the plan planGatewayApply would give for the view's document (tested), so drift
 * (an element deleted or added by hand, a peer changed, a set gone) is repaired the same.
 */

const CHUNK = 4000;

export async function planDrift(view: ViewContents, observed: GatewayObserved, siteTunnelIp: string | null, options: PlanOptions = DEFAULT_PLAN_OPTIONS): Promise<GatewayApplyPlan> {
  const missingInterfaces: GatewayApplyPlan['missingInterfaces'] = [];
  if (observed.users === null) missingInterfaces.push('users');
  if (observed.sites === null) missingInterfaces.push('sites');
  const problems: string[] = [];
  if (observed.users && observed.users.interface.publicKey !== view.usersPublicKey) {
    problems.push(`users interface ${view.ifaces.users} has public key ${observed.users.interface.publicKey}, not the service key ${view.usersPublicKey}`);
  }
  const users = await peerDrift(view.users, observed.users, options);
  const sites = await peerDrift(view.sites, observed.sites, options);
  return { missingInterfaces, users, sites, nft: await nftDrift(view, observed, siteTunnelIp), problems };
}

async function nftDrift(view: ViewContents, observed: GatewayObserved, siteTunnelIp: string | null): Promise<GatewayApplyPlan['nft']> {
  const table = observed.nft;
  if (table === null) return { kind: 'reload', reasons: ['table missing'] };
  const reasons = structureDifferences(expectedGatewayStructure(view.ifaces, siteTunnelIp, table.allowedLengths, table.nativeShards), table, { unorderedRules: ['prerouting', 'forward'] });
  if (table.foreignElements.length > 0) reasons.push(`${table.foreignElements.length} element(s) not written by plantgate`);
  if (reasons.length > 0) return { kind: 'reload', reasons };
  // every element the view holds needs its allowed_N set or native_A_B_C map in the table
  const lengths = new Set(table.allowedLengths);
  const shards = new Set(table.nativeShards);
  const removeAllowed: AllowedElement[] = [];
  const seenAllowed = new Map<string, Set<string>>();
  let count = 0;
  for (const element of table.allowed) {
    if (++count % CHUNK === 0) await yieldToEventLoop();
    if (view.allowed.get(element.userIp)?.has(element.mapped)) {
      addTo(seenAllowed, element.userIp, element.mapped);
    } else removeAllowed.push(element);
  }
  const addAllowed: AllowedElement[] = [];
  const missingLengths = new Set<number>();
  for (const [userIp, byMapped] of view.allowed) {
    if (++count % CHUNK === 0) await yieldToEventLoop();
    const seen = seenAllowed.get(userIp);
    for (const [mapped, entry] of byMapped) {
      if (seen?.has(mapped)) continue;
      addAllowed.push(entry.value);
      const length = Number(mapped.slice(mapped.indexOf('/') + 1));
      if (!lengths.has(length)) missingLengths.add(length);
    }
  }
  if (missingLengths.size > 0) return { kind: 'reload', reasons: [`no allowed set for mapped prefix length(s) ${[...missingLengths].sort((a, b) => a - b).map((n) => `/${n}`).join(', ')}`] };
  const removeNative: NativeElement[] = [];
  const seenNative = new Map<string, Set<string>>();
  for (const element of table.native) {
    if (++count % CHUNK === 0) await yieldToEventLoop();
    if (view.native.get(element.userIp)?.get(element.native)?.value.mapped === element.mapped) {
      addTo(seenNative, element.userIp, element.native);
    } else removeNative.push(element);
  }
  const addNative: NativeElement[] = [];
  for (const [userIp, byNative] of view.native) {
    if (++count % CHUNK === 0) await yieldToEventLoop();
    const seen = seenNative.get(userIp);
    for (const [native, entry] of byNative) if (!seen?.has(native)) addNative.push(entry.value);
    if (byNative.size > 0 && !shards.has(nativeShard(userIp)) && !seen) return { kind: 'reload', reasons: [`no native map for users in ${nativeShardPrefix(nativeShard(userIp))}`] };
  }
  const size = addAllowed.length + removeAllowed.length + addNative.length + removeNative.length;
  return size === 0 ? { kind: 'unchanged' } : { kind: 'delta', delta: { addAllowed, removeAllowed, addNative, removeNative } };
}

async function peerDrift(applied: ReadonlyMap<string, { config: WireGuardPeerConfig }>, observed: WgDump | null, options: PlanOptions): Promise<PeerPlan> {
  const desired = [...applied.values()].map((entry) => entry.config);
  if (observed === null) return { kind: 'sync', peers: desired, reason: 'interface missing' };
  const remove: string[] = [];
  const upsert: WireGuardPeerConfig[] = [];
  const seen = new Set<string>();
  let count = 0;
  for (const peer of observed.peers) {
    if (++count % CHUNK === 0) await yieldToEventLoop();
    const entry = applied.get(peer.publicKey);
    if (entry === undefined) remove.push(peer.publicKey);
    else {
      seen.add(peer.publicKey);
      // only what the gateway sets is compared: endpoints of roaming users are learnt
      if (!samePeerConfig({ publicKey: peer.publicKey, allowedIps: peer.allowedIps }, entry.config)) upsert.push(entry.config);
    }
  }
  for (const config of desired) if (!seen.has(config.publicKey)) upsert.push(config);
  if (remove.length === 0 && upsert.length === 0) return { kind: 'unchanged' };
  if (remove.length + upsert.length > options.maxIncrementalPeerChanges) return { kind: 'sync', peers: desired, reason: `${remove.length + upsert.length} peer changes` };
  return { kind: 'set', remove: remove.sort(), upsert };
}

function addTo(map: Map<string, Set<string>>, outer: string, inner: string): void {
  const set = map.get(outer);
  if (set === undefined) map.set(outer, new Set([inner]));
  else set.add(inner);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
