import { canonicalPrefix } from '../../core/net/ipv4.ts';
import { diffSets, type IpConfigDriver } from './ip-config-driver.ts';

/** In-memory IpConfigDriver for unit tests. */
export class FakeIpConfigDriver implements IpConfigDriver {
  readonly addresses = new Map<string, string[]>();
  readonly routes = new Map<string, string[]>();
  forwarding = false;

  async syncAddresses(iface: string, cidrs: string[]): Promise<string[]> {
    const { add, remove } = diffSets(cidrs, this.addresses.get(iface) ?? []);
    this.addresses.set(iface, [...cidrs].sort());
    return [...add.map((cidr) => `+${cidr}`), ...remove.map((cidr) => `-${cidr}`)];
  }

  async syncRoutes(iface: string, cidrs: string[]): Promise<string[]> {
    const canonical = cidrs.map((cidr) => canonicalPrefix(cidr));
    const { add, remove } = diffSets(canonical, this.routes.get(iface) ?? []);
    this.routes.set(iface, [...new Set(canonical)].sort());
    return [...add.map((cidr) => `+${cidr}`), ...remove.map((cidr) => `-${cidr}`)];
  }

  async routesOf(iface: string): Promise<string[]> {
    return [...(this.routes.get(iface) ?? [])];
  }

  async enableForwarding(): Promise<boolean> {
    const changed = !this.forwarding;
    this.forwarding = true;
    return changed;
  }
}
