import type { GatewayStateDelta } from '../wire/gateway-delta.ts';
import type { AllowedPair, GatewayDesiredState, GatewayPeer, GatewaySite, NativeMapping } from '../wire/gateway-state.ts';

/**
 * Reference implementations of the delta contract (src/core/wire/gateway-delta.ts):
 * `diffGatewayStates(a, b)` is the delta that turns a into b; `applyGatewayDelta(a, d)`
 * applies one. Both are O(size of the documents) — the control plane and the daemons may
 * keep faster incremental forms, and property tests compare those against these.
 */

export type DeltaResult = { ok: true; state: GatewayDesiredState } | { ok: false; reason: 'revision-mismatch' };

export function applyGatewayDelta(state: GatewayDesiredState, delta: GatewayStateDelta): DeltaResult {
  if (state.revision !== delta.fromRevision) return { ok: false, reason: 'revision-mismatch' };
  const peers = new Map(state.peers.map((p) => [p.publicKey, p]));
  for (const key of delta.peers.remove) peers.delete(key);
  for (const p of delta.peers.upsert) peers.set(p.publicKey, p);
  const allowed = new Map(state.allowed.map((a) => [allowedKey(a), a]));
  for (const a of delta.allowed.remove) allowed.delete(allowedKey(a));
  for (const a of delta.allowed.add) allowed.set(allowedKey(a), a);
  const native = new Map(state.native.map((n) => [nativeKey(n), n]));
  for (const n of delta.native.remove) native.delete(nativeKey(n));
  for (const n of delta.native.add) native.set(nativeKey(n), n);
  const sites = new Map(state.sites.map((s) => [s.plantId, s]));
  for (const id of delta.sites.remove) sites.delete(id);
  for (const s of delta.sites.upsert) sites.set(s.plantId, s);
  const next: GatewayDesiredState = {
    ...state,
    revision: delta.revision,
    peers: [...peers.values()],
    allowed: [...allowed.values()],
    native: [...native.values()],
    sites: [...sites.values()],
  };
  // The proxy section travels whole: present replaces it, null removes it, absent keeps it.
  if (delta.proxy === null) delete next.proxy;
  else if (delta.proxy !== undefined) next.proxy = delta.proxy;
  return { ok: true, state: next };
}

export function diffGatewayStates(from: GatewayDesiredState, to: GatewayDesiredState): GatewayStateDelta {
  const fromPeers = new Map(from.peers.map((p) => [p.publicKey, p]));
  const toPeers = new Map(to.peers.map((p) => [p.publicKey, p]));
  const fromAllowed = new Map(from.allowed.map((a) => [allowedKey(a), a]));
  const toAllowed = new Map(to.allowed.map((a) => [allowedKey(a), a]));
  const fromNative = new Map(from.native.map((n) => [nativeKey(n), n]));
  const toNative = new Map(to.native.map((n) => [nativeKey(n), n]));
  const fromSites = new Map(from.sites.map((s) => [s.plantId, s]));
  const toSites = new Map(to.sites.map((s) => [s.plantId, s]));
  const proxyMoved = JSON.stringify(from.proxy ?? null) !== JSON.stringify(to.proxy ?? null);
  return {
    ...(proxyMoved ? { proxy: to.proxy ?? null } : {}),
    kind: 'delta',
    fromRevision: from.revision,
    revision: to.revision,
    peers: {
      upsert: [...toPeers.values()].filter((p) => !samePeer(fromPeers.get(p.publicKey), p)),
      remove: [...fromPeers.keys()].filter((k) => !toPeers.has(k)),
    },
    allowed: {
      add: [...toAllowed].filter(([k]) => !fromAllowed.has(k)).map(([, a]) => a),
      remove: [...fromAllowed].filter(([k]) => !toAllowed.has(k)).map(([, a]) => a),
    },
    native: {
      // A native entry whose mapped prefix changed is removed and added again.
      add: [...toNative].filter(([k, n]) => fromNative.get(k)?.mapped !== n.mapped).map(([, n]) => n),
      remove: [...fromNative].filter(([k, n]) => toNative.get(k)?.mapped !== n.mapped).map(([, n]) => n),
    },
    sites: {
      upsert: [...toSites.values()].filter((s) => !sameSiteEntry(fromSites.get(s.plantId), s)),
      remove: [...fromSites.keys()].filter((k) => !toSites.has(k)),
    },
  };
}

/** True when the fields a delta never carries are equal (else only a full document may follow). */
export function deltaCompatible(from: GatewayDesiredState, to: GatewayDesiredState): boolean {
  return (
    from.region === to.region &&
    from.servicePublicKey === to.servicePublicKey &&
    from.serviceTunnelIp === to.serviceTunnelIp &&
    from.tunnelRange === to.tunnelRange &&
    from.mappedSpace === to.mappedSpace &&
    JSON.stringify(from.gateway) === JSON.stringify(to.gateway)
  );
}

/** The document in a canonical order, for comparing two documents as sets. */
export function canonicalGatewayState(state: GatewayDesiredState): GatewayDesiredState {
  const by =
    <T>(key: (x: T) => string) =>
    (a: T, b: T) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  return {
    ...state,
    peers: [...state.peers].sort(by((p) => p.publicKey)),
    allowed: [...state.allowed].sort(by(allowedKey)),
    native: [...state.native].sort(by(nativeKey)),
    sites: [...state.sites].sort(by((s) => s.plantId)).map((s) => ({ ...s, translations: [...s.translations].sort(by((t) => t.mapped)) })),
    ...(state.proxy
      ? { proxy: { ...state.proxy, targets: [...state.proxy.targets].sort(by((t) => t.id)), sessions: [...state.proxy.sessions].sort(by((x) => x.id)) } }
      : {}),
  };
}

export function isEmptyDelta(delta: GatewayStateDelta): boolean {
  return (
    delta.peers.upsert.length +
      delta.peers.remove.length +
      delta.allowed.add.length +
      delta.allowed.remove.length +
      delta.native.add.length +
      delta.native.remove.length +
      delta.sites.upsert.length +
      delta.sites.remove.length ===
      0 && delta.proxy === undefined
  );
}

export function allowedKey(a: AllowedPair): string {
  return `${a.userIp} ${a.mapped}`;
}

export function nativeKey(n: NativeMapping): string {
  return `${n.userIp} ${n.native}`;
}

function samePeer(a: GatewayPeer | undefined, b: GatewayPeer): boolean {
  return a !== undefined && a.tunnelIp === b.tunnelIp && a.profileId === b.profileId;
}

function sameSiteEntry(a: GatewaySite | undefined, b: GatewaySite): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
