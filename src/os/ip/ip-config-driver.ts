/**
 * Port: the IP configuration of a daemon's own WireGuard interfaces — their addresses,
 * the routes through them, and IPv4 forwarding. Reconciled on every apply, like peers
 * and nft: which agents and gateways exist changes at run time, and so do the /32
 * routes toward them. Implementations: IpCliConfigDriver (`ip -j`, `sysctl`) and
 * FakeIpConfigDriver. Only the interfaces it is asked about are ever touched.
 */
export interface IpConfigDriver {
  /** Makes the IPv4 addresses of `iface` exactly `cidrs`; returns what changed ("+a", "-b"). */
  syncAddresses(iface: string, cidrs: string[]): Promise<string[]>;
  /** Makes the main-table routes through `iface` (not the kernel's own) exactly `cidrs`; returns what changed. */
  syncRoutes(iface: string, cidrs: string[]): Promise<string[]>;
  /** The main-table routes through `iface` (not the kernel's own), canonical; [] when it does not exist. */
  routesOf(iface: string): Promise<string[]>;
  /** Turns on net.ipv4.ip_forward; true when it was off. */
  enableForwarding(): Promise<boolean>;
}

/** What to add and what to remove so that `current` becomes `desired` (both canonical). */
export function diffSets(desired: string[], current: string[]): { add: string[]; remove: string[] } {
  const want = new Set(desired);
  const have = new Set(current);
  return { add: [...want].filter((item) => !have.has(item)).sort(), remove: [...have].filter((item) => !want.has(item)).sort() };
}
