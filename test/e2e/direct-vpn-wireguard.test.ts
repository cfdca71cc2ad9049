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
  let routerNs = '';
  let routerWg = '';

  before(async () => {
    await assertNetnsCapable();
    await s.build();
    // The plant router and its LAN.
    const router = await s.lab.addNamespace('rtr');
    routerNs = router;
    const rlan = await s.lab.addNamespace('rln');
    await s.lab.addVeth({ ns: s.ns.inet, iface: 'tortr', address: '10.10.4.1/24' }, { ns: router, iface: 'up0', address: `${ROUTER_IP}/24` });
    await s.lab.addRoute(router, ['10.10.0.0/16', 'via', '10.10.4.1']);
    await s.lab.addVeth({ ns: router, iface: 'lan1', address: '10.40.0.1/24' }, { ns: rlan, iface: 'eth0', address: `${ROUTER_DEVICE}/24` });
    await s.lab.addRoute(rlan, ['default', 'via', '10.40.0.1']);
    await s.lab.enableForwarding(router);
    await s.lab.startProcess(rlan, NODE, [DEVICE, 'router-lan', '600000']).waitForLine(/^listening/, 15_000);
    routerWg = s.lab.name('pgr');
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

  /** `site-vpn show --json` until `done` holds (the agent reports every few seconds), bounded in time. */
  async function waitForView(done: (view: { live: { state: string; bytesIn: number; bytesOut: number; since: string | null } }) => boolean, name = VPN_NAME, timeoutMs = 45_000) {
    const deadline = Date.now() + timeoutMs;
    let view = JSON.parse((await s.as(olga, ['site-vpn', 'show', name, '--plant', PLANT_A, '--json'])).stdout);
    while (!done(view) && Date.now() < deadline) {
      await sleep(1000);
      view = JSON.parse((await s.as(olga, ['site-vpn', 'show', name, '--plant', PLANT_A, '--json'])).stdout);
    }
    return view;
  }

  it('D7: the card goes "connected" with the bytes that crossed the tunnel, and the list shows state and traffic', async () => {
    assert.ok(host, 'the first test connected');
    const view = await waitForView((v) => v.live.state === 'connected' && v.live.bytesIn > 0 && v.live.bytesOut > 0);
    assert.equal(view.live.state, 'connected', `${JSON.stringify(view.live)}\n${s.agents.get('agentA')?.output()}`);
    assert.ok(view.live.bytesIn > 0 && view.live.bytesOut > 0, JSON.stringify(view.live));
    assert.ok(view.live.since && Date.parse(view.live.since) <= Date.now());
    const table = (await s.as(olga, ['site-vpn', 'list', '--plant', PLANT_A])).stdout;
    assert.match(table, /enabled\s+connected since \S+Z/);
    assert.match(table, /in \d[\d.]* (B|KiB|MiB) out/);
  });

  it('D7: restart tears the tunnel down and up — a new handshake, "restarted" in its logs, the device reachable again', async (t) => {
    const handshakeOf = async () => Number((await s.lab.exec(s.ns.agentA, 'wg', ['show', iface, 'latest-handshakes'])).stdout.trim().split('\t')[1] ?? 0);
    const before = await handshakeOf();
    assert.ok(before > 0);
    await sleep(1100); // handshake times are whole seconds
    const restartedAt = Date.now();
    await s.as(olga, ['site-vpn', 'restart', VPN_NAME, '--plant', PLANT_A]);
    let after = 0;
    for (let i = 0; i < 100 && !(after > before); i++) {
      after = await handshakeOf().catch(() => 0);
      if (!(after > before)) await sleep(200);
    }
    assert.ok(after > before, `a new handshake after the restart (${before} → ${after})`);
    t.diagnostic(`restart → new handshake: ${Date.now() - restartedAt} ms`);
    assert.equal(await s.waitForAnswer(alice, host, 'router-lan', 30_000), 'router-lan');
    let logs = '';
    for (let i = 0; i < 30 && !/restarted on pgv/.test(logs); i++) {
      logs = (await s.as(olga, ['site-vpn', 'logs', VPN_NAME, '--plant', PLANT_A])).stdout;
      if (!/restarted on pgv/.test(logs)) await sleep(1000);
    }
    assert.match(logs, /restarted on pgv/);
    assert.ok(!logs.includes(agentSide.privateKey) && !logs.includes(psk), 'no key in the logs');
  });

  it('D7: a direct VPN whose router is gone stays "connecting", and diagnose names the unreachable endpoint and the missing handshake', async (t) => {
    const dead = join(s.work, 'dead.conf');
    const deadKey = generateWireGuardKeyPair();
    writeFileSync(
      dead,
      ['[Interface]', `PrivateKey = ${deadKey.privateKey}`, 'Address = 10.9.1.2/32', '', '[Peer]', `PublicKey = ${generateWireGuardKeyPair().publicKey}`, 'Endpoint = 10.10.4.99:51820', 'AllowedIPs = 10.41.0.0/24', 'PersistentKeepalive = 25', ''].join('\n'),
      { mode: 0o600 },
    );
    const deadCreated = Date.now();
    await s.as(olga, ['site-vpn', 'create', '--plant', PLANT_A, '--name', 'Dead Router', '--direction', 'outgoing', '--protocol', 'wireguard', '--config', dead, '--json']);
    const [deadVpn] = JSON.parse((await s.as(olga, ['site-vpn', 'list', '--plant', PLANT_A, '--json'])).stdout).filter((v: { name: string }) => v.name === 'Dead Router');
    s.lab.trackWireGuardInterface(directVpnInterfaceName(deadVpn.id));
    const view = await waitForView((v) => v.live.state !== 'unknown', 'Dead Router');
    assert.equal(view.live.state, 'connecting');
    let diagnosis = { state: '', checks: [] as Array<{ check: string; ok: boolean; detail: string; fix: string | null }> };
    for (let i = 0; i < 45 && !diagnosis.checks.some((c) => c.check === 'handshake'); i++) {
      diagnosis = JSON.parse((await s.as(olga, ['site-vpn', 'diagnose', 'Dead Router', '--plant', PLANT_A, '--json'])).stdout);
      if (!diagnosis.checks.some((c) => c.check === 'handshake')) await sleep(1000);
    }
    t.diagnostic(`dead endpoint: create → diagnose names it: ${Date.now() - deadCreated} ms`);
    const byName = new Map(diagnosis.checks.map((c) => [c.check, c]));
    assert.equal(byName.get('endpoint-reachable')?.ok, false, JSON.stringify(diagnosis));
    assert.match(byName.get('endpoint-reachable')?.detail ?? '', /10\.10\.4\.99 does not answer ping/);
    assert.equal(byName.get('handshake')?.ok, false);
    assert.match(byName.get('handshake')?.fix ?? '', new RegExp(deadKey.publicKey.replace(/[+/]/g, '\\$&')), 'the fix names the key the router must know');
    assert.equal(byName.get('routes')?.ok, true, 'its subnet is routed into its interface');
    const text = (await s.as(olga, ['site-vpn', 'diagnose', 'Dead Router', '--plant', PLANT_A])).stdout;
    assert.match(text, /FAIL endpoint-reachable/);
    assert.match(text, /fix: /);
    await s.as(olga, ['site-vpn', 'delete', 'Dead Router', '--plant', PLANT_A, '--confirm']);
  });

  it('D11: plant discover finds the router LAN device listening on 80 and 502 (not the closed 443), with its mapped address; --save stores it', async (t) => {
    const started = Date.now();
    const run = await s.as(olga, ['plant', 'discover', '--plant', PLANT_A, '--subnet', ROUTER_LAN, '--save', `${ROUTER_DEVICE}=router-plc`, '--org', 'SolarCo', '--json']);
    t.diagnostic(`discovery of ${ROUTER_LAN}: ${Date.now() - started} ms`);
    const view = JSON.parse(run.stdout);
    assert.equal(view.status, 'done', run.stdout);
    const device = view.hosts.find((h: { ip: string }) => h.ip === ROUTER_DEVICE);
    assert.ok(device, run.stdout);
    assert.ok(device.openPorts.includes(80) && device.openPorts.includes(502), JSON.stringify(device));
    assert.ok(!device.openPorts.includes(443), 'a closed port is not listed');
    assert.equal(device.icmp, true);
    const route = (await s.routes(alice)).find((entry) => entry.subnet === ROUTER_LAN);
    assert.equal(device.vpnIp, route && mappedHost(route.mapped, ROUTER_DEVICE));
    assert.ok(view.hosts.some((h: { ip: string; icmp: boolean }) => h.ip === '10.40.0.1' && h.icmp), 'the router answers ping');
    assert.ok(!view.hosts.some((h: { ip: string }) => h.ip === '10.40.0.99'), 'nothing invented');
    const plant = JSON.parse((await s.as(olga, ['org', 'plant', 'show', 'SolarCo', PLANT_A, '--json'])).stdout);
    assert.ok(JSON.stringify(plant).includes('router-plc'), 'the found device is saved');
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
    const [vpn] = JSON.parse((await s.as(olga, ['site-vpn', 'list', '--plant', PLANT_A, '--json'])).stdout);
    assert.equal(vpn.live.state, 'disabled', 'the card shows it disabled');
  });

  it('issue 9 item 1: created by hand (--endpoint, --peer-public-key, no key file): the router is given the printed public key and alice reaches the device again', async (t) => {
    assert.ok(host, 'the first test connected');
    await s.as(olga, ['site-vpn', 'delete', VPN_NAME, '--plant', PLANT_A, '--confirm']);
    const created = Date.now();
    const run = await s.as(olga, [
      ...['site-vpn', 'create', '--plant', PLANT_A, '--name', 'Router by hand', '--direction', 'outgoing', '--protocol', 'wireguard'],
      ...['--endpoint', `${ROUTER_IP}:51820`, '--peer-public-key', routerKey.publicKey, '--address', '10.9.0.3/32', '--subnet', ROUTER_LAN, '--json'],
    ]);
    assert.deepEqual(JSON.parse(run.stdout).subnets, [ROUTER_LAN], 'standard output is the review');
    const agentPublicKey = /agent public key \(enter it as the peer on the router\): (\S+)/.exec(run.stderr)?.[1];
    assert.ok(agentPublicKey, run.stderr);
    // What the router's admin does with the printed key.
    await s.lab.exec(routerNs, 'wg', ['set', routerWg, 'peer', agentPublicKey, 'allowed-ips', '10.9.0.3/32']);
    const [vpn] = JSON.parse((await s.as(olga, ['site-vpn', 'list', '--plant', PLANT_A, '--json'])).stdout);
    assert.equal(vpn.agentPublicKey, agentPublicKey);
    s.lab.trackWireGuardInterface(directVpnInterfaceName(vpn.id));

    await s.refreshConfig(alice);
    const route = (await s.routes(alice)).find((entry) => entry.subnet === ROUTER_LAN);
    assert.ok(route, `alice has a route to ${ROUTER_LAN}`);
    const byHand = mappedHost(route.mapped, ROUTER_DEVICE);
    const answer = await s.waitForAnswer(alice, byHand, 'router-lan', 60_000);
    t.diagnostic(`create by hand → first packet through (incl. wg set on the router and the user's vpn refresh): ${Date.now() - created} ms`);
    assert.equal(answer, 'router-lan', `alice reaches ${ROUTER_DEVICE} via ${byHand}\n${s.agents.get('agentA')?.output()}`);
    const whoami = await s.lab.exec(alice.ns, NODE, [PROBE, 'http', `http://${byHand}/whoami`, '1500'], { timeoutMs: 15_000 });
    assert.equal(whoami.stdout.trim(), 'OK router-lan from 10.9.0.3', 'the agent dials with the key the server made, at the address entered');
  });
});
