import { allowedKey, nativeKey } from '../core/state/gateway-delta.ts';
import type { GatewayStateDelta } from '../core/wire/gateway-delta.ts';
import type { AllowedPair, GatewayDesiredState, GatewayPeer, GatewaySite, NativeMapping } from '../core/wire/gateway-state.ts';

/**
 * The gateway's copy of its desired state, kept indexed so that a delta from the control
 * plane (src/core/wire/gateway-delta.ts) is applied in time proportional to the delta, not
 * to the 100,000-element document (the reference applyGatewayDelta copies everything).
 * Element identities are those of the contract: a peer is its public key, an allowed pair
 * userIp + mapped, a native mapping userIp + native, a site its plantId.
 *
 * Values are never mutated in place (a delta replaces them), so `toState()` may hand out
 * the same element objects to a snapshot being written while later deltas arrive.
 */

export type DocumentHeader = Omit<GatewayDesiredState, 'peers' | 'allowed' | 'native' | 'sites'>;

export type ApplyDeltaResult =
  | { ok: true; previousSites: Map<string, GatewaySite | undefined> }
  | { ok: false; reason: 'revision-mismatch'; held: number };

export class GatewayDocument {
  private headerValue: DocumentHeader;
  private readonly peers = new Map<string, GatewayPeer>();
  private readonly allowed = new Map<string, AllowedPair>();
  private readonly native = new Map<string, NativeMapping>();
  private readonly sites = new Map<string, GatewaySite>();

  private constructor(header: DocumentHeader) {
    this.headerValue = header;
  }

  static fromState(state: GatewayDesiredState): GatewayDocument {
    const { peers, allowed, native, sites, ...header } = state;
    const document = new GatewayDocument(header);
    for (const peer of peers) document.peers.set(peer.publicKey, peer);
    for (const pair of allowed) document.allowed.set(allowedKey(pair), pair);
    for (const mapping of native) document.native.set(nativeKey(mapping), mapping);
    for (const site of sites) document.sites.set(site.plantId, site);
    return document;
  }

  get revision(): number {
    return this.headerValue.revision;
  }

  get header(): DocumentHeader {
    return this.headerValue;
  }

  get counts(): { peers: number; allowed: number; native: number; sites: number } {
    return { peers: this.peers.size, allowed: this.allowed.size, native: this.native.size, sites: this.sites.size };
  }

  /**
   * Applies a delta in place (O(size of the delta)). Refused, and nothing changed, when it
   * does not start from the revision held: the caller fetches the full document.
   * `previousSites`: each touched site as it was before, for planning its peer change.
   */
  applyDelta(delta: GatewayStateDelta): ApplyDeltaResult {
    if (delta.fromRevision !== this.revision) return { ok: false, reason: 'revision-mismatch', held: this.revision };
    for (const key of delta.peers.remove) this.peers.delete(key);
    for (const peer of delta.peers.upsert) this.peers.set(peer.publicKey, peer);
    for (const pair of delta.allowed.remove) this.allowed.delete(allowedKey(pair));
    for (const pair of delta.allowed.add) this.allowed.set(allowedKey(pair), pair);
    for (const mapping of delta.native.remove) this.native.delete(nativeKey(mapping));
    for (const mapping of delta.native.add) this.native.set(nativeKey(mapping), mapping);
    const previousSites = new Map<string, GatewaySite | undefined>();
    for (const plantId of delta.sites.remove) {
      if (!previousSites.has(plantId)) previousSites.set(plantId, this.sites.get(plantId));
      this.sites.delete(plantId);
    }
    for (const site of delta.sites.upsert) {
      if (!previousSites.has(site.plantId)) previousSites.set(site.plantId, this.sites.get(site.plantId));
      this.sites.set(site.plantId, site);
    }
    // the proxy section travels whole (src/core/wire/gateway-delta.ts): null removes it, absent keeps it
    if (delta.proxy === null) {
      const { proxy: _removed, ...header } = this.headerValue;
      this.headerValue = header;
    } else if (delta.proxy !== undefined) this.headerValue = { ...this.headerValue, proxy: delta.proxy };
    this.headerValue = { ...this.headerValue, revision: delta.revision };
    return { ok: true, previousSites };
  }

  /** The whole document (O(n): for a full apply, a reconcile, a snapshot). */
  toState(): GatewayDesiredState {
    return {
      ...this.headerValue,
      peers: [...this.peers.values()],
      allowed: [...this.allowed.values()],
      native: [...this.native.values()],
      sites: [...this.sites.values()],
    };
  }

  /** A user peer by its identity (a WireGuard key, or `openvpn:<serial>`). */
  peer(key: string): GatewayPeer | undefined {
    return this.peers.get(key);
  }

  /** The native prefixes active for one user tunnel IP (read at an OpenVPN client's connect: O(native mappings)). */
  nativeOf(userIp: string): string[] {
    const prefixes: string[] = [];
    for (const mapping of this.native.values()) if (mapping.userIp === userIp) prefixes.push(mapping.native);
    return prefixes;
  }

  site(plantId: string): GatewaySite | undefined {
    return this.sites.get(plantId);
  }

  siteList(): GatewaySite[] {
    return [...this.sites.values()];
  }
}
