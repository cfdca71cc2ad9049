import type { GatewayStateDelta } from '../wire/gateway-delta.ts';
import type { AllowedPair, GatewayPeer, GatewaySite, NativeMapping } from '../wire/gateway-state.ts';
import { allowedKey, nativeKey } from './gateway-delta.ts';

/**
 * What one revision (or a run of revisions) changed in the gateways' document, element
 * by element: for each element identity the value it had before and the value it has
 * after (undefined = absent). Kept in this form rather than as a wire delta because two
 * of them merge exactly (first `before`, last `after`), so the control plane can answer
 * `after=R` for any retained R without ever diffing whole documents.
 */
export type GatewayChanges = {
  peers: Map<string, Change<GatewayPeer>>;
  allowed: Map<string, Change<AllowedPair>>;
  native: Map<string, Change<NativeMapping>>;
  sites: Map<string, Change<GatewaySite>>;
};

export type Change<V> = { before: V | undefined; after: V | undefined };

/** The stored form (one database row per revision, read by the other replicas). */
export type StoredGatewayChanges = {
  p: Array<[GatewayPeer | null, GatewayPeer | null]>;
  a: Array<[AllowedPair | null, AllowedPair | null]>;
  n: Array<[NativeMapping | null, NativeMapping | null]>;
  s: Array<[GatewaySite | null, GatewaySite | null]>;
};

export function emptyChanges(): GatewayChanges {
  return { peers: new Map(), allowed: new Map(), native: new Map(), sites: new Map() };
}

export function changeCount(changes: GatewayChanges): number {
  return changes.peers.size + changes.allowed.size + changes.native.size + changes.sites.size;
}

/** Folds `next` (later) into `into` (earlier): keeps the earliest before and the latest after. */
export function mergeChanges(into: GatewayChanges, next: GatewayChanges): GatewayChanges {
  mergeMap(into.peers, next.peers);
  mergeMap(into.allowed, next.allowed);
  mergeMap(into.native, next.native);
  mergeMap(into.sites, next.sites);
  return into;
}

/** The wire delta fromRevision → revision; elements whose before equals after are left out. */
export function changesToDelta(changes: GatewayChanges, fromRevision: number, revision: number): GatewayStateDelta {
  const delta: GatewayStateDelta = {
    kind: 'delta',
    fromRevision,
    revision,
    peers: { upsert: [], remove: [] },
    allowed: { add: [], remove: [] },
    native: { add: [], remove: [] },
    sites: { upsert: [], remove: [] },
  };
  for (const [key, { before, after }] of changes.peers) {
    if (after === undefined) {
      if (before !== undefined) delta.peers.remove.push(key);
    } else if (before === undefined || before.tunnelIp !== after.tunnelIp || before.profileId !== after.profileId) delta.peers.upsert.push(after);
  }
  for (const { before, after } of changes.allowed.values()) {
    if (before === undefined && after !== undefined) delta.allowed.add.push(after);
    else if (before !== undefined && after === undefined) delta.allowed.remove.push(before);
  }
  for (const { before, after } of changes.native.values()) {
    if (before?.mapped === after?.mapped) continue;
    if (before !== undefined) delta.native.remove.push(before);
    if (after !== undefined) delta.native.add.push(after);
  }
  for (const [key, { before, after }] of changes.sites) {
    if (after === undefined) {
      if (before !== undefined) delta.sites.remove.push(key);
    } else if (before === undefined || !sameSite(before, after)) delta.sites.upsert.push(after);
  }
  return delta;
}

/**
 * Collects, once per contributor (a user's share, a plant's site entry), its elements
 * before and after a revision. The document never holds an element twice (tunnel IPs,
 * keys and plant ids are unique in every consistent state), so per identity at most one
 * contributor reports it as before and at most one as after, in any order.
 */
export class ChangeRecorder {
  private changes = emptyChanges();

  peer(before: GatewayPeer | undefined, after: GatewayPeer | undefined): void {
    if (before) record(this.changes.peers, before.publicKey, before, 'before');
    if (after) record(this.changes.peers, after.publicKey, after, 'after');
  }

  allowed(before: readonly AllowedPair[], after: readonly AllowedPair[]): void {
    for (const a of before) record(this.changes.allowed, allowedKey(a), a, 'before');
    for (const a of after) record(this.changes.allowed, allowedKey(a), a, 'after');
  }

  native(before: readonly NativeMapping[], after: readonly NativeMapping[]): void {
    for (const n of before) record(this.changes.native, nativeKey(n), n, 'before');
    for (const n of after) record(this.changes.native, nativeKey(n), n, 'after');
  }

  site(plantId: string, before: GatewaySite | undefined, after: GatewaySite | undefined): void {
    const entry = this.changes.sites.get(plantId);
    if (entry) entry.after = after;
    else this.changes.sites.set(plantId, { before, after });
  }

  /** The changes recorded since the last take, with elements that did not move dropped. */
  take(): GatewayChanges {
    const out = this.changes;
    this.changes = emptyChanges();
    dropUnmoved(out.peers, (a, b) => a.tunnelIp === b.tunnelIp && a.profileId === b.profileId);
    dropUnmoved(out.allowed, () => true);
    dropUnmoved(out.native, (a, b) => a.mapped === b.mapped);
    dropUnmoved(out.sites, sameSite);
    return out;
  }
}

export function storeChanges(changes: GatewayChanges): StoredGatewayChanges {
  const pairs = <V>(m: Map<string, Change<V>>): Array<[V | null, V | null]> => [...m.values()].map((c) => [c.before ?? null, c.after ?? null]);
  return { p: pairs(changes.peers), a: pairs(changes.allowed), n: pairs(changes.native), s: pairs(changes.sites) };
}

export function loadChanges(stored: StoredGatewayChanges): GatewayChanges {
  const changes = emptyChanges();
  const fill = <V>(m: Map<string, Change<V>>, rows: Array<[V | null, V | null]>, key: (v: V) => string) => {
    for (const [b, a] of rows) m.set(key((b ?? a) as V), { before: b ?? undefined, after: a ?? undefined });
  };
  fill(changes.peers, stored.p, (p) => p.publicKey);
  fill(changes.allowed, stored.a, allowedKey);
  fill(changes.native, stored.n, nativeKey);
  fill(changes.sites, stored.s, (s) => s.plantId);
  return changes;
}

function record<V>(m: Map<string, Change<V>>, key: string, value: V, side: 'before' | 'after'): void {
  let entry = m.get(key);
  if (!entry) {
    // An element handed from one contributor to another within the revision (a tunnel IP
    // reused) is reported by both; either may come first.
    entry = { before: undefined, after: undefined };
    m.set(key, entry);
  }
  if (side === 'before') entry.before ??= value;
  else entry.after = value;
}

function mergeMap<V>(into: Map<string, Change<V>>, next: Map<string, Change<V>>): void {
  for (const [key, change] of next) {
    const entry = into.get(key);
    if (entry) entry.after = change.after;
    else into.set(key, { before: change.before, after: change.after });
  }
}

function dropUnmoved<V>(m: Map<string, Change<V>>, same: (a: V, b: V) => boolean): void {
  for (const [key, { before, after }] of m) {
    if (before === undefined && after === undefined) m.delete(key);
    else if (before !== undefined && after !== undefined && same(before, after)) m.delete(key);
  }
}

function sameSite(a: GatewaySite, b: GatewaySite): boolean {
  if (a.plantName !== b.plantName || a.agentPublicKey !== b.agentPublicKey || a.agentTunnelIp !== b.agentTunnelIp) return false;
  if (a.translations.length !== b.translations.length) return false;
  return a.translations.every((t, i) => t.mapped === b.translations[i]?.mapped && t.real === b.translations[i]?.real);
}
