import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cidr, formatIpv4, ipv4ToInt, prefixSize } from '../../src/core/net/ipv4.ts';
import { createTestPki, openVpnStaticKey, type TestCertificate, type TestPki } from '../support/openvpn-pki.ts';
import { assertNetnsCapable } from './netns.ts';
import { GATEWAY_IP, type LabUser, NODE, REGION, ScenarioLab } from './scenario-lab.ts';
import { PEOPLE, PLANT_A, passwordOf, scenarioFleet } from './scenario-fleet.ts';

/**
 * Issue 9, outgoing OpenVPN: the lab the e2e test (direct-vpn-openvpn.test.ts) and the timing
 * benchmark (bench/direct-vpn-openvpn-timing.ts) share. A "plant router" namespace runs real
 * `openvpn` 2.6 servers — UDP and TCP (modern, tls-crypt) and one configured like old firmware
 * (AES-128-CBC, SHA1, TLS 1.0 at most, LZO, tls-auth) — with a LAN behind it. Every server
 * pushes `redirect-gateway def1`, `route 0.0.0.0 0.0.0.0` and a route outside the direct VPN's
 * subnet. The organization's Admin (olga) uploads the router's client .ovpn with `plantgate
 * site-vpn create`; plant A's agent dials out; an Operator (alice) reaches the router's LAN
 * device through her personal VPN.
 *
 *   inet ── router 10.10.4.2 (openvpn udp/1194, tcp/1194, legacy udp/1195) ── rlan 10.40.0.10
 *     └── agentA 10.10.2.2 (plantgate agent) dials 10.10.4.2
 */

export const ROUTER_IP = '10.10.4.2';
export const ROUTER_LAN = '10.40.0.0/24';
export const ROUTER_DEVICE = '10.40.0.10';
export const FOREIGN = '10.66.0.0';
const DEVICE = new URL('./fixtures/plant-device.ts', import.meta.url).pathname;

export function mappedHost(mappedPrefix: string, real: string): string {
  const mapped = cidr(mappedPrefix);
  return formatIpv4(mapped.start + (ipv4ToInt(real) % prefixSize(mapped.length)));
}

export type RouterServer = { name: string; proto: 'udp' | 'tcp-server'; port: number; network: string; legacy: boolean };
export const SERVERS = {
  udp: { name: 'udp', proto: 'udp', port: 1194, network: '10.9.0.0', legacy: false },
  tcp: { name: 'tcp', proto: 'tcp-server', port: 1194, network: '10.9.1.0', legacy: false },
  legacy: { name: 'legacy', proto: 'udp', port: 1195, network: '10.9.2.0', legacy: true },
} satisfies Record<string, RouterServer>;

function routerConfig(server: RouterServer, pki: TestPki, tlsCrypt: string, tlsAuth: string, dir: string): string {
  return [
    `dev ovr${server.name.slice(0, 3)}`,
    'dev-type tun',
    'topology subnet',
    `proto ${server.proto}`,
    `port ${server.port}`,
    `server ${server.network} 255.255.255.0`,
    'dh none',
    'keepalive 10 60',
    'verb 3',
    `crl-verify ${join(dir, 'crl.pem')}`,
    // what plantgate must never take from a server
    'push "redirect-gateway def1"',
    'push "route 0.0.0.0 0.0.0.0"',
    `push "route ${FOREIGN} 255.255.255.0"`,
    `push "route ${ROUTER_LAN.split('/')[0]} 255.255.255.0"`,
    ...(server.legacy
      ? ['data-ciphers AES-128-CBC', 'data-ciphers-fallback AES-128-CBC', 'auth SHA1', 'tls-version-min 1.0', 'tls-version-max 1.0', 'tls-cipher DEFAULT:@SECLEVEL=0', 'comp-lzo', 'allow-compression yes', 'key-direction 0']
      : []),
    `<ca>\n${pki.caPem.trim()}\n</ca>`,
    `<cert>\n${pki.server.certPem.trim()}\n</cert>`,
    `<key>\n${pki.server.keyPem.trim()}\n</key>`,
    server.legacy ? `<tls-auth>\n${tlsAuth.trim()}\n</tls-auth>` : `<tls-crypt>\n${tlsCrypt.trim()}\n</tls-crypt>`,
    '',
  ].join('\n');
}

/** The client profile a router's export would give (the redirect-gateway line is stripped on upload). */
export function clientProfile(server: RouterServer, pki: TestPki, client: TestCertificate, keys: { tlsCrypt: string; tlsAuth: string }, extra: string[] = []): string {
  return [
    'client',
    'dev tun',
    `proto ${server.proto === 'tcp-server' ? 'tcp' : 'udp'}`,
    `remote ${ROUTER_IP} ${server.port}`,
    'resolv-retry infinite',
    'nobind',
    'remote-cert-tls server',
    'redirect-gateway def1',
    ...extra,
    `<ca>\n${pki.caPem.trim()}\n</ca>`,
    `<cert>\n${client.certPem.trim()}\n</cert>`,
    `<key>\n${client.keyPem.trim()}\n</key>`,
    ...(server.legacy ? ['key-direction 1', `<tls-auth>\n${keys.tlsAuth.trim()}\n</tls-auth>`] : [`<tls-crypt>\n${keys.tlsCrypt.trim()}\n</tls-crypt>`]),
    '',
  ].join('\n');
}


export class OpenVpnRouterLab {
  readonly s = new ScenarioLab();
  alice!: LabUser;
  olga!: LabUser;
  pki!: TestPki;
  client!: TestCertificate;
  readonly keys = { tlsCrypt: openVpnStaticKey(), tlsAuth: openVpnStaticKey() };
  agentState = '';

  /** openvpn processes started by the agent under test (found by their config path in its state dir). */
  agentOpenVpnPids(): number[] {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .flatMap((pid) => {
        try {
          const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          return commandLine.includes(`${this.agentState}/openvpn/`) && commandLine.includes('openvpn') ? [Number(pid)] : [];
        } catch {
          return [];
        }
      });
  }

  async create(name: string, server: RouterServer, extra: string[], args: string[] = []) {
    const file = join(this.s.work, `${name.replace(/\W/g, '_')}.ovpn`);
    writeFileSync(file, clientProfile(server, this.pki, this.client, this.keys, extra), { mode: 0o600 });
    const transport = server.proto === 'tcp-server' ? 'tcp' : 'udp';
    const run = await this.s.as(this.olga, ['site-vpn', 'create', '--plant', PLANT_A, '--name', name, '--direction', 'outgoing', '--protocol', 'openvpn', '--transport', transport, '--config', file, '--subnet', ROUTER_LAN, '--json', ...args]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    return JSON.parse(run.stdout) as { stripped: Array<{ what: string }>; crypto: Record<string, string | null> };
  }

  async logsOf(name: string): Promise<string> {
    return (await this.s.as(this.olga, ['site-vpn', 'logs', name, '--plant', PLANT_A])).stdout;
  }

  async vpnId(name: string): Promise<string> {
    const list = JSON.parse((await this.s.as(this.olga, ['site-vpn', 'list', '--plant', PLANT_A, '--json'])).stdout) as Array<{ id: string; name: string }>;
    return (list.find((vpn) => vpn.name === name) as { id: string }).id;
  }

  /** The user's view after a refresh: the LAN device's mapped address. */
  async mappedDevice(): Promise<string> {
    await this.s.refreshConfig(this.alice);
    const route = (await this.s.routes(this.alice)).find((entry) => entry.subnet === ROUTER_LAN);
    assert.ok(route, `alice has a route to ${ROUTER_LAN}`);
    return mappedHost(route.mapped, ROUTER_DEVICE);
  }

  async remove(name: string): Promise<void> {
    const run = await this.s.as(this.olga, ['site-vpn', 'delete', name, '--plant', PLANT_A, '--confirm']);
    assert.equal(run.code, 0, run.stderr);
  }

  async agentRoutes() {
    return JSON.parse((await this.s.lab.exec(this.s.ns.agentA, 'ip', ['-j', 'route', 'show'])).stdout) as Array<{ dst: string; dev: string; protocol?: string }>;
  }

  async build(): Promise<void> {
    const s = this.s;
    await assertNetnsCapable();
    await s.build();
    this.agentState = join(s.work, 'agentA-state');
    this.pki = await createTestPki('plant-router-ca');
    this.client = await this.pki.issueClient('plantgate-agent');
    const router = await s.lab.addNamespace('rtr');
    const rlan = await s.lab.addNamespace('rln');
    await s.lab.addVeth({ ns: s.ns.inet, iface: 'tortr', address: '10.10.4.1/24' }, { ns: router, iface: 'up0', address: `${ROUTER_IP}/24` });
    await s.lab.addRoute(router, ['10.10.0.0/16', 'via', '10.10.4.1']);
    await s.lab.addVeth({ ns: router, iface: 'lan1', address: '10.40.0.1/24' }, { ns: rlan, iface: 'eth0', address: `${ROUTER_DEVICE}/24` });
    await s.lab.addRoute(rlan, ['default', 'via', '10.40.0.1']);
    await s.lab.enableForwarding(router);
    await s.lab.startProcess(rlan, NODE, [DEVICE, 'router-lan', '600000']).waitForLine(/^listening/, 15_000);
    const routerDir = join(s.work, 'router');
    mkdirSync(routerDir, { mode: 0o700 });
    writeFileSync(join(routerDir, 'crl.pem'), await this.pki.crl([]));
    for (const server of Object.values(SERVERS)) {
      const file = join(routerDir, `${server.name}.conf`);
      writeFileSync(file, routerConfig(server, this.pki, this.keys.tlsCrypt, this.keys.tlsAuth, routerDir), { mode: 0o600 });
      await s.lab.startProcess(router, 'openvpn', ['--config', file]).waitForLine(/Initialization Sequence Completed/, 15_000);
    }
    await s.startServer();
    await s.loginAdmin();
    await s.applyFleet(scenarioFleet({}));
    await s.admin(['admin', 'region', 'add', REGION, '--endpoint', `${GATEWAY_IP}:51820`]);
    await s.startGateway();
    await s.startAgent('agentA', PLANT_A);
    this.olga = await s.addUser(PEOPLE.olga, passwordOf(PEOPLE.olga));
    this.alice = await s.addUser(PEOPLE.alice, passwordOf(PEOPLE.alice));
    await s.issueAndConnect(this.alice);
    const plantA = (await s.routes(this.alice)).find((route) => route.plant === PLANT_A);
    assert.ok(plantA);
    const ready = await s.waitForAnswer(this.alice, mappedHost(plantA.mapped, '192.168.1.10'), 'plant-A', 60_000);
    assert.equal(ready, 'plant-A', `alice reaches plant A first (daemons up)\n${s.daemonOutput()}`);
  }

  async cleanup(): Promise<void> {
    // The agent stops its openvpn on SIGTERM; should it have been killed, none is left behind.
    for (const pid of this.agentOpenVpnPids()) process.kill(pid, 'SIGKILL');
    await this.s.cleanup();
  }
}
