import { canonicalPrefix } from '../../core/net/ipv4.ts';
import type { WgDump, WgPeerDump } from './wg-dump.ts';
import { wireGuardPublicKey } from '../../crypto/wireguard-keys.ts';
import { checkedPublicKey, type WireGuardPeerConfig } from './wireguard-peer.ts';
import type { PeerChanges, WireGuardDriver, WireGuardInterfaceSpec } from './wireguard-driver.ts';

/**
 * In-memory WireGuardDriver for planner/applier tests. Mirrors the behaviour of the
 * real one that callers depend on (checked by the shared contract suite): one
 * interface name per host, AllowedIPs moving to the last peer that claims them, no
 * private key in any answer.
 */
export class FakeWireGuardDriver implements WireGuardDriver {
  private readonly interfaces = new Map<string, { publicKey: string; listenPort: number; peers: WgPeerDump[] }>();
  /** Every call, for tests that assert on the number of operations. */
  readonly calls: string[] = [];
  /** Endpoint host names that do not resolve: a call naming one fails as a whole, like `wg`. */
  readonly unresolvable = new Set<string>();

  async createInterface(spec: WireGuardInterfaceSpec): Promise<void> {
    this.calls.push(`create ${spec.name}`);
    if (this.interfaces.has(spec.name)) throw new Error(`WireGuard interface name ${spec.name} is already in use on this host`);
    this.interfaces.set(spec.name, {
      publicKey: wireGuardPublicKey(spec.privateKey),
      listenPort: spec.listenPort ?? 40000 + this.interfaces.size,
      peers: [],
    });
  }

  async deleteInterface(name: string): Promise<void> {
    this.calls.push(`delete ${name}`);
    this.interfaces.delete(name);
  }

  async setPrivateKey(name: string, privateKey: string, listenPort: number | null): Promise<void> {
    this.calls.push(`set-key ${name}`);
    const iface = this.existing(name);
    iface.publicKey = wireGuardPublicKey(privateKey);
    if (listenPort !== null) iface.listenPort = listenPort;
  }

  async changePeers(name: string, changes: PeerChanges): Promise<void> {
    this.calls.push(`set ${name}`);
    const iface = this.existing(name);
    this.resolve(changes.upsert);
    const removed = new Set(changes.remove.map(checkedPublicKey));
    iface.peers = iface.peers.filter((peer) => !removed.has(peer.publicKey));
    for (const peer of changes.upsert) upsertPeer(iface.peers, peer);
  }

  async syncPeers(name: string, peers: WireGuardPeerConfig[]): Promise<void> {
    this.calls.push(`syncconf ${name}`);
    const iface = this.existing(name);
    this.resolve(peers);
    const kept = new Map(iface.peers.map((peer) => [peer.publicKey, peer]));
    iface.peers = [];
    for (const peer of peers) {
      // syncconf keeps the live state (handshake, counters) of peers that stay.
      const previous = kept.get(peer.publicKey);
      if (previous) iface.peers.push({ ...previous, allowedIps: [] });
      upsertPeer(iface.peers, peer);
    }
  }

  /** Reads the few keys plantgate's renderers write; like `wg setconf`, peers not named go. */
  async setConf(name: string, config: string): Promise<void> {
    this.calls.push(`setconf ${name}`);
    const iface = this.existing(name);
    const peers: Array<WireGuardPeerConfig & { psk: boolean }> = [];
    let section = '';
    for (const raw of config.split('\n')) {
      const line = raw.trim();
      if (line.startsWith('[')) {
        section = line;
        if (section === '[Peer]') peers.push({ publicKey: '', allowedIps: [], endpoint: null, persistentKeepalive: null, psk: false });
        continue;
      }
      const match = /^(\w+)\s*=\s*(.*)$/.exec(line);
      if (!match) continue;
      const [, key, value] = match;
      const peer = peers[peers.length - 1];
      if (section === '[Interface]' && key === 'PrivateKey') iface.publicKey = wireGuardPublicKey(value);
      else if (section === '[Interface]' && key === 'ListenPort') iface.listenPort = Number(value);
      else if (peer && key === 'PublicKey') peer.publicKey = checkedPublicKey(value);
      else if (peer && key === 'AllowedIPs') peer.allowedIps = value.split(',').map((entry) => entry.trim());
      else if (peer && key === 'Endpoint') peer.endpoint = value;
      else if (peer && key === 'PersistentKeepalive') peer.persistentKeepalive = Number(value);
      else if (peer && key === 'PresharedKey') peer.psk = true;
    }
    this.resolve(peers);
    iface.peers = [];
    for (const peer of peers) {
      upsertPeer(iface.peers, peer);
      const stored = iface.peers.find((entry) => entry.publicKey === peer.publicKey);
      if (stored) stored.hasPresharedKey = peer.psk;
    }
  }

  /** Tests: what the peer's live counters say (a handshake, bytes), as traffic would set them. */
  setPeerTraffic(name: string, publicKey: string, traffic: Partial<Pick<WgPeerDump, 'latestHandshake' | 'rxBytes' | 'txBytes'>>): void {
    const peer = this.existing(name).peers.find((p) => p.publicKey === publicKey);
    if (!peer) throw new Error(`no peer ${publicKey} on ${name}`);
    Object.assign(peer, traffic);
  }

  async readDump(name: string): Promise<WgDump | null> {
    const iface = this.interfaces.get(name);
    if (!iface) return null;
    return {
      interface: { publicKey: iface.publicKey, listenPort: iface.listenPort, fwmark: null },
      peers: iface.peers.map((peer) => ({ ...peer, allowedIps: [...peer.allowedIps] })),
    };
  }

  private resolve(peers: WireGuardPeerConfig[]): void {
    for (const peer of peers) {
      const host = peer.endpoint?.replace(/:\d+$/, '');
      if (host && this.unresolvable.has(host)) throw new Error(`Name or service not known: \`${peer.endpoint}'`);
    }
  }

  private existing(name: string) {
    const iface = this.interfaces.get(name);
    if (!iface) throw new Error(`Unable to access interface ${name}: No such device`);
    return iface;
  }
}

function upsertPeer(peers: WgPeerDump[], config: WireGuardPeerConfig): void {
  const allowedIps = config.allowedIps.map((entry) => (entry.includes(':') ? entry : canonicalPrefix(entry)));
  // Cryptokey routing: an address belongs to exactly one peer, the last to claim it.
  for (const other of peers) other.allowedIps = other.allowedIps.filter((entry) => !allowedIps.includes(entry));
  const existing = peers.find((peer) => peer.publicKey === checkedPublicKey(config.publicKey));
  if (existing) {
    existing.allowedIps = allowedIps;
    if (config.endpoint !== undefined) existing.endpoint = config.endpoint ?? null;
    if (config.persistentKeepalive !== undefined) existing.persistentKeepalive = config.persistentKeepalive ?? null;
    return;
  }
  peers.push({
    publicKey: config.publicKey,
    hasPresharedKey: false,
    endpoint: config.endpoint ?? null,
    allowedIps,
    latestHandshake: 0,
    rxBytes: 0,
    txBytes: 0,
    persistentKeepalive: config.persistentKeepalive ?? null,
  });
}
