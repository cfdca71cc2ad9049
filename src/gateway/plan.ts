import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import { canonicalAddress } from '../core/net/ipv4.ts';
import {
  type AllowedElement,
  allowedKey,
  allowedLength,
  allowedSetName,
  compareShards,
  desiredGatewayElements,
  type NativeElement,
  nativeKey,
  nativeMapName,
  nativeShard,
  nativeShardPrefix,
  netmask,
} from '../os/nft/nft-elements.ts';
import { type GatewayInterfaces, type SetDelta, userSideInterfaces } from './nft-ruleset.ts';
import type { ObservedNftTable } from '../os/nft/nft-table-json.ts';
import type { WgDump } from '../os/wireguard/wg-dump.ts';
import { DEFAULT_PLAN_OPTIONS, type PeerPlan, type PlanOptions, planPeers } from '../os/wireguard/peer-plan.ts';
import { expectedInputChain, structureDifferences, type TableStructure } from '../os/nft/table-structure.ts';
import { desiredSitePeers, desiredUserPeers } from './wireguard-peers.ts';

/**
 * planGatewayApply: desired state + what the gateway observed → the smallest set of
 * operations that makes the observation equal to the desire. Pure; the applier runs it.
 */

export type GatewayObserved = {
  /** `wg show <users> dump`, parsed; null when the interface does not exist. */
  users: WgDump | null;
  /** `wg show <sites> dump`, parsed; null when the interface does not exist. */
  sites: WgDump | null;
  /** `nft -j list table ip plantgate`, parsed; null when the table does not exist. */
  nft: ObservedNftTable | null;
};

export type NftPlan = { kind: 'unchanged' } | { kind: 'delta'; delta: SetDelta } | { kind: 'reload'; reasons: string[] };

export type GatewayApplyPlan = {
  /** Interfaces the applier must create before it applies the peer plans. */
  missingInterfaces: Array<keyof GatewayInterfaces>;
  users: PeerPlan;
  sites: PeerPlan;
  nft: NftPlan;
  /** Things the plan cannot fix (they need local configuration), for the log. */
  problems: string[];
};

export function planGatewayApply(
  desired: GatewayDesiredState,
  ifaces: GatewayInterfaces,
  observed: GatewayObserved,
  options: PlanOptions = DEFAULT_PLAN_OPTIONS,
): GatewayApplyPlan {
  const problems: string[] = [];
  const missingInterfaces: Array<keyof GatewayInterfaces> = [];
  if (observed.users === null) missingInterfaces.push('users');
  if (observed.sites === null) missingInterfaces.push('sites');
  if (observed.users && observed.users.interface.publicKey !== desired.servicePublicKey) {
    problems.push(`users interface ${ifaces.users} has public key ${observed.users.interface.publicKey}, not the service key ${desired.servicePublicKey}`);
  }
  return {
    missingInterfaces,
    users: planPeers(desiredUserPeers(desired), observed.users, options),
    sites: planPeers(desiredSitePeers(desired), observed.sites, options),
    nft: planNft(desired, ifaces, observed.nft),
    problems,
  };
}

export function planNft(
  desired: Pick<GatewayDesiredState, 'allowed' | 'native'> & Partial<Pick<GatewayDesiredState, 'gateway'>>,
  ifaces: GatewayInterfaces,
  observed: ObservedNftTable | null,
): NftPlan {
  if (observed === null) return { kind: 'reload', reasons: ['table missing'] };
  // The table's allowed_N sets and native_A_B_C maps are judged as they are (one no longer
  // in use stays, empty, until the next reload); an element with no set or map to go into
  // is a structure change: a reload.
  const reasons = structureDifferences(
    expectedGatewayStructure(ifaces, desired.gateway?.siteTunnelIp ?? null, observed.allowedLengths, observed.nativeShards),
    observed,
    { unorderedRules: ['prerouting', 'forward'] },
  );
  const elements = desiredGatewayElements(desired);
  reasons.push(...layoutGaps(elements.allowed, elements.native, observed.allowedLengths, observed.nativeShards));
  if (observed.foreignElements.length > 0) {
    reasons.push(`${observed.foreignElements.length} element(s) not written by plantgate`);
  }
  if (reasons.length > 0) return { kind: 'reload', reasons };
  const delta = diffElements(elements, { allowed: observed.allowed, native: observed.native });
  const size = delta.addAllowed.length + delta.removeAllowed.length + delta.addNative.length + delta.removeNative.length;
  return size === 0 ? { kind: 'unchanged' } : { kind: 'delta', delta };
}

/** Mapped prefix lengths of `elements` that have no allowed_N set among `tableLengths`, ascending. */
export function missingLengths(elements: Iterable<AllowedElement>, tableLengths: Iterable<number>): number[] {
  const present = new Set(tableLengths);
  const missing = new Set<number>();
  for (const element of elements) {
    const length = allowedLength(element);
    if (!present.has(length)) missing.add(length);
  }
  return [...missing].sort((a, b) => a - b);
}

/** Mapped shards (user /24s) of `elements` that have no native map among `tableShards`, in numeric order. */
export function missingShards(elements: Iterable<Pick<NativeElement, 'userIp'>>, tableShards: Iterable<string>): string[] {
  const present = new Set(tableShards);
  const missing = new Set<string>();
  for (const element of elements) {
    const shard = nativeShard(element.userIp);
    if (!present.has(shard)) missing.add(shard);
  }
  return [...missing].sort(compareShards);
}

/** Why `allowed`/`native` elements cannot go into a table with these sets and maps (empty: they can). */
export function layoutGaps(
  allowed: Iterable<AllowedElement>,
  native: Iterable<Pick<NativeElement, 'userIp'>>,
  tableLengths: Iterable<number>,
  tableShards: Iterable<string>,
): string[] {
  const reasons: string[] = [];
  const lengths = missingLengths(allowed, tableLengths);
  if (lengths.length > 0) reasons.push(`no allowed set for mapped prefix length(s) ${lengths.map((n) => `/${n}`).join(', ')}`);
  const shards = missingShards(native, tableShards);
  if (shards.length > 0) reasons.push(`no native map for users in ${shards.map(nativeShardPrefix).join(', ')}`);
  return reasons;
}

export function diffElements(
  desired: { allowed: AllowedElement[]; native: NativeElement[] },
  observed: { allowed: AllowedElement[]; native: NativeElement[] },
): SetDelta {
  const observedAllowed = new Set(observed.allowed.map(allowedKey));
  const desiredAllowed = new Set(desired.allowed.map(allowedKey));
  const observedNative = new Map(observed.native.map((element) => [nativeKey(element), element]));
  const desiredNative = new Map(desired.native.map((element) => [nativeKey(element), element]));
  return {
    addAllowed: desired.allowed.filter((element) => !observedAllowed.has(allowedKey(element))),
    removeAllowed: observed.allowed.filter((element) => !desiredAllowed.has(allowedKey(element))),
    // A changed value (user picked another priority plant) is a remove of the old
    // key:value plus an add of the new one; renderSetDelta orders them.
    addNative: desired.native.filter((element) => observedNative.get(nativeKey(element))?.mapped !== element.mapped),
    removeNative: observed.native.filter((element) => desiredNative.get(nativeKey(element))?.mapped !== element.mapped),
  };
}

/**
 * What renderGatewayRuleset's table with allowed sets for `allowedLengths` and native
 * maps for `nativeShards` looks like
 * through parseNftTableJson (nft 1.0.6 prints no family on snat). The forward rules come
 * in the order of `allowedLengths`; the planner compares them (and the prerouting rules,
 * disjoint by source) regardless of order.
 */
export function expectedGatewayStructure(
  ifaces: GatewayInterfaces,
  siteTunnelIp: string | null = null,
  allowedLengths: number[] = [],
  nativeShards: string[] = [],
): TableStructure {
  const { sites } = ifaces;
  const userSide = userSideInterfaces(ifaces);
  return {
    sets: [
      ...allowedLengths.map((length) => ({
        name: allowedSetName(length),
        keyType: ['ipv4_addr', 'ipv4_addr'],
        dataType: null,
        flags: [],
      })),
      ...nativeShards.map((shard) => ({
        name: nativeMapName(shard),
        keyType: ['ipv4_addr', 'ipv4_addr'],
        dataType: 'ipv4_addr',
        flags: ['interval'],
      })),
    ],
    chains: [
      expectedInputChain([...userSide, sites], true),
      {
        name: 'prerouting',
        type: 'nat',
        hook: 'prerouting',
        prio: -100,
        policy: 'accept',
        rules: userSide.flatMap((users) =>
          nativeShards.map(
            (shard) => `iifname == ${users} ip saddr == ${nativeShardPrefix(shard)} dnat ip prefix to ip saddr . ip daddr map @${nativeMapName(shard)}`,
          ),
        ),
      },
      {
        name: 'forward',
        type: 'filter',
        hook: 'forward',
        prio: 0,
        policy: 'drop',
        rules: userSide.flatMap((users) =>
          allowedLengths.flatMap((length) => {
            const mask = length === 32 ? '' : ` & ${netmask(length)}`;
            const set = `@${allowedSetName(length)}`;
            return [
              `iifname == ${users} oifname == ${sites} ip saddr . ip daddr${mask} == ${set} accept`,
              `iifname == ${sites} oifname == ${users} ct original ip saddr . ct reply ip saddr${mask} == ${set} accept`,
            ];
          }),
        ),
      },
      {
        name: 'postrouting',
        type: 'nat',
        hook: 'postrouting',
        prio: 100,
        policy: 'accept',
        rules: [siteTunnelIp === null ? `oifname == ${sites} masquerade` : `oifname == ${sites} snat to ${canonicalAddress(siteTunnelIp)}`],
      },
    ],
  };
}
