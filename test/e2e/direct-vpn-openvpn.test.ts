import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { directVpnInterfaceName } from '../../src/agent/direct-vpns.ts';
import { cidr, formatIpv4, ipv4ToInt, prefixSize } from '../../src/core/net/ipv4.ts';
import { createTestPki, openVpnStaticKey, type TestCertificate, type TestPki } from '../support/openvpn-pki.ts';
import { assertNetnsCapable } from './netns.ts';
import { GATEWAY_IP, type LabUser, NODE, REGION, ScenarioLab, sleep } from './scenario-lab.ts';
import { PEOPLE, PLANT_A, passwordOf, scenarioFleet } from './scenario-fleet.ts';

/**
 * Issue 9, outgoing OpenVPN direct VPN, with real packets: a "plant router" namespace runs
 * real `openvpn` 2.6 servers — UDP and TCP (modern, tls-crypt) and one configured like old
 * firmware (AES-128-CBC, SHA1, TLS 1.0 at most, LZO, tls-auth) — with a LAN behind it. Every
 * server pushes `redirect-gateway def1`, `route 0.0.0.0 0.0.0.0` and a route outside the
 * direct VPN's subnet. The organization's Admin uploads the router's client .ovpn with
 * `plantgate site-vpn create`; plant A's agent dials out; an Operator reaches the router's LAN
 * device through her personal VPN. One lab for every case.
 *
 *   inet ── router 10.10.4.2 (openvpn udp/1194, tcp/1194, legacy udp/1195) ── rlan 10.40.0.10
 *     └── agentA 10.10.2.2 (plantgate agent) dials 10.10.4.2
 */

const ROUTER_IP = '10.10.4.2';
const ROUTER_LAN = '10.40.0.0/24';
const ROUTER_DEVICE = '10.40.0.10';
const FOREIGN = '10.66.0.0';
const DEVICE = new URL('./fixtures/plant-device.ts', import.meta.url).pathname;
const PROBE = new URL('./fixtures/probe.ts', import.meta.url).pathname;

function mappedHost(mappedPrefix: string, real: string): string {
  const mapped = cidr(mappedPrefix);
  return formatIpv4(mapped.start + (ipv4ToInt(real) % prefixSize(mapped.length)));
}

type RouterServer = { name: string; proto: 'udp' | 'tcp-server'; port: number; network: string; legacy: boolean };
const SERVERS: RouterServer[] = [
  { name: 'udp', proto: 'udp', port: 1194, network: '10.9.0.0', legacy: false },
  { name: 'tcp', proto: 'tcp-server', port: 1194, network: '10.9.1.0', legacy: false },
  { name: 'legacy', proto: 'udp', port: 1195, network: '10.9.2.0', legacy: true },
];

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
function clientProfile(server: RouterServer, pki: TestPki, client: TestCertificate, keys: { tlsCrypt: string; tlsAuth: string }, extra: string[] = []): string {
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

describe('issue 9: an outgoing OpenVPN direct VPN carries a personal-VPN user to the plant router\u2019s LAN', { timeout: 300_000 }, () => {
  const s = new ScenarioLab();
  let alice: LabUser;
  let olga: LabUser;
  let pki: TestPki;
  let client: TestCertificate;
  const keys = { tlsCrypt: openVpnStaticKey(), tlsAuth: openVpnStaticKey() };
  let agentState = '';

  /** openvpn processes started by the agent under test (found by their config path in its state dir). */
  const agentOpenVpnPids = (): number[] =>
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .flatMap((pid) => {
        try {
          const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          return commandLine.includes(`${agentState}/openvpn/`) && commandLine.includes('openvpn') ? [Number(pid)] : [];
        } catch {
          return [];
        }
      });

  const create = async (name: string, server: RouterServer, extra: string[], args: string[] = []) => {
    const file = join(s.work, `${name.replace(/\W/g, '_')}.ovpn`);
    writeFileSync(file, clientProfile(server, pki, client, keys, extra), { mode: 0o600 });
    const transport = server.proto === 'tcp-server' ? 'tcp' : 'udp';
    const run = await s.as(olga, ['site-vpn', 'create', '--plant', PLANT_A, '--name', name, '--direction', 'outgoing', '--protocol', 'openvpn', '--transport', transport, '--config', file, '--subnet', ROUTER_LAN, '--json', ...args]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    return JSON.parse(run.stdout) as { stripped: Array<{ what: string }>; crypto: Record<string, string | null> };
  };
  const vpnId = async (name: string): Promise<string> => {
    const list = JSON.parse((await s.as(olga, ['site-vpn', 'list', '--plant', PLANT_A, '--json'])).stdout) as Array<{ id: string; name: string }>;
    return (list.find((vpn) => vpn.name === name) as { id: string }).id;
  };
  const mappedDevice = async (): Promise<string> => {
    await s.refreshConfig(alice);
    const route = (await s.routes(alice)).find((entry) => entry.subnet === ROUTER_LAN);
    assert.ok(route, `alice has a route to ${ROUTER_LAN}`);
    return mappedHost(route.mapped, ROUTER_DEVICE);
  };
  const remove = async (name: string) => {
    const run = await s.as(olga, ['site-vpn', 'delete', name, '--plant', PLANT_A, '--confirm']);
    assert.equal(run.code, 0, run.stderr);
  };
  const agentRoutes = async () =>
    JSON.parse((await s.lab.exec(s.ns.agentA, 'ip', ['-j', 'route', 'show'])).stdout) as Array<{ dst: string; dev: string; protocol?: string }>;

  before(async () => {
    await assertNetnsCapable();
    await s.build();
    agentState = join(s.work, 'agentA-state');
    pki = await createTestPki('plant-router-ca');
    client = await pki.issueClient('plantgate-agent');
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
    writeFileSync(join(routerDir, 'crl.pem'), await pki.crl([]));
    for (const server of SERVERS) {
      const file = join(routerDir, `${server.name}.conf`);
      writeFileSync(file, routerConfig(server, pki, keys.tlsCrypt, keys.tlsAuth, routerDir), { mode: 0o600 });
      await s.lab.startProcess(router, 'openvpn', ['--config', file]).waitForLine(/Initialization Sequence Completed/, 15_000);
    }

    await s.startServer();
    await s.loginAdmin();
    await s.applyFleet(scenarioFleet({}));
    await s.admin(['admin', 'region', 'add', REGION, '--endpoint', `${GATEWAY_IP}:51820`]);
    await s.startGateway();
    await s.startAgent('agentA', PLANT_A);
    olga = await s.addUser(PEOPLE.olga, passwordOf(PEOPLE.olga));
    alice = await s.addUser(PEOPLE.alice, passwordOf(PEOPLE.alice));
    await s.issueAndConnect(alice);
    const plantA = (await s.routes(alice)).find((route) => route.plant === PLANT_A);
    assert.ok(plantA);
    const ready = await s.waitForAnswer(alice, mappedHost(plantA.mapped, '192.168.1.10'), 'plant-A', 60_000);
    assert.equal(ready, 'plant-A', `alice reaches plant A first (daemons up)\n${s.daemonOutput()}`);
  });

  after(async () => {
    // The agent stops its openvpn on SIGTERM; should it have been killed, none is left behind.
    for (const pid of agentOpenVpnPids()) process.kill(pid, 'SIGKILL');
    await s.cleanup();
  });

  it('D1/D5/D11 (UDP): the upload connects the agent; alice reaches the LAN device (mapped and native); no pushed route is installed; disable stops openvpn and the route', async (t) => {
    const created = Date.now();
    const review = await create('Router U', SERVERS[0] as RouterServer, []);
    assert.ok(review.stripped.some((entry) => entry.what.includes('redirect-gateway')), JSON.stringify(review));
    const iface = directVpnInterfaceName(await vpnId('Router U'));
    const host = await mappedDevice();
    const answer = await s.waitForAnswer(alice, host, 'router-lan', 60_000);
    t.diagnostic(`UDP create → first packet through (incl. the user's vpn refresh): ${Date.now() - created} ms`);
    assert.equal(answer, 'router-lan', `alice reaches ${ROUTER_DEVICE} via ${host}\n${s.agents.get('agentA')?.output()}`);
    const route = (await s.routes(alice)).find((entry) => entry.subnet === ROUTER_LAN);
    if (route?.native) assert.equal(await s.waitForAnswer(alice, ROUTER_DEVICE, 'router-lan', 15_000), 'router-lan', 'native address');
    const whoami = await s.lab.exec(alice.ns, NODE, [PROBE, 'http', `http://${host}/whoami`, '1500'], { timeoutMs: 15_000 });
    assert.equal(whoami.stdout.trim(), 'OK router-lan from 10.9.0.2', 'masqueraded to the agent\u2019s tunnel address');

    // D5: the server pushed a default route, 0.0.0.0/0 and 10.66.0.0/24: none is in the agent's table.
    const routes = await agentRoutes();
    assert.ok(!routes.some((r) => r.dst === 'default' || r.dst === '0.0.0.0/1' || r.dst === '128.0.0.0/1'), JSON.stringify(routes));
    assert.ok(!routes.some((r) => r.dst.startsWith(FOREIGN)), JSON.stringify(routes));
    assert.deepEqual(routes.filter((r) => r.dev === iface && r.protocol !== 'kernel').map((r) => r.dst), [ROUTER_LAN]);
    // S3: the config is 0600 in a 0700 directory; no key in what the agent logged
    assert.equal(statSync(join(agentState, 'openvpn', iface, 'openvpn.conf')).mode & 0o777, 0o600);
    assert.equal(statSync(join(agentState, 'openvpn', iface)).mode & 0o777, 0o700);
    assert.ok(!s.daemonOutput().includes(client.keyPem.split('\n')[1] as string));

    const pids = agentOpenVpnPids();
    assert.equal(pids.length, 1, 'one openvpn for the one direct VPN');
    const disabled = Date.now();
    await s.as(olga, ['site-vpn', 'disable', 'Router U', '--plant', PLANT_A]);
    let cut = '';
    while (Date.now() - disabled < 30_000) {
      cut = await s.whoAnswers(alice, host, 500);
      if (cut === 'none') break;
      await sleep(100);
    }
    t.diagnostic(`UDP disable → cut: ${Date.now() - disabled} ms`);
    assert.equal(cut, 'none');
    for (let i = 0; i < 50 && agentOpenVpnPids().length > 0; i++) await sleep(100);
    assert.deepEqual(agentOpenVpnPids(), [], 'openvpn stopped');
    assert.ok(!(await agentRoutes()).some((r) => r.dst === ROUTER_LAN), 'its route is gone');
    await remove('Router U');
  });

  it('D2 (TCP): the same router over TCP carries alice to the LAN device', async (t) => {
    const created = Date.now();
    await create('Router T', SERVERS[1] as RouterServer, []);
    const host = await mappedDevice();
    const answer = await s.waitForAnswer(alice, host, 'router-lan', 60_000);
    t.diagnostic(`TCP create → first packet through: ${Date.now() - created} ms`);
    assert.equal(answer, 'router-lan', s.agents.get('agentA')?.output());
    assert.ok(!(await agentRoutes()).some((r) => r.dst === 'default' || r.dst.startsWith(FOREIGN)));
    await remove('Router T');
  });

  const logsOf = async (name: string): Promise<string> => (await s.as(olga, ['site-vpn', 'logs', name, '--plant', PLANT_A])).stdout;
  const diagnoseUntil = async (name: string, check: string): Promise<{ state: string; checks: Array<{ check: string; fix: string | null }> }> => {
    let last = { state: '', checks: [] as Array<{ check: string; fix: string | null }> };
    for (let i = 0; i < 40; i++) {
      const run = await s.as(olga, ['site-vpn', 'diagnose', name, '--plant', PLANT_A, '--json']);
      if (run.code === 0) last = JSON.parse(run.stdout);
      if (last.checks.some((entry) => entry.check === check)) return last;
      await sleep(1000);
    }
    return last;
  };

  it('D2/D7 legacy: settings that do not match old firmware leave the tunnel down and diagnose names the mismatch (cipher; TLS version)', async () => {
    const legacy = SERVERS[2] as RouterServer;
    // the export names the digest and TLS 1.0, not the cipher: the router refuses the agent's ciphers
    await create('Old A', legacy, ['auth SHA1', 'tls-version-min 1.0', 'comp-lzo']);
    try {
      const cipher = await diagnoseUntil('Old A', 'cipher');
      assert.notEqual(cipher.state, 'connected');
      assert.ok(cipher.checks.some((entry) => entry.check === 'cipher' && /data cipher/.test(entry.fix ?? '')), `${JSON.stringify(cipher)}\n${await logsOf('Old A')}`);
    } finally {
      await remove('Old A');
    }
    // cipher and digest, but not TLS 1.0: no TLS version in common
    await create('Old B', legacy, ['cipher AES-128-CBC', 'auth SHA1', 'comp-lzo']);
    try {
      const tls = await diagnoseUntil('Old B', 'tls-version');
      assert.notEqual(tls.state, 'connected');
      assert.ok(tls.checks.some((entry) => entry.check === 'tls-version' && /minimum TLS version/.test(entry.fix ?? '')), `${JSON.stringify(tls)}\n${await logsOf('Old B')}`);
    } finally {
      await remove('Old B');
    }
  });

  it('D2 legacy: with the advanced settings matching (AES-128-CBC, SHA1, TLS 1.0, LZO) the agent connects and alice reaches the device', async (t) => {
    const created = Date.now();
    const review = await create('Old C', SERVERS[2] as RouterServer, [], ['--cipher', 'AES-128-CBC', '--auth', 'SHA1', '--tls-min', '1.0', '--compression', 'lzo']);
    assert.deepEqual(review.crypto, { cipher: 'AES-128-CBC', auth: 'SHA1', compression: 'lzo', tlsMin: '1.0' });
    const host = await mappedDevice();
    const answer = await s.waitForAnswer(alice, host, 'router-lan', 60_000);
    t.diagnostic(`legacy create → first packet through: ${Date.now() - created} ms`);
    assert.equal(answer, 'router-lan', s.agents.get('agentA')?.output());
    await remove('Old C');
  });
});
