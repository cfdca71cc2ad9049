import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { directVpnInterfaceName } from '../../src/agent/direct-vpns.ts';
import { cidr, formatIpv4, ipv4ToInt, prefixSize } from '../../src/core/net/ipv4.ts';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { WireGuardGoDriver } from '../../src/os/wireguard/wireguard-go-driver.ts';
import { assertNetnsCapable } from './netns.ts';
import { GATEWAY_IP, type LabUser, NODE, REGION, ScenarioLab, sleep } from './scenario-lab.ts';
import { PEOPLE, PLANT_A, passwordOf, scenarioFleet } from './scenario-fleet.ts';

/**
 * Issue 9, outgoing WireGuard direct VPN, with real packets: a "plant router" namespace runs
 * a real wireguard-go server with a LAN behind it (10.40.0.0/24, not the agent's LAN); the
 * organization's Admin uploads the router's client .conf with `plantgate site-vpn create`
 * (AllowedIPs 0.0.0.0/0 + the LAN, a DNS line); plant A's agent dials the router; an Operator
 * of plant A reaches the router's LAN device through its mapped address on her personal VPN;
 * `site-vpn disable` cuts it and removes the agent's interface.
 *
 *   inet ── router 10.10.4.2 (wireguard-go :51820, 10.9.0.1/24) ── rlan 10.40.0.10 "router-lan"
 *     └── agentA 10.10.2.2 (plantgate agent) dials 10.10.4.2:51820 as 10.9.0.2
 */

const ROUTER_IP = '10.10.4.2';
const ROUTER_LAN = '10.40.0.0/24';
const ROUTER_DEVICE = '10.40.0.10';
const DEVICE = new URL('./fixtures/plant-device.ts', import.meta.url).pathname;
const PROBE = new URL('./fixtures/probe.ts', import.meta.url).pathname;
const VPN_NAME = 'Router C';

function mappedHost(mappedPrefix: string, real: string): string {
  const mapped = cidr(mappedPrefix);
  return formatIpv4(mapped.start + (ipv4ToInt(real) % prefixSize(mapped.length)));
}

describe('issue 9: an outgoing WireGuard direct VPN carries a personal-VPN user to the plant router\u2019s LAN', { timeout: 300_000 }, () => {
  const s = new ScenarioLab();
  let alice: LabUser;
  let olga: LabUser;
  const agentSide = generateWireGuardKeyPair();
  const routerKey = generateWireGuardKeyPair();
  const psk = generateWireGuardKeyPair().privateKey;
  let iface = '';
  let host = '';

  before(async () => {
    await assertNetnsCapable();
    await s.build();
    // The plant router and its LAN.
    const router = await s.lab.addNamespace('rtr');
    const rlan = await s.lab.addNamespace('rln');
    await s.lab.addVeth({ ns: s.ns.inet, iface: 'tortr', address: '10.10.4.1/24' }, { ns: router, iface: 'up0', address: `${ROUTER_IP}/24` });
    await s.lab.addRoute(router, ['10.10.0.0/16', 'via', '10.10.4.1']);
    await s.lab.addVeth({ ns: router, iface: 'lan1', address: '10.40.0.1/24' }, { ns: rlan, iface: 'eth0', address: `${ROUTER_DEVICE}/24` });
    await s.lab.addRoute(rlan, ['default', 'via', '10.40.0.1']);
    await s.lab.enableForwarding(router);
    await s.lab.startProcess(rlan, NODE, [DEVICE, 'router-lan', '600000']).waitForLine(/^listening/, 15_000);
    const routerWg = s.lab.name('pgr');
    s.lab.trackWireGuardInterface(routerWg);
    const driver = new WireGuardGoDriver({ netns: router });
    await driver.createInterface({ name: routerWg, privateKey: routerKey.privateKey, listenPort: 51820, addresses: ['10.9.0.1/24'], routes: [] });
    await driver.setConf(
      routerWg,
      ['[Interface]', `PrivateKey = ${routerKey.privateKey}`, 'ListenPort = 51820', '', '[Peer]', `PublicKey = ${agentSide.publicKey}`, `PresharedKey = ${psk}`, 'AllowedIPs = 10.9.0.2/32', ''].join('\n'),
    );

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
    await s.cleanup();
  });

  it('D1/D5/D11: the Admin\u2019s upload (default route stripped) connects the agent; alice reaches the router\u2019s LAN device by its mapped address', async (t) => {
    const conf = join(s.work, 'router-c.conf');
    writeFileSync(
      conf,
      [
        '[Interface]',
        `PrivateKey = ${agentSide.privateKey}`,
        'Address = 10.9.0.2/32',
        'DNS = 10.40.0.1',
        '',
        '[Peer]',
        `PublicKey = ${routerKey.publicKey}`,
        `PresharedKey = ${psk}`,
        `Endpoint = ${ROUTER_IP}:51820`,
        `AllowedIPs = 0.0.0.0/0, ${ROUTER_LAN}`,
        'PersistentKeepalive = 25',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const created = Date.now();
    const run = await s.as(olga, ['site-vpn', 'create', '--plant', PLANT_A, '--name', VPN_NAME, '--direction', 'outgoing', '--protocol', 'wireguard', '--config', conf, '--subnet', ROUTER_LAN, '--json']);
    const review = JSON.parse(run.stdout);
    assert.deepEqual(review.subnets, [ROUTER_LAN]);
    assert.ok(review.stripped.some((entry: { what: string }) => entry.what.includes('0.0.0.0/0')), `the default route is stripped: ${run.stdout}`);
    const [vpn] = JSON.parse((await s.as(olga, ['site-vpn', 'list', '--plant', PLANT_A, '--json'])).stdout);
    iface = directVpnInterfaceName(vpn.id);
    s.lab.trackWireGuardInterface(iface);

    await s.refreshConfig(alice);
    const route = (await s.routes(alice)).find((entry) => entry.subnet === ROUTER_LAN);
    assert.ok(route, `alice has a route to ${ROUTER_LAN}`);
    host = mappedHost(route.mapped, ROUTER_DEVICE);
    const answer = await s.waitForAnswer(alice, host, 'router-lan', 60_000);
    const firstPacket = Date.now() - created;
    t.diagnostic(`create → first packet through (incl. the user's vpn refresh): ${firstPacket} ms`);
    assert.equal(answer, 'router-lan', `alice reaches ${ROUTER_DEVICE} via ${host}\n${s.agents.get('agentA')?.output()}`);

    // The agent routes only the direct VPN's subnet into the tunnel; the peer carries only it.
    const routes = (await s.lab.exec(s.ns.agentA, 'ip', ['-j', 'route', 'show', 'dev', iface])).stdout;
    const dsts = (JSON.parse(routes) as Array<{ dst: string; protocol?: string }>).filter((r) => r.protocol !== 'kernel').map((r) => r.dst);
    assert.deepEqual(dsts, [ROUTER_LAN]);
    const allowed = (await s.lab.exec(s.ns.agentA, 'wg', ['show', iface, 'allowed-ips'])).stdout;
    assert.match(allowed, new RegExp(`\\t${ROUTER_LAN.replace(/\./g, '\\.')}\\s*$`));
    assert.doesNotMatch(allowed, /0\.0\.0\.0\/0/);
    // The device sees the agent's tunnel address (masqueraded), not the user's.
    const whoami = await s.lab.exec(alice.ns, NODE, [PROBE, 'http', `http://${host}/whoami`, '1500'], { timeoutMs: 15_000 });
    assert.equal(whoami.stdout.trim(), 'OK router-lan from 10.9.0.2');
    // No key in what the agent logged.
    assert.ok(!s.daemonOutput().includes(agentSide.privateKey) && !s.daemonOutput().includes(psk));
  });

  it('D7: site-vpn disable cuts the path and the agent removes its interface within one sync', async (t) => {
    assert.ok(host, 'the previous test connected');
    const started = Date.now();
    await s.as(olga, ['site-vpn', 'disable', VPN_NAME, '--plant', PLANT_A]);
    let answer = '';
    const deadline = started + 30_000;
    do {
      answer = await s.whoAnswers(alice, host, 500);
      if (answer === 'none') break;
      await sleep(100);
    } while (Date.now() < deadline);
    const cut = Date.now() - started;
    t.diagnostic(`disable → cut: ${cut} ms`);
    assert.equal(answer, 'none');
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      gone = (await s.lab.exec(s.ns.agentA, 'ip', ['link', 'show', iface]).then(() => false, () => true));
      if (!gone) await sleep(100);
    }
    assert.ok(gone, `the agent removed ${iface}`);
  });
});
