import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentDesiredState, AgentDiscoveryResult } from '../core/wire/daemon.ts';
import { FakeNetProbe } from '../os/probe/fake-net-probe.ts';
import { DaemonMetrics } from '../daemon/daemon-metrics.ts';
import { memoryLogger } from '../daemon/log.ts';
import { MemoryStateStore } from '../daemon/state-store.ts';
import { FakeClock, settle } from '../daemon/testing/fake-clock.ts';
import { FakeControlPlane } from '../daemon/testing/fake-control-plane.ts';
import { FakeIpConfigDriver } from '../os/ip/fake-ip-config-driver.ts';
import { FakeNftDriver } from '../os/nft/fake-nft-driver.ts';
import { FakeWireGuardDriver } from '../os/wireguard/fake-wireguard-driver.ts';
import { generateWireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { type AgentDaemonConfig, startAgentDaemon } from './daemon.ts';

const TOKEN = 'pge_agent-once';
const GW1 = generateWireGuardKeyPair().publicKey;
const GW2 = generateWireGuardKeyPair().publicKey;
const config: AgentDaemonConfig = {
  token: TOKEN,
  ifaces: { tunnel: 'pga0', lan: 'lan0' },
  table: 'plantgate',
  keepOnExit: false,
  version: 'test',
  loop: { waitSeconds: 25, reconcileMs: 30_000, statusMs: 10_000, backoff: { initialMs: 500, maxMs: 4000 } },
};
const initial: AgentDesiredState = {
  revision: 1,
  agent: { id: 'ag-1', name: 'agent-a', plantId: 'p-a', plantName: 'Solarpark A', tunnelIp: '100.64.1.1' },
  directVpns: [],
      discoveries: [],
  translations: [{ mapped: '100.80.1.0/24', real: '192.168.1.0/24' }],
  gateways: [{ id: 'g1', name: 'eu-1', region: 'eu-central', publicKey: GW1, endpoint: '198.51.100.1:51821', siteTunnelIp: '100.64.0.9' }],
};

function world() {
  const clock = new FakeClock();
  const cp = new FakeControlPlane<AgentDesiredState>(clock, initial, { kind: 'agent', id: 'ag-1', name: 'agent-a', credential: 'pgd_agent', region: null, plantId: 'p-a' }, TOKEN);
  cp.registerAnswer = { tunnelIp: '100.64.1.1' };
  const store = new MemoryStateStore();
  const host = { wireguard: new FakeWireGuardDriver(), nft: new FakeNftDriver(), ip: new FakeIpConfigDriver() };
  const start = async (overrides: Partial<AgentDaemonConfig> = {}) => {
    const log = memoryLogger();
    const metrics = new DaemonMetrics('agent', clock);
    const daemon = await startAgentDaemon({ ...config, ...overrides }, {
      enrolment: cp,
      controlPlane: () => ({ register: (r) => cp.register(r), state: (r) => cp.fetchState(r), status: (r) => cp.status(r) }),
      store,
      ...host,
      clock,
      log,
      metrics,
    });
    await settle();
    return { daemon, log, metrics };
  };
  return { clock, cp, store, host, start };
}

describe('agent daemon (fake drivers, fake control plane)', () => {
  it('first start: enrols, registers its public key, one tunnel with a peer per gateway, the translation table, address and routes', async () => {
    const { cp, store, host, start } = world();
    const { daemon } = await start();
    const key = (await store.read('wireguard-key')) as { publicKey: string };
    assert.deepEqual(cp.registrations, [{ publicKey: key.publicKey }]);
    const dump = await host.wireguard.readDump('pga0');
    assert.equal(dump?.interface.publicKey, key.publicKey);
    assert.deepEqual(dump?.peers.map((peer) => [peer.publicKey, peer.allowedIps, peer.endpoint, peer.persistentKeepalive]), [[GW1, ['100.64.0.9/32'], '198.51.100.1:51821', 25]]);
    assert.match(host.nft.appliedScripts[0], /dnat ip prefix to ip daddr map \{ 100\.80\.1\.0\/24 : 192\.168\.1\.0\/24 \}/);
    assert.match(host.nft.appliedScripts[0], /oifname "lan0" masquerade/);
    assert.deepEqual(host.ip.addresses.get('pga0'), ['100.64.1.1/32']);
    assert.deepEqual(host.ip.routes.get('pga0'), ['100.64.0.9/32']);
    assert.equal(host.ip.forwarding, true);
    await daemon.stop();
  });

  it('a gateway of another region appears: one more peer and route, no table reload; a new subnet reloads the table', async () => {
    const { cp, host, start } = world();
    const { daemon } = await start();
    const scripts = host.nft.appliedScripts.length;
    cp.publish((state) => ({ ...state, gateways: [...state.gateways, { id: 'g2', name: 'us-1', region: 'us-east', publicKey: GW2, endpoint: '198.51.100.2:51821', siteTunnelIp: '100.64.0.10' }] }));
    await settle();
    assert.equal((await host.wireguard.readDump('pga0'))?.peers.length, 2);
    assert.deepEqual(host.ip.routes.get('pga0'), ['100.64.0.10/32', '100.64.0.9/32']);
    assert.equal(host.nft.appliedScripts.length, scripts);
    cp.publish((state) => ({ ...state, translations: [...state.translations, { mapped: '100.80.7.0/24', real: '10.7.0.0/24' }] }));
    await settle();
    assert.equal(host.nft.appliedScripts.length, scripts + 1);
    assert.match(host.nft.appliedScripts.at(-1) ?? '', /100\.80\.7\.0\/24 : 10\.7\.0\.0\/24/);
    assert.equal(daemon.loop.appliedRevision, 3);
    await daemon.stop();
  });

  it('reconcile repairs drift (its table deleted by hand), also with the control plane away; a restart without it rebuilds from the state dir', async () => {
    const { cp, host, start, clock } = world();
    const first = await start();
    cp.up = false;
    await host.nft.deleteTable('plantgate');
    await clock.advance(30_000);
    assert.notEqual(await host.nft.readTable('plantgate'), null);
    await first.daemon.stop();
    assert.equal(await host.wireguard.readDump('pga0'), null);
    const second = await start({ token: undefined });
    assert.equal((await host.wireguard.readDump('pga0'))?.peers.length, 1);
    assert.notEqual(await host.nft.readTable('plantgate'), null);
    await second.daemon.stop();
  });

  it('reports its gateways with handshakes and exposes connected gateways and handshake ages', async () => {
    const { cp, host, start, clock } = world();
    const { daemon, metrics } = await start();
    // pretend the tunnel handshook 20 s ago
    const dump = await host.wireguard.readDump('pga0');
    assert.ok(dump);
    const live = (host.wireguard as unknown as { interfaces: Map<string, { peers: Array<{ latestHandshake: number }> }> }).interfaces.get('pga0');
    assert.ok(live);
    live.peers[0].latestHandshake = Math.round(clock.now() / 1000) - 20;
    await clock.advance(10_000);
    const report = cp.reports.at(-1);
    assert.equal(report?.appliedRevision, 1);
    assert.equal(report?.peers[0].publicKey, GW1);
    const text = await metrics.render();
    assert.ok(text.includes('plantgate_agent_gateways_connected 1'), text);
    assert.ok(text.includes('plantgate_agent_gateway_handshake_age_seconds{gateway="eu-1"} 30'), text);
    assert.ok(text.includes('plantgate_agent_applied_revision 1'), text);
    await daemon.stop();
  });

  it('issue 6: an update is planned against what the agent last applied, without reading wg and nft back', async () => {
    const { cp, host, start } = world();
    const { daemon } = await start();
    const reads = host.nft.reads;
    const dumps = host.wireguard.calls.length;
    cp.publish((state) => ({ ...state, gateways: [...state.gateways, { id: 'g2', name: 'us-1', region: 'us-east', publicKey: GW2, endpoint: '198.51.100.2:51821', siteTunnelIp: '100.64.0.10' }] }));
    await settle();
    assert.equal(daemon.loop.appliedRevision, 2);
    assert.equal(host.nft.reads, reads, 'no nft -j list table');
    assert.deepEqual(host.wireguard.calls.slice(dumps), ['set pga0'], 'one wg set, no wg show dump');
    await daemon.stop();
  });

  it('issue 7 #5: one unresolvable gateway endpoint (gw-us-1-internal:51821) no longer stops every peer change: that peer is skipped and reported, the others are applied', async () => {
    const { cp, host, start, clock } = world();
    host.wireguard.unresolvable.add('gw-us-1-internal');
    const { daemon, log } = await start();
    const GW3 = generateWireGuardKeyPair().publicKey;
    cp.publish((state) => ({
      ...state,
      gateways: [
        ...state.gateways,
        { id: 'g2', name: 'us-1', region: 'us-east', publicKey: GW2, endpoint: 'gw-us-1-internal:51821', siteTunnelIp: '100.64.0.10' },
        { id: 'g3', name: 'ap-1', region: 'ap-south', publicKey: GW3, endpoint: '198.51.100.3:51821', siteTunnelIp: '100.64.0.11' },
      ],
    }));
    await settle();
    const keys = (await host.wireguard.readDump('pga0'))?.peers.map((peer) => peer.publicKey).sort();
    assert.deepEqual(keys, [GW1, GW3].sort(), 'the good gateways are there, the bad one is not');
    assert.equal(daemon.loop.appliedRevision, 2, 'the revision is applied, not stuck');
    assert.ok(log.lines.some((line) => line.level === 'warn' && /us-1 \(gw-us-1-internal:51821\) not applied: Name or service not known/.test(String(line.fields.problem))));
    await clock.advance(10_000);
    assert.match(cp.reports.at(-1)?.lastError ?? '', /gateway us-1 \(gw-us-1-internal:51821\) not applied/);
    // later changes still go through at once (the bad name is not retried on every update: wg spends seconds on it)
    const calls = host.wireguard.calls.length;
    cp.publish((state) => ({ ...state, gateways: state.gateways.filter((gateway) => gateway.id !== 'g3') }));
    await settle();
    assert.deepEqual(host.wireguard.calls.slice(calls), ['set pga0']);
    assert.deepEqual((await host.wireguard.readDump('pga0'))?.peers.map((peer) => peer.publicKey), [GW1]);
    // once the name resolves, the next reconcile brings that gateway in and the report is clean
    host.wireguard.unresolvable.clear();
    await clock.advance(30_000);
    assert.deepEqual((await host.wireguard.readDump('pga0'))?.peers.map((peer) => peer.publicKey).sort(), [GW1, GW2].sort());
    await clock.advance(10_000);
    assert.equal(cp.reports.at(-1)?.lastError, null);
    await daemon.stop();
  });

  it('issue 7 #4: a gateway endpoint with a newline (or a space) is not written into wg: that gateway is left out and reported', async () => {
    const { cp, host, start, clock } = world();
    const { daemon } = await start();
    cp.publish((state) => ({
      ...state,
      gateways: [...state.gateways, { id: 'g2', name: 'evil', region: 'us-east', publicKey: GW2, endpoint: '198.51.100.2:51821\nPostUp = touch /tmp/x', siteTunnelIp: '100.64.0.10' }],
      translations: [...state.translations, { mapped: '0.0.0.0/0', real: '0.0.0.0/0' }],
    }));
    await settle();
    assert.deepEqual((await host.wireguard.readDump('pga0'))?.peers.map((peer) => peer.publicKey), [GW1]);
    assert.ok(!host.nft.appliedScripts.some((script) => script.includes('0.0.0.0/0')), 'no default-route translation');
    await clock.advance(10_000);
    const lastError = cp.reports.at(-1)?.lastError ?? '';
    assert.match(lastError, /gateway evil left out: endpoint "198\.51\.100\.2:51821\\nPostUp = touch \/tmp\/x" is not HOST:PORT/);
    assert.match(lastError, /translation 0\.0\.0\.0\/0 → 0\.0\.0\.0\/0 left out: prefixes shorter than \/8/);
    await daemon.stop();
  });

  it('issue 6 fail static bounded: an agent restarted without the control plane past the max age translates nothing into the LAN but keeps its tunnels', async () => {
    const { cp, host, start, clock } = world();
    await (await start()).daemon.stop();
    cp.up = false;
    await clock.advance(25 * 3600_000);
    const { daemon, metrics } = await start({ token: undefined });
    assert.equal((await host.wireguard.readDump('pga0'))?.peers.length, 1, 'tunnel kept');
    assert.ok(!host.nft.appliedScripts.at(-1)?.includes('100.80.1.0/24'), 'no translation');
    assert.equal(daemon.loop.mode, 'stale-withdrawn');
    assert.ok((await metrics.render()).includes('plantgate_agent_serving_mode{mode="stale-withdrawn"} 1'));
    await daemon.stop();
  });
});

describe('agent daemon: direct VPN status and discovery (issue 9 D7, D11)', () => {
  it('every status report carries each direct VPN\u2019s state; a discovery in the document runs once and its result is posted', async () => {
    const { clock, cp, store, host } = world();
    const probe = new FakeNetProbe();
    probe.pingable.add('10.40.0.1');
    probe.open.add('10.40.0.2:502');
    const posted: Array<{ id: string; result: AgentDiscoveryResult }> = [];
    const daemon = await startAgentDaemon(config, {
      enrolment: cp,
      controlPlane: () => ({
        register: (r) => cp.register(r),
        state: (r) => cp.fetchState(r),
        status: (r) => cp.status(r),
        discoveryResult: async (id, result) => void posted.push({ id, result }),
      }),
      store,
      ...host,
      probe,
      clock,
      log: memoryLogger(),
      metrics: new DaemonMetrics('agent', clock),
    });
    await settle();
    const router = generateWireGuardKeyPair();
    const vpn = {
      id: 'dv-1',
      name: 'Router C',
      protocol: 'wireguard' as const,
      direction: 'outgoing' as const,
      restartGeneration: 0,
      privateKey: generateWireGuardKeyPair().privateKey,
      addresses: ['10.9.0.2/32'],
      listenPort: null,
      mtu: null,
      peers: [{ publicKey: router.publicKey, presharedKey: null, endpoint: '192.0.2.1:51820', allowedIps: ['10.40.0.0/24'], persistentKeepalive: 25 }],
      subnets: ['10.40.0.0/24'],
    };
    const discovery = { id: 'disc-1', subnets: ['10.40.0.0/30'], ports: [502], maxHosts: 16, ratePerSecond: 100, deadlineSeconds: 30 };
    cp.publish((current) => ({ ...current, directVpns: [vpn], discoveries: [discovery] }));
    await settle();
    await clock.advance(10_000);
    await settle();
    const report = cp.reports.at(-1);
    assert.equal(report?.directVpns?.length, 1, JSON.stringify(report));
    assert.equal(report?.directVpns?.[0]?.id, 'dv-1');
    assert.equal(report?.directVpns?.[0]?.state, 'connecting', 'up, no handshake yet');
    assert.ok(!JSON.stringify(cp.reports).includes(vpn.privateKey), 'no key in a report');
    assert.deepEqual(
      posted.map((p) => [p.id, p.result.hosts.map((h) => [h.ip, h.icmp, h.openPorts])]),
      [['disc-1', [['10.40.0.1', true, []], ['10.40.0.2', false, [502]]]]],
    );
    // the same document again (a reconcile, a reconnect) does not run it twice
    await clock.advance(30_000);
    await settle();
    assert.equal(posted.length, 1);
    await daemon.stop();
  });
});
