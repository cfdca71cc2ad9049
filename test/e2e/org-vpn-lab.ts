import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WireGuardGoDriver } from '../../src/os/wireguard/wireguard-go-driver.ts';
import type { LabProcess } from './netns.ts';
import { FLOW, GATEWAY_IP, type LabUser, NODE, REGION, SERVER_URL, ScenarioLab } from './scenario-lab.ts';
import { PEOPLE, PLANT_A, PLANT_B, passwordOf, scenarioFleet } from './scenario-fleet.ts';
import { wgQuickUp } from './wg-quick.ts';

/**
 * The organization VPN in network namespaces (issue 12, SPEC O1), on the scenario lab
 * (control plane, one gateway, agents of Plant A and Plant B, both on 192.168.1.0/24):
 *
 *   office host 10.77.0.5 ── office router 10.77.0.1 (olga's namespace: the CLI, and
 *   wireguard-go brought up wg-quick style from the site config `org-vpn client add --out`
 *   wrote; it forwards and masquerades the office network into the tunnel) ── gateway
 *
 * SolarCo's VPN "office" routes Plant A only. Shared by the e2e tests and bench/org-vpn-cut.ts.
 *
 * With `protocol: 'openvpn'` the VPN is an OpenVPN one: the router runs the real `openvpn`
 * client with the show-once `.ovpn` (`client add --out x.ovpn`) against the gateway's OpenVPN
 * servers and masquerades the office network to its tun, as the WireGuard site does; a
 * device client can be connected from a namespace of its own (connectDevice).
 */
export const OFFICE_NETWORK = '10.77.0.0/24';
export const VPN_PATH = '/orgs/SolarCo/org-vpns/office';

export class OrgVpnLab {
  readonly s = new ScenarioLab();
  /** The SolarCo Admin, whose namespace is the office router. */
  router!: LabUser;
  /** A machine behind the router (only `ns` is used by the probes). */
  host!: LabUser;
  readonly mapped = { A: '', B: '' };
  readonly routerIface: string;
  readonly protocol: 'wireguard' | 'openvpn';
  confPath = '';
  /** The router's openvpn client (OpenVPN VPNs). */
  siteClient: LabProcess | null = null;

  constructor(options: { protocol?: 'wireguard' | 'openvpn' } = {}) {
    this.protocol = options.protocol ?? 'wireguard';
    this.routerIface = this.protocol === 'openvpn' ? 'tun0' : this.s.lab.name('wgo');
  }

  async start(): Promise<void> {
    const { s } = this;
    await s.build();
    await s.startServer();
    await s.loginAdmin();
    await s.applyFleet(scenarioFleet());
    await s.admin(['admin', 'region', 'add', REGION, '--endpoint', `${GATEWAY_IP}:51820`]);
    // Flow capture on, reported every 2 s: the audit trail's attribution is part of what the e2e test checks.
    await s.startGateway({ reconcileSeconds: 5, args: ['--flow-capture', 'on', '--flow-report-seconds', '2'] });
    await s.startAgent('agentA', PLANT_A);
    await s.startAgent('agentB', PLANT_B);
    this.router = await s.addUser(PEOPLE.olga, passwordOf(PEOPLE.olga));
    const hostNs = await s.lab.addNamespace('ohst');
    await s.lab.addVeth({ ns: this.router.ns, iface: 'office0', address: '10.77.0.1/24' }, { ns: hostNs, iface: 'eth0', address: '10.77.0.5/24' });
    await s.lab.addRoute(hostNs, ['default', 'via', '10.77.0.1']);
    await s.lab.enableForwarding(this.router.ns);
    this.host = { ...this.router, email: 'office-host', ns: hostNs, up: false };

    // Created with both plants to learn both mapped prefixes, then Plant B leaves: the VPN routes Plant A only.
    const protocol = this.protocol === 'openvpn' ? ['--protocol', 'openvpn'] : [];
    const created = JSON.parse((await this.olga(['org-vpn', 'create', 'office', '--org', 'SolarCo', '--region', REGION, '--plant', PLANT_A, '--plant', PLANT_B, ...protocol, '--json'])).stdout);
    const mappedOf = (plant: string) => (created.routes.find((r: { plant: string }) => r.plant === plant)?.mapped ?? '') as string;
    this.mapped.A = mappedOf(PLANT_A).replace(/\.0\/24$/, '.10');
    this.mapped.B = mappedOf(PLANT_B).replace(/\.0\/24$/, '.10');
    await this.olga(['org-vpn', 'plant', 'remove', 'office', PLANT_B, '--org', 'SolarCo']);
    await this.connectSite('hq');
  }

  /** `org-vpn client add --kind site --out`, then the router brings the config up as wg-quick would and masquerades the office network. */
  async connectSite(name: string): Promise<void> {
    const { s } = this;
    this.confPath = join(s.work, `${name}.${this.protocol === 'openvpn' ? 'ovpn' : 'conf'}`);
    await this.olga(['org-vpn', 'client', 'add', 'office', '--org', 'SolarCo', '--name', name, '--kind', 'site', '--network', OFFICE_NETWORK, '--out', this.confPath]);
    if (this.protocol === 'openvpn') {
      // a previous site's client (removed: refused by the CRL) gives up tun0 first
      await this.siteClient?.stop();
      this.siteClient = await this.startOpenVpn(this.router.ns, this.confPath);
    } else {
      const driver = new WireGuardGoDriver({ netns: this.router.ns });
      await driver.deleteInterface(this.routerIface).catch(() => undefined);
      s.lab.trackWireGuardInterface(this.routerIface);
      await wgQuickUp(s.lab, this.router.ns, this.routerIface, readFileSync(this.confPath, 'utf8'), driver);
    }
    // What the router's admin adds (the config's comment says so): the office network leaves the tunnel as the router's
    // tunnel address; toward its uplink (where the control plane is) as its uplink address, as office routers do.
    const nat = `table ip office {}\ndelete table ip office\ntable ip office {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "${this.routerIface}" ip saddr ${OFFICE_NETWORK} masquerade\n\t\toifname "up0" ip saddr ${OFFICE_NETWORK} masquerade\n\t}\n}\n`;
    await s.lab.exec(this.router.ns, 'nft', ['-f', '-'], { stdin: nat });
  }

  /**
   * OpenVPN VPNs: `client add --kind device --out NAME.ovpn` (olga makes it), then the real
   * openvpn client with that file in `user`'s namespace (a shared team machine).
   */
  async connectDevice(name: string, user: LabUser): Promise<{ file: string; client: LabProcess }> {
    const file = join(this.s.work, `${name}.ovpn`);
    await this.olga(['org-vpn', 'client', 'add', 'office', '--org', 'SolarCo', '--name', name, '--kind', 'device', '--out', file]);
    return { file, client: await this.startOpenVpn(user.ns, file) };
  }

  /** The real openvpn client, up when it says so (the gateway's servers start once the first OpenVPN client exists: it retries until then). */
  async startOpenVpn(ns: string, file: string): Promise<LabProcess> {
    const client = this.s.lab.startProcess(ns, 'openvpn', ['--config', file]);
    await client.waitForLine(/Initialization Sequence Completed/, 45_000);
    return client;
  }

  olga(args: string[]) {
    return this.s.as(this.router, args);
  }

  /** A TCP flow from the office host to Plant A's mapped device; `changeAtMs` after it stands, `DELETE path` through the API (olga's token). */
  flowWithChange(target: string, changeAtMs: number, deletePath: string, durationMs: number, intervalMs = 20): LabProcess {
    return this.s.lab.startProcess(this.host.ns, NODE, [FLOW, 'flow', target, '502', String(intervalMs), String(durationMs), String(changeAtMs), SERVER_URL, this.s.token(this.router), `DELETE ${deletePath}`]);
  }

  async cleanup(): Promise<void> {
    if (this.protocol === 'wireguard') await new WireGuardGoDriver({ netns: this.router?.ns ?? '' }).deleteInterface(this.routerIface).catch(() => undefined);
    await this.s.cleanup();
  }
}
