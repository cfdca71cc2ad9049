import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { renderAgentRuleset } from '../../src/agent/nft-ruleset.ts';
import type { GatewayDesiredState } from '../../src/core/wire/gateway-state.ts';
import { applyGatewayState, type GatewayDataPlane } from '../../src/gateway/apply.ts';
import { NftCliDriver } from '../../src/os/nft/nft-cli-driver.ts';
import { WireGuardGoDriver } from '../../src/os/wireguard/wireguard-go-driver.ts';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { assertNetnsCapable, NetnsLab } from './netns.ts';
import { wgQuickUp } from './wg-quick.ts';

/**
 * The personal-VPN data plane end to end, no control plane: a hand-written desired state
 * applied by the gateway code to real wireguard-go + nft in network namespaces.
 *
 *   alice (wg client, AllowedIPs = mapped space + 192.168.1.0/24) ─┐
 *   carol (wg client, AllowedIPs = 0.0.0.0/0)                      ├─ gw ── agentA ── lanA: 192.168.1.10 "plant-A"
 *   dave  (wg client, AllowedIPs = 0.0.0.0/0, no route at all)     │
 *                                                                  │     └─ agentB ── lanB: 192.168.1.10 "plant-B"
 *                                         inet (192.168.1.10 too, "internet") ─┘  (gw's default route)
 *
 * Plant A's 192.168.1.0/24 is mapped to 100.80.1.0/24, plant B's to 100.80.2.0/24. Every
 * address lives only in namespaces this test creates and removes.
 */

const NODE = process.execPath;
const PROBE = new URL('./fixtures/probe.ts', import.meta.url).pathname;
const DEVICE = new URL('./fixtures/device-server.ts', import.meta.url).pathname;
const LIFETIME_MS = '180000';

const ALICE_IP = '100.64.0.2';
const CAROL_IP = '100.64.0.4';
const DAVE_IP = '100.64.0.5';
const A_MAPPED = '100.80.1.0/24';
const B_MAPPED = '100.80.2.0/24';
const NATIVE = '192.168.1.0/24';
const GATEWAY_SITE_IP = '100.64.0.9';

describe('data plane end to end (wireguard-go + nft in network namespaces)', { timeout: 240_000 }, () => {
  const lab = new NetnsLab();
  const ns: Record<string, string> = {};
  const drivers: Array<{ driver: WireGuardGoDriver; name: string }> = [];
  let gateway: GatewayDataPlane;
  let state: GatewayDesiredState;

  const http = async (from: string, url: string, timeoutMs = 1500, localAddress?: string): Promise<string> => {
    const args = [PROBE, 'http', url, String(timeoutMs), ...(localAddress ? [localAddress] : [])];
    const { stdout } = await lab.exec(ns[from], NODE, args, { timeoutMs: timeoutMs + 10_000 });
    return stdout.trim();
  };
  const apply = async (next: GatewayDesiredState) => {
    state = { ...next, revision: state.revision + 1 };
    return applyGatewayState(state, gateway);
  };

  before(async () => {
    await assertNetnsCapable();
    for (const role of ['alice', 'carol', 'dave', 'gw', 'agentA', 'agentB', 'lanA', 'lanB', 'inet']) {
      ns[role] = await lab.addNamespace(role.slice(0, 1) + role.slice(-1) + role.length);
    }
    // Underlay: point-to-point links to the gateway; plant LANs behind each agent.
    await lab.addVeth({ ns: ns.alice, iface: 'up0', address: '10.200.1.2/30' }, { ns: ns.gw, iface: 'al0', address: '10.200.1.1/30' });
    await lab.addVeth({ ns: ns.carol, iface: 'up0', address: '10.200.2.2/30' }, { ns: ns.gw, iface: 'ca0', address: '10.200.2.1/30' });
    await lab.addVeth({ ns: ns.dave, iface: 'up0', address: '10.200.5.2/30' }, { ns: ns.gw, iface: 'da0', address: '10.200.5.1/30' });
    await lab.addVeth({ ns: ns.agentA, iface: 'up0', address: '10.200.3.2/30' }, { ns: ns.gw, iface: 'aa0', address: '10.200.3.1/30' });
    await lab.addVeth({ ns: ns.agentB, iface: 'up0', address: '10.200.4.2/30' }, { ns: ns.gw, iface: 'ab0', address: '10.200.4.1/30' });
    await lab.addVeth({ ns: ns.inet, iface: 'up0', address: '10.200.9.2/30' }, { ns: ns.gw, iface: 'in0', address: '10.200.9.1/30' });
    await lab.addVeth({ ns: ns.agentA, iface: 'lan0', address: '192.168.1.1/24' }, { ns: ns.lanA, iface: 'eth0', address: '192.168.1.10/24' });
    await lab.addVeth({ ns: ns.agentB, iface: 'lan0', address: '192.168.1.1/24' }, { ns: ns.lanB, iface: 'eth0', address: '192.168.1.10/24' });
    // The gateway's default route leads to "inet", which also owns 192.168.1.10: so a
    // packet the gateway forwarded where it must not would get an answer there.
    await lab.addRoute(ns.gw, ['default', 'via', '10.200.9.2']);
    await lab.addRoute(ns.inet, ['default', 'via', '10.200.9.1']);
    await lab.addAddress(ns.inet, 'lo', '192.168.1.10/32');
    for (const router of [ns.gw, ns.agentA, ns.agentB]) await lab.enableForwarding(router);

    // Services of the gateway and agent hosts themselves (on every address): issue 7 #6.
    const listeners = [['lanA', 'plant-A'], ['lanB', 'plant-B'], ['inet', 'internet'], ['gw', 'gateway-host'], ['agentA', 'agent-host']];
    for (const [role, name] of listeners) {
      await lab.startProcess(ns[role], NODE, [DEVICE, name, LIFETIME_MS]).waitForLine(/^listening/, 10_000);
    }

    const keys = {
      service: generateWireGuardKeyPair(),
      sites: generateWireGuardKeyPair(),
      agentA: generateWireGuardKeyPair(),
      agentB: generateWireGuardKeyPair(),
      alice: generateWireGuardKeyPair(),
      carol: generateWireGuardKeyPair(),
      dave: generateWireGuardKeyPair(),
    };
    state = {
      revision: 1,
      region: 'e2e',
      gateway: { id: 'gw-e2e', name: 'gw-e2e', siteTunnelIp: GATEWAY_SITE_IP },
      servicePublicKey: keys.service.publicKey,
      serviceTunnelIp: '100.64.0.1',
      tunnelRange: '100.64.0.0/12',
      mappedSpace: '100.80.0.0/12',
      peers: [
        { publicKey: keys.alice.publicKey, tunnelIp: ALICE_IP, profileId: 'alice' },
        { publicKey: keys.carol.publicKey, tunnelIp: CAROL_IP, profileId: 'carol' },
        // dave has a profile and no route at all (a guest): no allowed, no native entry
        { publicKey: keys.dave.publicKey, tunnelIp: DAVE_IP, profileId: 'dave' },
      ],
      allowed: [
        { userIp: ALICE_IP, mapped: A_MAPPED },
        { userIp: ALICE_IP, mapped: B_MAPPED },
        { userIp: CAROL_IP, mapped: A_MAPPED },
      ],
      // alice chose plant B as the priority of the 192.168.1.0/24 conflict group
      native: [{ userIp: ALICE_IP, native: NATIVE, mapped: B_MAPPED }],
      sites: [
        { plantId: 'A', plantName: 'plant-A', agentPublicKey: keys.agentA.publicKey, agentTunnelIp: '100.64.1.1', translations: [{ mapped: A_MAPPED, real: NATIVE }] },
        { plantId: 'B', plantName: 'plant-B', agentPublicKey: keys.agentB.publicKey, agentTunnelIp: '100.64.1.2', translations: [{ mapped: B_MAPPED, real: NATIVE }] },
      ],
    };

    // Gateway: both WireGuard interfaces, nft table and peers, all through the applier.
    const gwWireGuard = new WireGuardGoDriver({ netns: ns.gw });
    const ifaces = { users: lab.name('pgu'), sites: lab.name('pgs') };
    gateway = {
      wireguard: gwWireGuard,
      nft: new NftCliDriver({ netns: ns.gw }),
      ifaces,
      interfaceSpecs: {
        users: { name: ifaces.users, privateKey: keys.service.privateKey, listenPort: 51820, addresses: ['100.64.0.1/32'], routes: ['100.64.0.0/12'] },
        sites: {
          name: ifaces.sites,
          privateKey: keys.sites.privateKey,
          listenPort: 51821,
          // the gateway's own site address (unique per gateway): the source agents see
          addresses: [`${GATEWAY_SITE_IP}/32`],
          routes: ['100.80.0.0/12', '100.64.1.1/32', '100.64.1.2/32'],
        },
      },
    };
    for (const name of Object.values(ifaces)) {
      lab.trackWireGuardInterface(name);
      drivers.push({ driver: gwWireGuard, name });
    }
    const first = await applyGatewayState(state, gateway);
    assert.deepEqual(first.problems, []);

    // Agents: a site tunnel dialling the gateway, and the agent nft table.
    const agents = [
      { role: 'agentA', key: keys.agentA, ip: '100.64.1.1', endpoint: '10.200.3.1:51821', mapped: A_MAPPED, iface: lab.name('pga') },
      { role: 'agentB', key: keys.agentB, ip: '100.64.1.2', endpoint: '10.200.4.1:51821', mapped: B_MAPPED, iface: lab.name('pgb') },
    ];
    for (const agent of agents) {
      const driver = new WireGuardGoDriver({ netns: ns[agent.role] });
      lab.trackWireGuardInterface(agent.iface);
      drivers.push({ driver, name: agent.iface });
      await driver.createInterface({ name: agent.iface, privateKey: agent.key.privateKey, listenPort: null, addresses: [`${agent.ip}/32`], routes: [`${GATEWAY_SITE_IP}/32`] });
      await driver.changePeers(agent.iface, {
        remove: [],
        upsert: [{ publicKey: keys.sites.publicKey, allowedIps: [`${GATEWAY_SITE_IP}/32`], endpoint: agent.endpoint, persistentKeepalive: 25 }],
      });
      await new NftCliDriver({ netns: ns[agent.role] }).applyScript(
        renderAgentRuleset([{ mapped: agent.mapped, real: NATIVE }], { tunnel: agent.iface, lan: 'lan0' }),
      );
      // The agent's own traffic to the gateway: brings the site tunnel up (handshake).
      await lab.exec(ns[agent.role], 'ping', ['-c', '1', '-W', '3', GATEWAY_SITE_IP]);
    }

    // Users: standard clients from config texts, set up as wg-quick would.
    const clientConf = (key: string, address: string, endpoint: string, allowedIps: string) =>
      `[Interface]\nPrivateKey = ${key}\nAddress = ${address}/32\n\n[Peer]\nPublicKey = ${keys.service.publicKey}\nEndpoint = ${endpoint}\nAllowedIPs = ${allowedIps}\nPersistentKeepalive = 25\n`;
    const users = [
      { role: 'alice', conf: clientConf(keys.alice.privateKey, ALICE_IP, '10.200.1.1:51820', `100.80.0.0/12, ${NATIVE}`), iface: lab.name('wga') },
      { role: 'carol', conf: clientConf(keys.carol.privateKey, CAROL_IP, '10.200.2.1:51820', '0.0.0.0/0'), iface: lab.name('wgc') },
      { role: 'dave', conf: clientConf(keys.dave.privateKey, DAVE_IP, '10.200.5.1:51820', '0.0.0.0/0'), iface: lab.name('wgd') },
    ];
    for (const user of users) {
      const driver = new WireGuardGoDriver({ netns: ns[user.role] });
      lab.trackWireGuardInterface(user.iface);
      drivers.push({ driver, name: user.iface });
      await wgQuickUp(lab, ns[user.role], user.iface, user.conf, driver);
    }
  });

  after(async () => {
    for (const { driver, name } of drivers) await driver.deleteInterface(name).catch(() => {});
    await lab.cleanup();
  });

  it('mapped address of plant A reaches A, of plant B reaches B (same real 192.168.1.10)', async () => {
    assert.equal(await http('alice', 'http://100.80.1.10/', 5000), 'OK plant-A');
    assert.equal(await http('alice', 'http://100.80.2.10/', 5000), 'OK plant-B');
  });

  it('the gateway itself is not governed by the forward chain: own traffic and WireGuard UDP pass', async () => {
    // WireGuard UDP: the handshakes above went through; the gateway's own HTTP and ping:
    assert.equal((await lab.exec(ns.gw, NODE, [PROBE, 'http', 'http://10.200.9.2/', '3000'])).stdout.trim(), 'OK internet');
    await lab.exec(ns.gw, 'ping', ['-c', '1', '-W', '3', '10.200.9.2']);
  });

  it('issue 7 #6: the gateway host is not reachable through the tunnel by a user with zero routes', async () => {
    // The tunnel is up and the gateway answers a ping of its own tunnel address (diagnostics):
    await lab.exec(ns.dave, 'ping', ['-c', '1', '-W', '3', '100.64.0.1']);
    // The listener runs: reachable from outside the tunnels.
    assert.equal(await http('inet', 'http://10.200.9.1/', 3000), 'OK gateway-host');
    // dave sends everything but his own underlay link into the tunnel (AllowedIPs 0.0.0.0/0,
    // wg-quick's policy routing): the gateway's tunnel address, its site address and an
    // underlay address of another link all refuse him.
    const targets = ['100.64.0.1', GATEWAY_SITE_IP, '10.200.9.1'];
    const answers = await Promise.all(targets.map((ip) => http('dave', `http://${ip}/`)));
    assert.deepEqual(answers.map((answer, i) => `${targets[i]} ${answer.startsWith('ERR') ? 'ERR' : answer}`), targets.map((ip) => `${ip} ERR`));
  });

  it('issue 7 #6: the agent host is not reachable through its tunnel, not even through a mapped address of its own LAN address', async () => {
    assert.equal(await http('lanA', 'http://192.168.1.1/', 3000), 'OK agent-host'); // the listener runs (LAN side)
    // the gateway host, the agent's only tunnel peer, toward the agent's tunnel address:
    assert.match((await lab.exec(ns.gw, NODE, [PROBE, 'http', 'http://100.64.1.1/', '1500'])).stdout.trim(), /^ERR/);
    // a user allowed into plant A (100.80.1.0/24 → 192.168.1.0/24) asks for 192.168.1.1, the agent itself:
    assert.equal(await http('carol', 'http://100.80.1.10/', 5000), 'OK plant-A');
    assert.match(await http('carol', 'http://100.80.1.1/'), /^ERR/);
  });

  it('P5: native 192.168.1.10 reaches the plant of the native map, and follows a priority change', async () => {
    assert.equal(await http('alice', 'http://192.168.1.10/', 5000), 'OK plant-B');
    const plan = await apply({ ...state, native: [{ userIp: ALICE_IP, native: NATIVE, mapped: A_MAPPED }] });
    assert.equal(plan.nft.kind, 'delta');
    assert.equal(await http('alice', 'http://192.168.1.10/', 5000), 'OK plant-A');
  });

  it('P5: with the conflict unresolved (no native entry), native reaches nothing; mapped still work', async () => {
    await apply({ ...state, native: [] });
    assert.match(await http('alice', 'http://192.168.1.10/'), /^ERR/);
    assert.equal(await http('alice', 'http://100.80.1.10/', 5000), 'OK plant-A');
    assert.equal(await http('alice', 'http://100.80.2.10/', 5000), 'OK plant-B');
  });

  it('P4/P3: removing the allowed element cuts an open TCP connection within 1 s; plant B keeps working', async (t) => {
    const ticker = lab.startProcess(ns.alice, NODE, [PROBE, 'ticks', '100.80.1.10', '81', '5000']);
    await ticker.waitForLine(/^connected/, 3000);
    await sleep(400);
    const applyStarted = Date.now();
    const plan = await apply({ ...state, allowed: state.allowed.filter((pair) => !(pair.userIp === ALICE_IP && pair.mapped === A_MAPPED)) });
    const applyDone = Date.now();
    assert.equal(plan.nft.kind, 'delta');
    await sleep(1500);
    const ticks = [...ticker.output().matchAll(/^tick (\d+)$/gm)].map((match) => Number(match[1]));
    const before = ticks.filter((tick) => tick < applyStarted);
    const late = ticks.filter((tick) => tick > applyStarted + 1000);
    const lastTick = Math.max(...ticks);
    t.diagnostic(`apply took ${applyDone - applyStarted} ms; last tick ${lastTick - applyStarted} ms after apply started; ${before.length} ticks before`);
    assert.ok(before.length >= 3, `the connection carried data before the cut (${before.length} ticks)`);
    assert.deepEqual(late, [], 'no data more than 1 s after the apply started');
    await ticker.stop();
    assert.match(await http('alice', 'http://100.80.1.10/'), /^ERR/);
    assert.equal(await http('alice', 'http://100.80.2.10/', 5000), 'OK plant-B');
  });

  it('anti-spoofing: a source that is not the peer\'s tunnel IP never passes, even an allowed one', async () => {
    // carol may reach plant A; alice may not any more. alice forges carol's address:
    await lab.exec(ns.alice, 'ip', ['address', 'add', `${CAROL_IP}/32`, 'dev', lab.name('wga')]);
    assert.match(await http('alice', 'http://100.80.1.10/', 1500, CAROL_IP), /^ERR/);
    assert.equal(await http('carol', 'http://100.80.1.10/', 5000), 'OK plant-A');
  });

  it('a client with AllowedIPs 0.0.0.0/0 reaches nothing outside its routes', async () => {
    assert.equal(await http('carol', 'http://100.80.1.10/', 5000), 'OK plant-A'); // control: the tunnel works
    assert.match(await http('carol', 'http://100.80.2.10/'), /^ERR/); // another plant, not allowed
    assert.match(await http('carol', 'http://10.200.9.2/'), /^ERR/); // the gateway's "internet"
    assert.match(await http('carol', 'http://192.168.1.10/'), /^ERR/); // native, carol has no native route
  });
});
