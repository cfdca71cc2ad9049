import type { GatewayStateDelta } from '../core/wire/gateway-delta.ts';
import type { GatewayDesiredState, GatewaySite } from '../core/wire/gateway-state.ts';
import type { GatewayInterfaces } from './nft-ruleset.ts';
import {
  type AllowedElement,
  allowedKey,
  allowedLength,
  canonicalAllowedElement,
  canonicalNativeElement,
  type NativeElement,
  nativeKey,
  nativeShard,
} from '../os/nft/nft-elements.ts';
import { type GatewayApplyPlan, layoutGaps } from './plan.ts';
import { DEFAULT_PLAN_OPTIONS, type PeerPlan, type PlanOptions } from '../os/wireguard/peer-plan.ts';
import { desiredSitePeers, desiredUserPeers, peerInRegion } from './wireguard-peers.ts';
import { samePeerConfig, type WireGuardPeerConfig } from '../os/wireguard/wireguard-peer.ts';

/**
 * What the applier last made the gateway hold, indexed for planning the next change
 * without reading 100,000 elements back (`nft -j list table` + `wg show dump` of a full
 * gateway take seconds; a change must take milliseconds).
 *
 * It is a cache of an observation, trusted only while every change since went through the
 * applier: the applier drops it whenever a run fails (a `delete element` of something not
 * there fails the whole nft transaction) and on every periodic full reconcile, which
 * observes the gateway again and so repairs drift made by hand.
 *
 * Planning against it gives the same plan planGatewayApply would give against a fresh
 * observation of the same gateway (tested), in time proportional to the document's
 * length with one hash lookup per element and no parsing of elements already applied.
 */

type Marked<T> = { value: T; mark: number };
/** `raw` is the control plane's spelling that last compared equal (cheap re-check). */
type PeerEntry = {
  config: WireGuardPeerConfig;
  raw: string | null;
  mark: number;
};

export type ViewContents = {
  ifaces: GatewayInterfaces;
  usersPublicKey: string;
  allowed: ReadonlyMap<string, ReadonlyMap<string, { value: AllowedElement }>>;
  native: ReadonlyMap<string, ReadonlyMap<string, { value: NativeElement }>>;
  tableLengths: ReadonlySet<number>;
  tableShards: ReadonlySet<string>;
  users: ReadonlyMap<string, { config: WireGuardPeerConfig }>;
  sites: ReadonlyMap<string, { config: WireGuardPeerConfig }>;
};

export class AppliedGatewayView {
  /** user ip → mapped prefix → element (nested: no key string built per lookup). */
  private readonly allowed = new Map<string, Map<string, Marked<AllowedElement>>>();
  /** user ip → native prefix → element. */
  private readonly native = new Map<string, Map<string, Marked<NativeElement>>>();
  private allowedCount = 0;
  /** The N of every allowed_N set the table has (a structure fact: a new one needs a reload). */
  private readonly tableLengths = new Set<number>();
  /** The A.B.C of every native_A_B_C map the table has (likewise). */
  private readonly tableShards = new Set<string>();
  private nativeCount = 0;
  private readonly users = new Map<string, PeerEntry>();
  private readonly sites = new Map<string, PeerEntry>();
  private generation = 0;
  /** The gateway's region (organization VPN clients of other regions are no peers here). */
  private region: string | null = null;

  private readonly ifaces: GatewayInterfaces;
  /** The users interface's public key as last observed (the service key, normally). */
  private readonly usersPublicKey: string;

  private constructor(ifaces: GatewayInterfaces, usersPublicKey: string) {
    this.ifaces = ifaces;
    this.usersPublicKey = usersPublicKey;
  }

  /**
   * The view of a gateway that has just been brought to exactly `desired`. `layout`: the
   * allowed_N sets and native_A_B_C maps its table has, when that is more than `desired`
   * uses (a delta applied to an observed table keeps the sets no longer in use).
   */
  static afterFullApply(
    desired: GatewayDesiredState,
    ifaces: GatewayInterfaces,
    usersPublicKey: string,
    layout: { allowedLengths: Iterable<number>; nativeShards: Iterable<string> } = { allowedLengths: [], nativeShards: [] },
  ): AppliedGatewayView {
    const view = new AppliedGatewayView(ifaces, usersPublicKey);
    for (const _ of view.fill(desired, layout)) {
      // built in one go
    }
    return view;
  }

  /**
   * The same, built in chunks between which the event loop runs: a full apply builds it
   * while `wg syncconf` and `nft -f` run, instead of after them.
   */
  static async afterFullApplyInChunks(
    desired: GatewayDesiredState,
    ifaces: GatewayInterfaces,
    usersPublicKey: string,
    layout: { allowedLengths: Iterable<number>; nativeShards: Iterable<string> },
  ): Promise<AppliedGatewayView> {
    const view = new AppliedGatewayView(ifaces, usersPublicKey);
    for (const _ of view.fill(desired, layout)) await new Promise((resolve) => setImmediate(resolve));
    return view;
  }

  /** Fills a new view; yields every few thousand elements. */
  private *fill(desired: GatewayDesiredState, layout: { allowedLengths: Iterable<number>; nativeShards: Iterable<string> }): Generator<void> {
    const CHUNK = 5000;
    let count = 0;
    for (const length of layout.allowedLengths) this.tableLengths.add(length);
    for (const shard of layout.nativeShards) this.tableShards.add(shard);
    for (const pair of desired.allowed) {
      const element = canonicalAllowedElement(pair);
      this.putAllowed(element);
      this.tableLengths.add(allowedLength(element));
      if (++count % CHUNK === 0) yield;
    }
    for (const mapping of desired.native) {
      const element = canonicalNativeElement(mapping);
      this.putNative(element);
      this.tableShards.add(nativeShard(element.userIp));
      if (++count % CHUNK === 0) yield;
    }
    this.region = desired.region;
    for (const peer of desired.peers) {
      if (!peerInRegion(peer, this.region)) continue;
      const [config] = desiredUserPeers({ peers: [peer] });
      this.users.set(config.publicKey, { config, raw: userRaw(peer), mark: 0 });
      if (++count % CHUNK === 0) yield;
    }
    for (const site of desired.sites) {
      const [config] = desiredSitePeers({ sites: [site] });
      if (config) this.sites.set(config.publicKey, { config, raw: siteRaw(site), mark: 0 });
      if (++count % CHUNK === 0) yield;
    }
  }

  /** The plan planGatewayApply would make against an observation of this gateway. */
  plan(desired: GatewayDesiredState, options: PlanOptions = DEFAULT_PLAN_OPTIONS): GatewayApplyPlan {
    const generation = ++this.generation;
    const problems: string[] = [];
    if (this.usersPublicKey !== desired.servicePublicKey) {
      problems.push(
        `users interface ${this.ifaces.users} has public key ${this.usersPublicKey}, not the service key ${desired.servicePublicKey}`,
      );
    }
    this.region = desired.region;
    const users = this.planPeers(
      this.users,
      desired.peers.filter((peer) => peerInRegion(peer, desired.region)),
      (peer) => peer.publicKey,
      userRaw,
      (peer) => desiredUserPeers({ peers: [peer] })[0],
      () => desiredUserPeers(desired),
      generation,
      options,
    );
    const sites = this.planPeers(
      this.sites,
      desired.sites.filter((site) => site.agentPublicKey !== null),
      (site) => site.agentPublicKey ?? '',
      siteRaw,
      (site) => desiredSitePeers({ sites: [site] })[0],
      () => desiredSitePeers(desired),
      generation,
      options,
    );

    // allowed: looked up in the control plane's spelling (canonical already, in practice),
    // by user then prefix (consecutive pairs of one user share the inner lookup); only
    // pairs not found are parsed.
    const addAllowed = new Map<string, AllowedElement>();
    let allowedHits = 0;
    let lastUser: string | null = null;
    let byPrefix: Map<string, Marked<AllowedElement>> | undefined;
    for (const pair of desired.allowed) {
      if (pair.userIp !== lastUser) {
        lastUser = pair.userIp;
        byPrefix = this.allowed.get(lastUser);
      }
      let entry = byPrefix?.get(pair.mapped);
      if (entry === undefined) {
        const element = canonicalAllowedElement(pair);
        entry = this.allowed.get(element.userIp)?.get(element.mapped);
        if (entry === undefined) {
          addAllowed.set(allowedKey(element), element);
          continue;
        }
      }
      if (entry.mark !== generation) {
        entry.mark = generation;
        allowedHits++;
      }
    }
    const removeAllowed = unmarked(this.allowed, this.allowedCount, allowedHits, generation);

    // native: a key whose value changed is a remove of the old entry plus an add.
    const addNative = new Map<string, NativeElement>();
    let nativeHits = 0;
    lastUser = null;
    let byNative: Map<string, Marked<NativeElement>> | undefined;
    for (const mapping of desired.native) {
      if (mapping.userIp !== lastUser) {
        lastUser = mapping.userIp;
        byNative = this.native.get(lastUser);
      }
      let entry = byNative?.get(mapping.native);
      let key: string | null = null;
      if (entry === undefined || entry.value.mapped !== mapping.mapped) {
        const element = canonicalNativeElement(mapping);
        key = nativeKey(element);
        entry = this.native.get(element.userIp)?.get(element.native);
        if (entry === undefined || entry.value.mapped !== element.mapped) {
          const pending = addNative.get(key);
          if ((pending && pending.mapped !== element.mapped) || entry?.mark === generation) {
            throw new Error(
              `native ${key} is mapped to both ${pending?.mapped ?? entry?.value.mapped} and ${element.mapped}`,
            );
          }
          addNative.set(key, element);
          continue;
        }
      }
      if (addNative.size > 0) {
        key ??= nativeKey(entry.value);
        if (addNative.has(key)) {
          throw new Error(`native ${key} is mapped to both ${addNative.get(key)?.mapped} and ${entry.value.mapped}`);
        }
      }
      if (entry.mark !== generation) {
        entry.mark = generation;
        nativeHits++;
      }
    }
    const removeNative = unmarked(this.native, this.nativeCount, nativeHits, generation);

    const delta = {
      addAllowed: [...addAllowed.values()],
      removeAllowed,
      addNative: [...addNative.values()],
      removeNative,
    };
    const size = delta.addAllowed.length + removeAllowed.length + delta.addNative.length + removeNative.length;
    // An element with no allowed_N set or native_A_B_C map to go into is a structure change.
    const gaps = layoutGaps(delta.addAllowed, delta.addNative, this.tableLengths, this.tableShards);
    return {
      missingInterfaces: [],
      users,
      sites,
      nft:
        gaps.length > 0
          ? { kind: 'reload', reasons: gaps }
          : size === 0
            ? { kind: 'unchanged' }
            : { kind: 'delta', delta },
      problems,
    };
  }

  /**
   * The plan for one delta of the control plane, made from the delta alone (O(size of the
   * delta)), when the gateway holds exactly the delta's `fromRevision` document. Null when
   * the change needs the whole document: a new allowed_N set or native map (a reload),
   * more peer changes than a `wg set` should carry, or elements not in canonical spelling
   * (two spellings of one element cannot be told apart without the whole document).
   * `sitesNow(plantId)`: the site as the document has it after the delta.
   */
  planDelta(
    delta: GatewayStateDelta,
    previousSites: Map<string, GatewaySite | undefined>,
    sitesNow: (plantId: string) => GatewaySite | undefined,
    options: PlanOptions = DEFAULT_PLAN_OPTIONS,
  ): GatewayApplyPlan | null {
    // users: a key both removed and upserted ends upserted (the contract applies removes first)
    const upserted = new Set(delta.peers.upsert.map((peer) => peer.publicKey));
    const removeUsers = delta.peers.remove.filter((key) => this.users.has(key) && !upserted.has(key));
    const upsertUsers: WireGuardPeerConfig[] = [];
    for (const peer of delta.peers.upsert) {
      if (!peerInRegion(peer, this.region)) continue;
      const [config] = desiredUserPeers({ peers: [peer] });
      const entry = this.users.get(config.publicKey);
      if (entry === undefined || !samePeerConfig(entry.config, config)) upsertUsers.push(config);
    }
    // sites: each touched site's agent peer, before and after
    const removeSites = new Set<string>();
    const upsertSites = new Map<string, WireGuardPeerConfig>();
    for (const [plantId, before] of previousSites) {
      const after = sitesNow(plantId);
      const config = after?.agentPublicKey ? desiredSitePeers({ sites: [after] })[0] : undefined;
      if (before?.agentPublicKey && before.agentPublicKey !== config?.publicKey && this.sites.has(before.agentPublicKey)) removeSites.add(before.agentPublicKey);
      if (config) {
        const entry = this.sites.get(config.publicKey);
        if (entry === undefined || !samePeerConfig(entry.config, config)) upsertSites.set(config.publicKey, config);
      }
    }
    for (const key of upsertSites.keys()) removeSites.delete(key);
    const users = peerDelta(removeUsers, upsertUsers);
    const sites = peerDelta([...removeSites], [...upsertSites.values()]);
    for (const peers of [users, sites]) {
      if (peers.kind === 'set' && peers.remove.length + peers.upsert.length > options.maxIncrementalPeerChanges) return null;
    }

    // allowed
    const addedAllowed = new Map<string, AllowedElement>();
    for (const pair of delta.allowed.add) {
      const element = canonicalAllowedElement(pair);
      if (element.userIp !== pair.userIp || element.mapped !== pair.mapped) return null;
      addedAllowed.set(allowedKey(element), element);
    }
    const removeAllowed: AllowedElement[] = [];
    for (const pair of delta.allowed.remove) {
      const element = canonicalAllowedElement(pair);
      if (element.userIp !== pair.userIp || element.mapped !== pair.mapped) return null;
      const entry = this.allowed.get(element.userIp)?.get(element.mapped);
      if (entry !== undefined && !addedAllowed.has(allowedKey(element))) removeAllowed.push(entry.value);
    }
    const addAllowed = [...addedAllowed.values()].filter((element) => this.allowed.get(element.userIp)?.get(element.mapped) === undefined);

    // native: a key whose value changes is a remove of the value the table has plus an add
    const addedNative = new Map<string, NativeElement>();
    for (const mapping of delta.native.add) {
      const element = canonicalNativeElement(mapping);
      if (element.userIp !== mapping.userIp || element.native !== mapping.native || element.mapped !== mapping.mapped) return null;
      addedNative.set(nativeKey(element), element);
    }
    const removeNative = new Map<string, NativeElement>();
    for (const mapping of delta.native.remove) {
      const element = canonicalNativeElement(mapping);
      if (element.userIp !== mapping.userIp || element.native !== mapping.native) return null;
      const entry = this.native.get(element.userIp)?.get(element.native);
      const key = nativeKey(element);
      if (entry !== undefined && addedNative.get(key)?.mapped !== entry.value.mapped) removeNative.set(key, entry.value);
    }
    const addNative: NativeElement[] = [];
    for (const [key, element] of addedNative) {
      const entry = this.native.get(element.userIp)?.get(element.native);
      if (entry?.value.mapped === element.mapped) continue;
      if (entry !== undefined) removeNative.set(key, entry.value);
      addNative.push(element);
    }

    if (layoutGaps(addAllowed, addNative, this.tableLengths, this.tableShards).length > 0) return null;
    const nftDelta = { addAllowed, removeAllowed, addNative, removeNative: [...removeNative.values()] };
    const size = addAllowed.length + removeAllowed.length + addNative.length + removeNative.size;
    return {
      missingInterfaces: [],
      users,
      sites,
      nft: size === 0 ? { kind: 'unchanged' } : { kind: 'delta', delta: nftDelta },
      problems: [],
    };
  }

  /**
   * Records that `plan` (made by this view's plan() for `desired`, or by planDelta) was
   * carried out in full. After a reload the table holds exactly `desired`, with sets for
   * its lengths only.
   */
  commit(plan: GatewayApplyPlan, desired: GatewayDesiredState | null): void {
    if (plan.nft.kind === 'reload') {
      if (desired === null) throw new Error('a reload needs the whole desired state');
      this.allowed.clear();
      this.native.clear();
      this.allowedCount = 0;
      this.nativeCount = 0;
      this.tableLengths.clear();
      this.tableShards.clear();
      for (const pair of desired.allowed) {
        const element = canonicalAllowedElement(pair);
        this.putAllowed(element);
        this.tableLengths.add(allowedLength(element));
      }
      for (const mapping of desired.native) {
        const element = canonicalNativeElement(mapping);
        this.putNative(element);
        this.tableShards.add(nativeShard(element.userIp));
      }
    } else if (plan.nft.kind === 'delta') {
      const { delta } = plan.nft;
      for (const element of delta.removeAllowed) {
        if (removeNested(this.allowed, element.userIp, element.mapped)) this.allowedCount--;
      }
      for (const element of delta.removeNative) {
        if (removeNested(this.native, element.userIp, element.native)) this.nativeCount--;
      }
      for (const element of delta.addAllowed) this.putAllowed(element);
      for (const element of delta.addNative) this.putNative(element);
    }
    commitPeers(this.users, plan.users);
    commitPeers(this.sites, plan.sites);
  }

  /** Read access for the drift planner (drift.ts): what the view says the gateway holds. */
  get contents(): ViewContents {
    return {
      ifaces: this.ifaces,
      usersPublicKey: this.usersPublicKey,
      allowed: this.allowed,
      native: this.native,
      tableLengths: this.tableLengths,
      tableShards: this.tableShards,
      users: this.users,
      sites: this.sites,
    };
  }

  get size() {
    return {
      allowed: this.allowedCount,
      allowedSets: this.tableLengths.size,
      nativeMaps: this.tableShards.size,
      native: this.nativeCount,
      users: this.users.size,
      sites: this.sites.size,
    };
  }

  private putAllowed(element: AllowedElement): void {
    if (putNested(this.allowed, element.userIp, element.mapped, element)) this.allowedCount++;
  }

  private putNative(element: NativeElement): void {
    if (putNested(this.native, element.userIp, element.native, element)) this.nativeCount++;
  }

  private planPeers<T>(
    applied: Map<string, PeerEntry>,
    items: T[],
    keyOf: (item: T) => string,
    rawOf: (item: T) => string,
    configOf: (item: T) => WireGuardPeerConfig,
    allConfigs: () => WireGuardPeerConfig[],
    generation: number,
    options: PlanOptions,
  ): PeerPlan {
    const upsert: WireGuardPeerConfig[] = [];
    let hits = 0;
    for (const item of items) {
      const entry = applied.get(keyOf(item));
      const raw = rawOf(item);
      if (entry === undefined || entry.raw !== raw) {
        const config = configOf(item);
        if (entry === undefined || !samePeerConfig(entry.config, config)) {
          upsert.push(config);
          // a changed peer is replaced in place (`allowed-ips` replaces the list), not removed
          if (entry !== undefined && entry.mark !== generation) {
            entry.mark = generation;
            hits++;
          }
          continue;
        }
        entry.raw = raw;
      }
      if (entry.mark !== generation) {
        entry.mark = generation;
        hits++;
      }
    }
    const remove =
      hits === applied.size
        ? []
        : [...applied.values()].filter((entry) => entry.mark !== generation).map((entry) => entry.config.publicKey);
    if (remove.length === 0 && upsert.length === 0) return { kind: 'unchanged' };
    if (remove.length + upsert.length > options.maxIncrementalPeerChanges) {
      return {
        kind: 'sync',
        peers: allConfigs(),
        reason: `${remove.length + upsert.length} peer changes`,
      };
    }
    return { kind: 'set', remove: remove.sort(), upsert };
  }
}

function peerDelta(remove: string[], upsert: WireGuardPeerConfig[]): PeerPlan {
  return remove.length === 0 && upsert.length === 0 ? { kind: 'unchanged' } : { kind: 'set', remove: remove.sort(), upsert };
}

function unmarked<T>(map: Map<string, Map<string, Marked<T>>>, count: number, hits: number, generation: number): T[] {
  if (hits === count) return [];
  const left: T[] = [];
  for (const inner of map.values()) {
    for (const entry of inner.values()) if (entry.mark !== generation) left.push(entry.value);
  }
  return left;
}

/** Sets outer → inner → value; true when the entry is new. */
function putNested<T>(map: Map<string, Map<string, Marked<T>>>, outer: string, inner: string, value: T): boolean {
  let byInner = map.get(outer);
  if (byInner === undefined) {
    byInner = new Map();
    map.set(outer, byInner);
  }
  const isNew = !byInner.has(inner);
  byInner.set(inner, { value, mark: 0 });
  return isNew;
}

function removeNested<T>(map: Map<string, Map<string, Marked<T>>>, outer: string, inner: string): boolean {
  const byInner = map.get(outer);
  if (!byInner?.delete(inner)) return false;
  if (byInner.size === 0) map.delete(outer);
  return true;
}

function commitPeers(applied: Map<string, PeerEntry>, plan: PeerPlan): void {
  if (plan.kind === 'set') {
    for (const key of plan.remove) applied.delete(key);
    for (const config of plan.upsert) applied.set(config.publicKey, { config, raw: null, mark: 0 });
  } else if (plan.kind === 'sync') {
    applied.clear();
    for (const config of plan.peers) applied.set(config.publicKey, { config, raw: null, mark: 0 });
  }
}

function userRaw(peer: GatewayDesiredState['peers'][number]): string {
  return peer.tunnelIp;
}

function siteRaw(site: GatewaySite): string {
  return `${site.agentTunnelIp}|${site.translations.map((translation) => translation.mapped).join(',')}`;
}
