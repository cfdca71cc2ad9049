import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { directVpnInterfaceName } from '../../src/agent/direct-vpns.ts';
import { type WireGuardUpload, parseWireGuardConfig } from '../../src/core/direct-vpn/wireguard-config.ts';
import { cidr, formatIpv4, ipv4ToInt, prefixSize } from '../../src/core/net/ipv4.ts';
import { WireGuardGoDriver } from '../../src/os/wireguard/wireguard-go-driver.ts';
import { assertNetnsCapable } from './netns.ts';
import { FLOW, GATEWAY_IP, type LabUser, NODE, REGION, ScenarioLab, sleep } from './scenario-lab.ts';
import { PEOPLE, PLANT_A, passwordOf, scenarioFleet } from './scenario-fleet.ts';

/**
 * Issue 9, hosted WireGuard direct VPN, with real packets: plant A's agent runs the server;
 * a "plant router" namespace (the LAN 10.40.0.0/24 behind it) dials in with exactly the
 * show-once profile `plantgate site-vpn create --direction hosted --out` wrote; an Operator
 * on the personal VPN reaches the router's LAN device through gateway → agent → hosted
 * server → router. A user client (profile from `site-vpn client add`) in a namespace of its
 * own reaches the router's LAN through the agent; removed, it is cut; deleting the server
 * cuts every client. Then the same with a hosted OpenVPN server (UDP; then TCP for the router): the router and the user
 * client run `openvpn --config` with the show-once .ovpn; a removed client is cut and, its
 * certificate revoked, cannot connect again.
 *
 *   inet ── rtr 10.10.4.2 (wireguard-go client of the agent) ── rln 10.40.0.10 "router-lan"
 *     ├── ucl 10.10.5.2 (wireguard-go user client of the agent)
 *     └── agentA 10.10.2.2 (plantgate agent, hosted server on :51820, 100.96.0.1/24)
 */

const ROUTER_IP = '10.10.4.2';
const ROUTER_LAN = '10.40.0.0/24';
const ROUTER_DEVICE = '10.40.0.10';
const DEVICE = new URL('./fixtures/plant-device.ts', import.meta.url).pathname;
const PROBE = new URL('./fixtures/probe.ts', import.meta.url).pathname;
const VPN_NAME = 'Hosted C';
const CUT_WITHIN_MS = 15_000;

function mappedHost(mappedPrefix: string, real: string): string {
  const mapped = cidr(mappedPrefix);
  return formatIpv4(mapped.start + (ipv4ToInt(real) % prefixSize(mapped.length)));
}

/** Brings up a WireGuard client from a show-once profile as wg-quick would: the key and peer with `wg setconf`, Address and AllowedIPs with ip. */
async function dialIn(s: ScenarioLab, ns: string, name: string, profile: string): Promise<WireGuardUpload> {
  const parsed = parseWireGuardConfig(profile);
  assert.ok(parsed.ok, profile.replace(/PrivateKey = \S+/, 'PrivateKey = (hidden)'));
  const config = parsed.config;
  assert.equal(config.peers.length, 1);
  const peer = config.peers[0] as WireGuardUpload['peers'][number];
  s.lab.trackWireGuardInterface(name);
  const driver = new WireGuardGoDriver({ netns: ns });
  await driver.createInterface({ name, privateKey: config.privateKey, listenPort: null, addresses: config.addresses, routes: peer.allowedIps });
  await driver.setConf(
    name,
    ['[Interface]', `PrivateKey = ${config.privateKey}`, '', '[Peer]', `PublicKey = ${peer.publicKey}`, `Endpoint = ${peer.endpoint}`, `AllowedIPs = ${peer.allowedIps.join(', ')}`, `PersistentKeepalive = ${peer.persistentKeepalive ?? 25}`, ''].join('\n'),
  );
  return config;
}

describe('issue 9: hosted direct VPNs (WireGuard, then OpenVPN): the plant router and a user client dial into the agent', { timeout: 300_000 }, () => {
  const s = new ScenarioLab();
  let alice: LabUser;
  let olga: LabUser;
  let router = '';
  let userNs = '';
  let host = '';
  let iface = '';

  /** "OK <body>", or "none" when nothing answered in time. */
  const probe = async (ns: string, target: string, path = '/', timeoutMs = 1000): Promise<string> => {
    const line = (await s.lab.exec(ns, NODE, [PROBE, 'http', `http://${target}${path}`, String(timeoutMs)], { timeoutMs: timeoutMs + 15_000 })).stdout.trim();
    return line.startsWith('OK ') ? line : 'none';
  };
  /** Polls until `ns` gets `want` (or, want "none", no answer) from the device; bounded. */
  const until = async (ns: string, want: (answer: string) => boolean, withinMs: number): Promise<{ answer: string; ms: number }> => {
    const started = Date.now();
    let answer = '';
    do {
      answer = await probe(ns, ROUTER_DEVICE, '/whoami', 700);
      if (want(answer)) break;
      await sleep(100);
    } while (Date.now() - started < withinMs);
    return { answer, ms: Date.now() - started };
  };

  /**
   * Issue 10 item 2: two TCP :502 connections of the user client (in userNs) appear in plant A's
   * audit as 2 connections with bytes each way, attributed to "client NAME of VPN"; the chain verifies.
   */
  const clientFlowsInAudit = async (t: { diagnostic(message: string): void }, client: string, vpn: string): Promise<void> => {
    for (let i = 0; i < 2; i++) {
      const line = (await s.lab.exec(userNs, NODE, [FLOW, 'tcp', ROUTER_DEVICE, '502', '3000'], { timeoutMs: 20_000 })).stdout.trim();
      assert.match(line, /^OK router-lan/, 'the user client talks to the device on :502');
    }
    type Row = { user: string | null; plant: string; subnet: string; deviceIp: string; protocol: string; port: number | null; connections: number; bytesIn: number; bytesOut: number; session: string | null };
    const label = `client ${client} of ${vpn}`;
    let modbus: Row[] = [];
    const auditDeadline = Date.now() + 30_000;
    while (Date.now() < auditDeadline) {
      const page = JSON.parse((await s.as(olga, ['audit', 'query', '--plant', PLANT_A, '--user', label, '--json'])).stdout) as { records: Row[] };
      modbus = page.records.filter((r) => r.port === 502);
      if (modbus.reduce((sum, r) => sum + r.connections, 0) >= 2) break;
      await sleep(1000);
    }
    t.diagnostic(`client flow records: ${JSON.stringify(modbus)}`);
    assert.ok(modbus.length > 0, `the client's flows are in plant A's audit\n${s.agents.get('agentA')?.output().slice(-3000)}`);
    assert.deepEqual([...new Set(modbus.map((r) => [r.user, r.plant, r.subnet, r.deviceIp, r.protocol, r.session].join('|')))], [`${label}|${PLANT_A}|${ROUTER_LAN}|${ROUTER_DEVICE}|tcp|`]);
    assert.equal(modbus.reduce((sum, r) => sum + r.connections, 0), 2, 'two connections, each counted once');
    // A connection's last bytes (FIN/ACK) may land in a later report window: bytes each way are summed over its records.
    const sum = (key: 'bytesIn' | 'bytesOut') => modbus.reduce((total, r) => total + r[key], 0);
    assert.ok(sum('bytesIn') > 0 && sum('bytesOut') > 0, `bytes each way: ${JSON.stringify(modbus)}`);
    const verified = await s.as(olga, ['audit', 'verify', '--plant', PLANT_A]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  };

  before(async () => {
    await assertNetnsCapable();
    await s.build();
    router = await s.lab.addNamespace('rtr');
    const rlan = await s.lab.addNamespace('rln');
    userNs = await s.lab.addNamespace('ucl');
    await s.lab.addVeth({ ns: s.ns.inet, iface: 'tortr', address: '10.10.4.1/24' }, { ns: router, iface: 'up0', address: `${ROUTER_IP}/24` });
    await s.lab.addRoute(router, ['10.10.0.0/16', 'via', '10.10.4.1']);
    await s.lab.addVeth({ ns: router, iface: 'lan1', address: '10.40.0.1/24' }, { ns: rlan, iface: 'eth0', address: `${ROUTER_DEVICE}/24` });
    await s.lab.addRoute(rlan, ['default', 'via', '10.40.0.1']);
    await s.lab.enableForwarding(router);
    await s.lab.addVeth({ ns: s.ns.inet, iface: 'toucl', address: '10.10.5.1/24' }, { ns: userNs, iface: 'up0', address: '10.10.5.2/24' });
    await s.lab.addRoute(userNs, ['10.10.0.0/16', 'via', '10.10.5.1']);
    await s.lab.startProcess(rlan, NODE, [DEVICE, 'router-lan', '600000']).waitForLine(/^listening/, 15_000);

    await s.startServer();
    await s.loginAdmin();
    await s.applyFleet(scenarioFleet({}));
    await s.admin(['admin', 'region', 'add', REGION, '--endpoint', `${GATEWAY_IP}:51820`]);
    await s.startGateway();
    // issue 10 item 2: the agent captures its hosted clients' flows (a short report window for the test)
    await s.startAgent('agentA', PLANT_A, { args: ['--flow-capture', 'on', '--flow-report-seconds', '2'] });
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

  it('D1/D6/D11: the router dials in with exactly the show-once profile; alice reaches the router\u2019s LAN device through gateway, agent and hosted server', async (t) => {
    const out = join(s.work, 'hosted-c.conf');
    const created = Date.now();
    const run = await s.as(olga, ['site-vpn', 'create', '--plant', PLANT_A, '--name', VPN_NAME, '--direction', 'hosted', '--protocol', 'wireguard', '--subnet', ROUTER_LAN, '--out', out, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).subnets, [ROUTER_LAN]);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const profile = readFileSync(out, 'utf8');
    const config = await dialIn(s, router, s.lab.name('hcr'), profile);
    assert.equal(config.peers[0]?.endpoint, '10.10.2.2:51820', 'the address the agent registered from, the first WireGuard port');
    const [vpn] = JSON.parse((await s.as(olga, ['site-vpn', 'list', '--plant', PLANT_A, '--json'])).stdout);
    iface = directVpnInterfaceName(vpn.id);
    s.lab.trackWireGuardInterface(iface);

    await s.refreshConfig(alice);
    const route = (await s.routes(alice)).find((entry) => entry.subnet === ROUTER_LAN);
    assert.ok(route, `alice has a route to ${ROUTER_LAN}`);
    host = mappedHost(route.mapped, ROUTER_DEVICE);
    const answer = await s.waitForAnswer(alice, host, 'router-lan', 60_000);
    t.diagnostic(`hosted create → first packet through (incl. the router dialing in and the user's vpn refresh): ${Date.now() - created} ms`);
    assert.equal(answer, 'router-lan', `alice reaches ${ROUTER_DEVICE} via ${host}\n${s.agents.get('agentA')?.output()}`);
    // the LAN device sees the server's tunnel address (the agent masquerades into the server)
    const whoami = await s.lab.exec(alice.ns, NODE, [PROBE, 'http', `http://${host}/whoami`, '1500'], { timeoutMs: 15_000 });
    assert.equal(whoami.stdout.trim(), 'OK router-lan from 100.96.0.1');
    // the agent's server: listening on 51820, the router's peer carries only its subnet and /32
    const allowed = (await s.lab.exec(s.ns.agentA, 'wg', ['show', iface, 'allowed-ips'])).stdout;
    assert.match(allowed, /\t10\.40\.0\.0\/24 100\.96\.0\.2\/32\s*$/);
    assert.equal((await s.lab.exec(s.ns.agentA, 'wg', ['show', iface, 'listen-port'])).stdout.trim(), '51820');
    // the router's own starts do not reach the agent host
    assert.equal(await probe(router, '100.96.0.1', '/', 700), 'none', 'the hosted interface leads nowhere on the agent itself');
    assert.ok(!s.daemonOutput().includes(config.privateKey), 'the site client\u2019s key is in no log');
  });

  let userKey = '';
  it('D9: a user client (profile from client add) reaches the router\u2019s LAN through the agent; removed, it is cut at once while the router stays up', async (t) => {
    assert.ok(host, 'the previous test connected');
    const added = await s.as(olga, ['site-vpn', 'client', 'add', VPN_NAME, '--plant', PLANT_A, '--name', 'ulla', '--kind', 'user']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stderr, /shown only now/);
    const config = await dialIn(s, userNs, s.lab.name('hcu'), added.stdout);
    userKey = config.privateKey;
    const reached = await until(userNs, (a) => a.startsWith('OK '), 30_000);
    assert.equal(reached.answer, 'OK router-lan from 100.96.0.1', `the user client reaches ${ROUTER_DEVICE}\n${s.agents.get('agentA')?.output()}`);

    await clientFlowsInAudit(t, 'ulla', VPN_NAME);

    const started = Date.now();
    const removed = await s.as(olga, ['site-vpn', 'client', 'remove', VPN_NAME, 'ulla', '--plant', PLANT_A]);
    assert.equal(removed.code, 0, removed.stderr);
    const cut = await until(userNs, (a) => a === 'none', CUT_WITHIN_MS);
    t.diagnostic(`client remove → cut: ${Date.now() - started} ms`);
    assert.equal(cut.answer, 'none', 'a removed client reaches nothing');
    assert.equal(await s.whoAnswers(alice, host, 1500), 'router-lan', 'the router and the other clients keep their sessions');
    const peers = (await s.lab.exec(s.ns.agentA, 'wg', ['show', iface, 'peers'])).stdout.trim().split('\n');
    assert.equal(peers.length, 1, 'only the router is left');
  });

  it('D9: deleting the hosted server cuts every client: the router\u2019s LAN is unreachable for a user client and for alice, the agent\u2019s interface is gone', async (t) => {
    assert.ok(userKey, 'the previous test ran');
    const added = await s.as(olga, ['site-vpn', 'client', 'add', VPN_NAME, '--plant', PLANT_A, '--name', 'uwe', '--kind', 'user']);
    assert.equal(added.code, 0, added.stderr);
    await s.lab.exec(userNs, 'ip', ['link', 'del', s.lab.name('hcu')]).catch(() => undefined);
    await dialIn(s, userNs, s.lab.name('hcw'), added.stdout);
    assert.equal((await until(userNs, (a) => a.startsWith('OK '), 30_000)).answer, 'OK router-lan from 100.96.0.1');

    const started = Date.now();
    const deleted = await s.as(olga, ['site-vpn', 'delete', VPN_NAME, '--plant', PLANT_A]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const cut = await until(userNs, (a) => a === 'none', CUT_WITHIN_MS);
    t.diagnostic(`delete → every client cut: ${Date.now() - started} ms`);
    assert.equal(cut.answer, 'none');
    assert.equal(await s.whoAnswers(alice, host, 1000), 'none');
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      gone = await s.lab.exec(s.ns.agentA, 'ip', ['link', 'show', iface]).then(
        () => false,
        () => true,
      );
      if (!gone) await sleep(100);
    }
    assert.ok(gone, `the agent removed ${iface}`);
    // the WireGuard clients leave (their routes would shadow the OpenVPN ones below)
    await s.lab.exec(router, 'ip', ['link', 'del', s.lab.name('hcr')]).catch(() => undefined);
    await s.lab.exec(userNs, 'ip', ['link', 'del', s.lab.name('hcw')]).catch(() => undefined);
  });

  // ---- hosted OpenVPN (the agent's OpenVPN runner) -------------------------------------

  const OVPN_NAME = 'Hosted O';
  /** Runs `openvpn` with a show-once .ovpn (written 0600 by the CLI) in `ns` until it is up; stopped by PID. */
  const openvpnClient = async (ns: string, file: string) => {
    const client = s.lab.startProcess(ns, 'openvpn', ['--config', file, '--verb', '3']);
    await client.waitForLine(/Initialization Sequence Completed/, 60_000);
    return client;
  };

  let ovpnHost = '';
  let ovpnRouter: { stop(): Promise<void> } | null = null;
  it('D1/D6 OpenVPN: the router dials the agent\u2019s hosted OpenVPN server with the show-once .ovpn; alice reaches its LAN device', async (t) => {
    const out = join(s.work, 'hosted-o.ovpn');
    const created = Date.now();
    const run = await s.as(olga, ['site-vpn', 'create', '--plant', PLANT_A, '--name', OVPN_NAME, '--direction', 'hosted', '--protocol', 'openvpn', '--transport', 'udp', '--subnet', ROUTER_LAN, '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.match(readFileSync(out, 'utf8'), /^remote 10\.10\.2\.2 1194$/m);
    const client = await openvpnClient(router, out);
    ovpnRouter = client;
    await s.refreshConfig(alice);
    const route = (await s.routes(alice)).find((entry) => entry.subnet === ROUTER_LAN);
    assert.ok(route, `alice has a route to ${ROUTER_LAN}`);
    ovpnHost = mappedHost(route.mapped, ROUTER_DEVICE);
    const answer = await s.waitForAnswer(alice, ovpnHost, 'router-lan', 60_000);
    t.diagnostic(`hosted OpenVPN create → first packet through (incl. the router's openvpn start and the user's vpn refresh): ${Date.now() - created} ms`);
    assert.equal(answer, 'router-lan', `alice reaches ${ROUTER_DEVICE} via ${ovpnHost}\n${client.output()}\n${s.agents.get('agentA')?.output()}`);
  });

  it('D9 OpenVPN: a user client reaches the router\u2019s LAN; removed, its certificate is revoked and its session killed; deleting the server cuts the router', async (t) => {
    assert.ok(ovpnHost, 'the previous test connected');
    const out = join(s.work, 'ola.ovpn');
    const added = await s.as(olga, ['site-vpn', 'client', 'add', OVPN_NAME, '--plant', PLANT_A, '--name', 'ola', '--kind', 'user', '--out', out]);
    assert.equal(added.code, 0, added.stderr);
    const user = await openvpnClient(userNs, out);
    const reached = await until(userNs, (a) => a.startsWith('OK '), 30_000);
    assert.match(reached.answer, /^OK router-lan from 100\.96\.\d+\.1$/, `the user client reaches ${ROUTER_DEVICE}\n${user.output()}`);
    await clientFlowsInAudit(t, 'ola', OVPN_NAME);

    const started = Date.now();
    const removed = await s.as(olga, ['site-vpn', 'client', 'remove', OVPN_NAME, 'ola', '--plant', PLANT_A]);
    assert.equal(removed.code, 0, removed.stderr);
    const cut = await until(userNs, (a) => a === 'none', CUT_WITHIN_MS);
    t.diagnostic(`OpenVPN client remove → cut: ${Date.now() - started} ms`);
    assert.equal(cut.answer, 'none', 'a removed client reaches nothing');
    await user.stop();
    // it cannot come back: its certificate is on the CRL
    const again = s.lab.startProcess(userNs, 'openvpn', ['--config', out, '--verb', '3', '--connect-retry-max', '1']);
    const refused = await Promise.race([again.waitForLine(/Initialization Sequence Completed/, 10_000).then(() => 'connected', () => 'not connected'), sleep(10_000).then(() => 'not connected')]);
    await again.stop();
    assert.equal(refused, 'not connected', `a revoked client does not connect again\n${again.output()}`);
    assert.equal(await s.whoAnswers(alice, ovpnHost, 1500), 'router-lan', 'the router keeps its session');

    const deletedAt = Date.now();
    const deleted = await s.as(olga, ['site-vpn', 'delete', OVPN_NAME, '--plant', PLANT_A]);
    assert.equal(deleted.code, 0, deleted.stderr);
    let answer = '';
    do {
      answer = await s.whoAnswers(alice, ovpnHost, 700);
      if (answer === 'none') break;
      await sleep(100);
    } while (Date.now() - deletedAt < CUT_WITHIN_MS);
    t.diagnostic(`OpenVPN delete → cut: ${Date.now() - deletedAt} ms`);
    assert.equal(answer, 'none');
    // the router's openvpn goes too (its tun would shadow the next server's network)
    await ovpnRouter?.stop();
  });

  it('D2 OpenVPN over TCP: the router dials the hosted server with the show-once .ovpn over TCP; alice reaches its LAN device; delete cuts it', async (t) => {
    assert.ok(ovpnHost, 'the UDP server ran first');
    const out = join(s.work, 'hosted-t.ovpn');
    const created = Date.now();
    const run = await s.as(olga, ['site-vpn', 'create', '--plant', PLANT_A, '--name', 'Hosted T', '--direction', 'hosted', '--protocol', 'openvpn', '--transport', 'tcp', '--subnet', ROUTER_LAN, '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(readFileSync(out, 'utf8'), /^proto tcp-client$/m);
    const client = await openvpnClient(router, out);
    await s.refreshConfig(alice);
    const route = (await s.routes(alice)).find((entry) => entry.subnet === ROUTER_LAN);
    assert.ok(route);
    const tcpHost = mappedHost(route.mapped, ROUTER_DEVICE);
    const answer = await s.waitForAnswer(alice, tcpHost, 'router-lan', 60_000);
    t.diagnostic(`hosted OpenVPN/TCP create → first packet through: ${Date.now() - created} ms`);
    assert.equal(answer, 'router-lan', `alice reaches ${ROUTER_DEVICE} over the TCP server\n${client.output()}`);
    assert.equal((await s.as(olga, ['site-vpn', 'delete', 'Hosted T', '--plant', PLANT_A])).code, 0);
    const started = Date.now();
    let after = '';
    do {
      after = await s.whoAnswers(alice, tcpHost, 700);
      if (after === 'none') break;
      await sleep(100);
    } while (Date.now() - started < CUT_WITHIN_MS);
    assert.equal(after, 'none');
    await client.stop();
  });
});
