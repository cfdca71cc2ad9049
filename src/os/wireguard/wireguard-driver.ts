import type { WgDump } from './wg-dump.ts';
import type { WireGuardPeerConfig } from './wireguard-peer.ts';

/**
 * Port: the WireGuard interfaces of a gateway or an agent. Implementations:
 * WireGuardGoDriver (wireguard-go + wg, optionally inside a network namespace) and
 * FakeWireGuardDriver (memory). Both pass wireguard-driver.contract.ts.
 */

export type WireGuardInterfaceSpec = {
  /** ≤ 15 characters and unique on the host: wireguard-go's control socket is
   * /var/run/wireguard/NAME.sock, shared by every network namespace. */
  name: string;
  /** base64; handed to wg on stdin only. */
  privateKey: string;
  /** null: let WireGuard pick a port (clients). */
  listenPort: number | null;
  /** CIDRs assigned to the interface, e.g. "100.64.0.1/32". */
  addresses: string[];
  /** Destinations routed into the interface, e.g. "100.80.0.0/12". */
  routes: string[];
  mtu?: number;
};

export type PeerChanges = { remove: string[]; upsert: WireGuardPeerConfig[] };

export interface WireGuardDriver {
  /** Creates and configures the interface; rejects if the name is in use. */
  createInterface(spec: WireGuardInterfaceSpec): Promise<void>;
  /** Removes the interface; a missing interface is not an error. */
  deleteInterface(name: string): Promise<void>;
  /** Sets the private key (and listen port, when given) of an existing interface. */
  setPrivateKey(name: string, privateKey: string, listenPort: number | null): Promise<void>;
  /** Removes and adds/replaces peers in one step; AllowedIPs of an upserted peer are replaced. */
  changePeers(name: string, changes: PeerChanges): Promise<void>;
  /** Makes the peer list exactly `peers` (one `wg syncconf`); the key and port stay. */
  syncPeers(name: string, peers: WireGuardPeerConfig[]): Promise<void>;
  /**
   * Replaces the whole configuration (private key, listen port, peers with pre-shared keys)
   * with a `wg setconf` text (issue 9: a direct VPN rendered from its parsed model). The text
   * holds secrets: it reaches `wg` only through a 0600 file removed right after (withSecretFile), never an argument or a log.
   */
  setConf(name: string, config: string): Promise<void>;
  /** The interface and its peers, or null when it does not exist. Never includes the private key. */
  readDump(name: string): Promise<WgDump | null>;
}
