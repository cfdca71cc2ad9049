import type { StateStore } from '../daemon/state-store.ts';
import type { WgDump } from '../os/wireguard/wg-dump.ts';
import type { WireGuardDriver } from '../os/wireguard/wireguard-driver.ts';
import type { WireGuardPeerConfig } from '../os/wireguard/wireguard-peer.ts';

/**
 * Issue 11 item 4: agents reconnect to a restarted gateway within seconds, not ~40 s.
 *
 * Agents dial out (often through NAT), so a gateway's site peers have no endpoint until an
 * agent handshakes. A restarted gateway (new wireguard-go, no sessions) therefore waited for
 * each agent to notice its own session was dead — its keepalive plus WireGuard's rekey
 * timeout, up to ~40 s (docs/decisions/daemons.md). The gateway now keeps the endpoints it
 * learnt (state dir, `site-endpoints`, refreshed with every status report) and, once after
 * its start, gives each site peer its last endpoint and a keepalive: wireguard-go sends the
 * keepalive at once, which starts a handshake toward the agent; the agent answers it, and
 * both sides have a fresh session one round trip later. NAT mappings survive: the agent's
 * own keepalive (25 s) kept them open until the gateway died.
 */

const STORE_KEY = 'site-endpoints';
/** The gateway side keeps the keepalive: it also holds the agents' NAT mappings open from this side. */
export const SITE_KICK_KEEPALIVE_SECONDS = 25;

export type SiteEndpoints = Record<string, string>;

/** Peers with a handshake and an endpoint: where each agent was last reached. */
export function learntEndpoints(dump: WgDump | null): SiteEndpoints {
  const found: SiteEndpoints = {};
  for (const peer of dump?.peers ?? []) {
    if (peer.endpoint !== null && peer.latestHandshake > 0) found[peer.publicKey] = peer.endpoint;
  }
  return found;
}

/** The peers to point at their remembered endpoint: those the fresh interface has not heard from yet. */
export function kickPeers(dump: WgDump | null, remembered: SiteEndpoints): WireGuardPeerConfig[] {
  const peers: WireGuardPeerConfig[] = [];
  for (const peer of dump?.peers ?? []) {
    const endpoint = remembered[peer.publicKey];
    if (endpoint === undefined || peer.latestHandshake > 0 || peer.endpoint !== null) continue;
    peers.push({ publicKey: peer.publicKey, allowedIps: peer.allowedIps, endpoint, persistentKeepalive: SITE_KICK_KEEPALIVE_SECONDS });
  }
  return peers;
}

type Log = { info(message: string, fields?: Record<string, unknown>): void; warn(message: string, fields?: Record<string, unknown>): void };

export class SiteEndpointMemory {
  private remembered: SiteEndpoints = {};
  private loaded = false;
  private kicked = false;
  private readonly store: StateStore;
  private readonly log: Log;

  constructor(store: StateStore, log: Log) {
    this.store = store;
    this.log = log;
  }

  /** Keeps what the sites interface learnt; written only when an endpoint moved or appeared. */
  async remember(dump: WgDump | null): Promise<void> {
    await this.load();
    const learnt = learntEndpoints(dump);
    const merged = { ...this.remembered, ...learnt };
    // Peers that are gone from the interface are forgotten (a removed plant).
    if (dump !== null) for (const key of Object.keys(merged)) if (!dump.peers.some((p) => p.publicKey === key)) delete merged[key];
    if (sameEndpoints(merged, this.remembered)) return;
    this.remembered = merged;
    await this.store.write(STORE_KEY, merged);
  }

  /** Once per process, after the first apply: the agents' last endpoints, each with a keepalive that starts a handshake. */
  async kickOnce(wireguard: WireGuardDriver, iface: string): Promise<number> {
    if (this.kicked) return 0;
    this.kicked = true;
    await this.load();
    const peers = kickPeers(await wireguard.readDump(iface), this.remembered);
    if (peers.length === 0) return 0;
    await wireguard.changePeers(iface, { remove: [], upsert: peers });
    this.log.info('site peers pointed at their last endpoints: handshakes started', { peers: peers.length });
    return peers.length;
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const saved = await this.store.read(STORE_KEY).catch(() => null);
    if (saved !== null && typeof saved === 'object' && !Array.isArray(saved)) {
      this.remembered = Object.fromEntries(Object.entries(saved as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
  }
}

function sameEndpoints(a: SiteEndpoints, b: SiteEndpoints): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
