import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentDesiredState } from '../core/wire/daemon.ts';
import { DaemonMetrics } from '../daemon/daemon-metrics.ts';
import { memoryLogger } from '../daemon/log.ts';
import { MemoryStateStore } from '../daemon/state-store.ts';
import { FakeClock, settle } from '../daemon/testing/fake-clock.ts';
import { FakeControlPlane } from '../daemon/testing/fake-control-plane.ts';
import { FakeIpConfigDriver } from '../gateway/drivers/fake-ip-config-driver.ts';
import { FakeNftDriver } from '../gateway/drivers/fake-nft-driver.ts';
import { FakeWireGuardDriver } from '../gateway/drivers/fake-wireguard-driver.ts';
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
});
